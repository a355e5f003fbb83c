import Foundation
import Generative
import NeuralNet
import Testing

/// The VAE machinery: reparameterized Gaussian, analytic KL, decoder likelihoods, ELBO ≤ importance-weighted bound.
@Suite("VAE: reparameterization, KL, ELBO and the importance-weighted bound")
struct VAETests {
    @Test func diagonalGaussianDensityAndKLMatchTheirFormulas() {
        let q = DiagonalGaussian(mean: Tensor([[0.5, -1]]), logVariance: Tensor([[0, Float(Foundation.log(4.0))]]))
        let z = Tensor([[1, 0]])
        let expected = -0.5 * (2 * Foundation.log(2 * Double.pi) + 0.25 + Foundation.log(4.0) + 1.0 / 4)
        #expect(abs(Double(q.logDensity(z).item) - expected) < 1e-5)
        let kl = -0.5 * ((1 + 0 - 0.25 - 1) + (1 + Foundation.log(4.0) - 1 - 4))
        #expect(abs(Double(q.klDivergenceFromStandardNormal().item) - kl) < 1e-5)
        // Monte Carlo E_q[log q − log p] agrees with the analytic KL.
        var generator = RandomGenerator(seed: 5)
        let many = DiagonalGaussian(
            mean: Tensor([0.5, -1]).expanded(to: [20000, 2]),
            logVariance: Tensor([0, Float(Foundation.log(4.0))]).expanded(to: [20000, 2]))
        let samples = many.sample(using: &generator)
        let estimate = (many.logDensity(samples) - standardNormalLogDensity(samples)).mean().item
        #expect(abs(Double(estimate) - kl) < 0.05)
    }

    @Test func reparameterizedSampleIsDifferentiableInMeanAndLogVariance() {
        let noise = Tensor([[0.3, -1.2]])
        let check = checkGradients(at: [Tensor([[0.1, 0.2]]), Tensor([[-0.5, 0.4]])]) { p in
            DiagonalGaussian(mean: p[0], logVariance: p[1]).sample(noise: noise).squared().sum()
        }
        #expect(check.passes(), "\(check)")
    }

    @Test(arguments: DecoderLikelihood.allCases)
    func elboIsBelowTheImportanceWeightedBound(_ likelihood: DecoderLikelihood) {
        var generator = RandomGenerator(seed: 8)
        let model = VariationalAutoencoder(
            configuration: VAEConfiguration(dataSize: 4, latentSize: 2, hiddenSizes: [8], likelihood: likelihood),
            using: &generator)
        let x = Tensor.uniform([16, 4], using: &generator)
        let (elbo, bound1, bound64) = withoutGradients {
            var elboSum: Float = 0
            var bound1Sum: Float = 0
            for _ in 0..<50 {
                elboSum += model.elbo(x, using: &generator).mean().item
                bound1Sum += model.importanceWeightedBound(x, samples: 1, using: &generator).mean().item
            }
            return (
                elboSum / 50, bound1Sum / 50,
                model.importanceWeightedBound(x, samples: 64, using: &generator).mean().item
            )
        }
        #expect(bound64 > elbo, "IW(64) \(bound64) vs ELBO \(elbo)")
        // K = 1 is an unbiased ELBO estimate (sampled KL): close to the analytic-KL ELBO.
        #expect(abs(bound1 - elbo) < 0.1 * Swift.max(1, abs(elbo)), "IW(1) \(bound1) vs ELBO \(elbo)")
    }

    @Test func bernoulliAndGaussianLikelihoodsMatchTheirFormulas() {
        let x = Tensor([[1, 0, 0.5]])
        let logits = Tensor([[0.5, -1, 2]])
        let bernoulli = DecoderLikelihood.bernoulli.logLikelihood(of: x, output: logits, logVariance: nil).item
        func logSigmoid(_ v: Double) -> Double { -Foundation.log(1 + Foundation.exp(-v)) }
        let expected = logSigmoid(0.5) + logSigmoid(1) + 0.5 * logSigmoid(2) + 0.5 * logSigmoid(-2)
        #expect(abs(Double(bernoulli) - expected) < 1e-5)
        let gaussian = DecoderLikelihood.gaussian.logLikelihood(
            of: Tensor([[1, 2]]), output: Tensor([[0, 2]]), logVariance: Tensor([0, 0])
        ).item
        #expect(abs(Double(gaussian) - (-Foundation.log(2 * Double.pi) - 0.5)) < 1e-5)
    }

