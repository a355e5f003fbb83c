import Autodiff
import Generative
import NeuralNet

/// Training steps of the generative models against PyTorch and JAX on CPU (bench/generative_reference.py implements
/// the same workloads). Data: synthetic or toy, seeded, built once outside the timed body.
enum GenerativeBenchmarks {
    /// One WGAN-GP step: a critic update with the two-sided gradient penalty (λ = 10, a gradient of a gradient) on
    /// interpolates, then a generator update; G is 8-256-256-2 (ReLU), D is 2-256-256-1 (LeakyReLU 0.2), batch 256
    /// of ring8 points, Adam (lr 1e-4, β 0.5/0.9). Unit: steps/s.
    static let wganCaseName = "wgan-gp step g8-256-256-2 d2-256-256-1 b256 adam"

    /// One VAE step on 8×8 digits-shaped data: encoder 64-128-16 (ReLU; mean and log-variance of 8 latents),
    /// decoder 8-128-64 with Bernoulli logits, one reparameterized sample, analytic KL, batch 128, Adam (lr 1e-3).
    /// Unit: steps/s.
    static let vaeCaseName = "vae step 64-128-8 bernoulli b128 adam"

    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: wganCaseName, make: wganGradientPenaltyStep),
            BenchmarkEntry(name: vaeCaseName, make: vaeStep),
        ]
    }

    static func wganGradientPenaltyStep() -> BenchmarkCase? {
        var configuration = GANConfiguration(method: .wassersteinGradientPenalty, dataSize: 2)
        configuration.noiseSize = 8
        configuration.hiddenSize = 256
        configuration.hiddenLayers = 2
        configuration.batchSize = 256
        configuration.discriminatorSteps = 1
        configuration.beta2 = 0.9
        configuration.seed = 0
        let trainer = GANTrainer(
            configuration: configuration, data: ToyDistribution.ring8.sample(count: 10_000, seed: 0))
        return .trainingStep(wganCaseName, metric: .stepsPerSecond, unitsPerIteration: 1) { trainer.step() }
    }

    static func vaeStep() -> BenchmarkCase? {
        var generator = RandomGenerator(seed: 0)
        let data = PointSet(Tensor.uniform([1797, 64], using: &generator))
        var configuration = VAETrainingConfiguration(
            model: VAEConfiguration(dataSize: 64, latentSize: 8, hiddenSizes: [128], likelihood: .bernoulli))
        configuration.batchSize = 128
        let trainer = VAETrainer(configuration: configuration, data: data)
        return .trainingStep(vaeCaseName, metric: .stepsPerSecond, unitsPerIteration: 1) { trainer.step() }
    }
}
