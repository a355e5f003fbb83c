import Foundation
import Generative
import NeuralNet
import Testing

/// Every adversarial method runs a few steps deterministically; resuming continues bit for bit; a 1-D GAN moves its
/// samples to the data.
@Suite("GAN training loops")
struct GANTrainerTests {
    static func configuration(_ method: GANMethod) -> GANConfiguration {
        var configuration = GANConfiguration(method: method, dataSize: 2)
        configuration.noiseSize = 3
        configuration.hiddenSize = 8
        configuration.hiddenLayers = 1
        configuration.batchSize = 8
        configuration.discriminatorSteps = 2
        configuration.infoCodes = InfoGANCodes(categories: 3, continuousCount: 1)
        configuration.seed = 9
        return configuration
    }

    static let methods: [GANMethod] = GANMethod.allNames.compactMap { GANMethod(name: $0) }

    @Test func everyMethodNameRoundTrips() throws {
        #expect(Self.methods.count == GANMethod.allNames.count)
        #expect(Self.methods.filter(\.isFGAN).count == FDivergence.allCases.count)
        for method in Self.methods {
            #expect(GANMethod(name: method.name) == method)
            #expect(method.isFGAN == method.name.hasPrefix("fgan:"), "\(method)")
            let data = try JSONEncoder().encode(Self.configuration(method))
            #expect(try JSONDecoder().decode(GANConfiguration.self, from: data) == Self.configuration(method))
        }
        #expect(GANMethod(name: "fgan:bogus") == nil)
        #expect(GANMethod(name: "GAN") == nil)
    }

    @Test(arguments: methods)
    func fewStepsAreDeterministicAndFinite(_ method: GANMethod) {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        func run() -> ([[String: Double]], [Float]) {
            let trainer = GANTrainer(configuration: Self.configuration(method), data: data)
            let metrics = (0..<3).map { _ in trainer.step() }
            var sampling = RandomGenerator(seed: 1)
            return (metrics, trainer.samples(count: 4, using: &sampling).values)
        }
        let (first, samples) = run()
        let (second, again) = run()
        #expect(first == second, "\(method)")
        #expect(samples == again)
        #expect(first.allSatisfy { $0["d_loss"]?.isFinite == true && $0["g_loss"]?.isFinite == true }, "\(first)")
        if method == .wassersteinGradientPenalty { #expect(first.allSatisfy { $0["penalty"] != nil }) }
    }

    @Test func wganClipsTheCriticAndPackingReshapes() {
        let data = ToyDistribution.grid25.sample(count: 64, seed: 1)
        let trainer = GANTrainer(configuration: Self.configuration(.wasserstein), data: data)
        trainer.step()
        #expect(trainer.critic.parameters.allSatisfy { $0.value.scalars.allSatisfy { abs($0) <= 0.01 } })
        var packed = Self.configuration(.nonSaturating)
        packed.packing = 4
        let pac = GANTrainer(configuration: packed, data: data)
        #expect(pac.critic.inputSize == 8)
        #expect(pac.step()["d_loss"]?.isFinite == true)
    }

    @Test func vaeGANsThreeClassDiscriminatorAndInfoGANsCodePredictionsRun() {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        var threeClass = Self.configuration(.vaeGAN)
        threeClass.threeClassDiscriminator = true
        let vaeGAN = GANTrainer(configuration: threeClass, data: data)
        #expect(vaeGAN.critic.outputSize == 3)
        let metrics = vaeGAN.step()
        #expect(metrics["reconstruction"]?.isFinite == true && metrics["kl"]?.isFinite == true)
        let info = GANTrainer(configuration: Self.configuration(.info), data: data)
        info.step()
        var generator = RandomGenerator(seed: 4)
        let samples = info.samples(category: 2, count: 6, using: &generator)
        let predicted = info.predictedCategories(samples.tensor)
        #expect(predicted.count == 6 && predicted.allSatisfy { (0..<3).contains($0) })
    }

    @Test(arguments: [GANMethod.wassersteinGradientPenalty, .vaeGAN, .info])
    func resumingContinuesBitForBit(_ method: GANMethod) throws {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        let straight = GANTrainer(configuration: Self.configuration(method), data: data)
        for _ in 0..<4 { straight.step() }

        let directory = ModelDirectory(
            url: FileManager.default.temporaryDirectory.appendingPathComponent("generative-resume-\(UUID())"))
        defer { try? FileManager.default.removeItem(at: directory.url) }
        try directory.create()
        let interrupted = GANTrainer(configuration: Self.configuration(method), data: data)
        for _ in 0..<2 { interrupted.step() }
        try directory.saveWeights(of: interrupted.model)
        try directory.saveTrainingState(interrupted.trainingState())

        let resumed = GANTrainer(configuration: Self.configuration(method), data: data)
        try directory.loadWeights(into: resumed.model)
        let state = try #require(try directory.loadTrainingState())
        try resumed.restore(state)
        #expect(resumed.stepCount == 2)
        for _ in 0..<2 { resumed.step() }
        for (a, b) in zip(straight.model.parameterValues, resumed.model.parameterValues) {
            #expect(a.scalars == b.scalars)
        }
    }

    /// Data N(3, 0.5²) in one dimension, an affine generator: the non-saturating GAN moves the samples' mean from
    /// about 0 to about 3 (the equilibrium p_G = p_data of Goodfellow et al. 2014, Theorem 1).
    @Test func oneDimensionalGANApproachesTheDataDistribution() {
        var generator = RandomGenerator(seed: 12)
        let values = (0..<512).map { _ in Float(3 + 0.5 * generator.nextStandardNormal()) }
        let data = PointSet(dimension: 1, values: values)
        var configuration = GANConfiguration(method: .nonSaturating, dataSize: 1)
        configuration.noiseSize = 1
        configuration.hiddenSize = 16
        configuration.hiddenLayers = 1
        configuration.batchSize = 64
        configuration.learningRate = 5e-3
        configuration.seed = 2
        let trainer = GANTrainer(configuration: configuration, data: data)
        var sampling = RandomGenerator(seed: 5)
        let initialMean = trainer.samples(count: 500, using: &sampling).values.reduce(0, +) / 500
        for _ in 0..<300 { trainer.step() }
        let samples = trainer.samples(count: 500, using: &sampling).values
        let mean = samples.reduce(0, +) / 500
        #expect(abs(initialMean - 3) > 1.5, "initial mean \(initialMean)")
        #expect(abs(mean - 3) < 0.5, "mean after training \(mean)")
    }

    @Test func latentEditingLowersItsObjective() {
        var generator = RandomGenerator(seed: 3)
        let g = MultilayerPerceptron(sizes: [2, 8, 2], activation: .tanh, using: &generator)
        let d = MultilayerPerceptron(sizes: [2, 8, 1], activation: .tanh, using: &generator)
        let target = Tensor([[1, 1]])
        let editor = LatentEditing(proximityWeight: 0.1, realismWeight: 0.1, steps: 50, learningRate: 0.05)
        let result = editor.edit(
            from: Tensor([[0, 0]]), generator: { g($0) }, critic: { d($0) },
            constraint: { ($0 - target).squared().sum() })
        #expect(result.finalObjective < result.initialObjective)
        #expect(result.codes.shape == [1, 2])
    }
}