    /// The fused Bernoulli log-likelihood against the unfused loss (values over a wide range of logits, including
    /// ±90 where e^−|l| leaves the polynomial's range) and its first- and second-order gradients.
    @Test func fusedBernoulliLikelihoodMatchesTheUnfusedLoss() {
        var generator = RandomGenerator(seed: 4)
        var logitValues = (0..<58).map { _ in Float(6 * generator.nextStandardNormal()) }
        logitValues += [0, -0, 90, -90, 17, -17] as [Float]
        let logits = Tensor(shape: [8, 8], scalars: logitValues)
        let targets = Tensor.uniform([8, 8], using: &generator)
        let fused = bernoulliLogLikelihood(logits: logits, targets: targets)
        let unfused = -binaryCrossEntropyWithLogits(logits: logits, targets: targets, reduction: .none).sum(axis: -1)
        #expect(fused.shape == [8])
        for (a, b) in zip(fused.scalars, unfused.scalars) { #expect(abs(a - b) <= 1e-5 * Swift.max(1, abs(b))) }

        let tracked = logits.requiringGradient()
        let weights = Tensor.normal([8], using: &generator)
        let fusedGradient = gradients(
            of: (bernoulliLogLikelihood(logits: tracked, targets: targets) * weights).sum(), wrt: [tracked])[0]
        let unfusedGradient = gradients(
            of: (-binaryCrossEntropyWithLogits(logits: tracked, targets: targets, reduction: .none).sum(axis: -1)
                * weights).sum(), wrt: [tracked])[0]
        for (a, b) in zip(fusedGradient.scalars, unfusedGradient.scalars) { #expect(abs(a - b) < 1e-5) }

        // Second order: d/dl of Σ (∂L/∂l)² through the recorded backward pass.
        func curvature(_ likelihood: (Tensor) -> Tensor) -> [Float] {
            let first = gradient(of: likelihood(tracked).sum(), wrt: tracked, createGraph: true)
            return gradients(of: (first * first).sum(), wrt: [tracked])[0].scalars
        }
        let fusedCurvature = curvature { bernoulliLogLikelihood(logits: $0, targets: targets) }
        let unfusedCurvature = curvature {
            -binaryCrossEntropyWithLogits(logits: $0, targets: targets, reduction: .none).sum(axis: -1)
        }
        for (a, b) in zip(fusedCurvature, unfusedCurvature) { #expect(abs(a - b) < 1e-5) }
    }

    @Test func trainingRaisesTheELBOAndIsDeterministic() {
        let data = ToyDistribution.ring8.sample(count: 256, seed: 1)
        var configuration = VAETrainingConfiguration(
            model: VAEConfiguration(dataSize: 2, latentSize: 2, hiddenSizes: [16], likelihood: .gaussian))
        configuration.batchSize = 64
        configuration.learningRate = 1e-2
        configuration.seed = 3
        let first = VAETrainer(configuration: configuration, data: data)
        let before = VAEEvaluation.evaluate(first.model, on: data, samples: 5, seed: 1)
        var losses: [Double] = []
        for _ in 0..<200 { losses.append(first.step()["loss"] ?? .nan) }
        let after = VAEEvaluation.evaluate(first.model, on: data, samples: 5, seed: 1)
        #expect(after.elbo > before.elbo + 0.15, "ELBO \(before.elbo) → \(after.elbo)")
        #expect(after.importanceWeightedBound >= after.elbo - 0.05)
        let second = VAETrainer(configuration: configuration, data: data)
        var again: [Double] = []
        for _ in 0..<200 { again.append(second.step()["loss"] ?? .nan) }
        #expect(losses == again)
    }

    @Test func emAndVAEAreComparedOnHeldOutData() throws {
        let all = ToyDistribution.ring8.sample(count: 400, seed: 2)
        let (train, heldOut) = all.split(heldOutFraction: 0.25, seed: 1)
        var vae = VAETrainingConfiguration(
            model: VAEConfiguration(dataSize: 2, latentSize: 2, hiddenSizes: [16], likelihood: .gaussian))
        vae.batchSize = 64
        vae.learningRate = 1e-2
        let result = try MixtureLikelihoodComparison.run(
            train: train, heldOut: heldOut, components: 8, vae: vae, vaeSteps: 30, importanceSamples: 10, seed: 4)
        // Eight tight components fit the ring8 mixture: log-density ≈ log(1/8 · 1/(2π·0.01²)) ≈ 5.9 nats.
        #expect(result.expectationMaximization > 4)
        #expect(result.vaeImportanceWeighted.isFinite && result.vaeELBO.isFinite)
        #expect(result.expectationMaximization > result.vaeImportanceWeighted)
    }
}
