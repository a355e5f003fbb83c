import Foundation
import Generative
import NeuralNet
import Testing

/// Batch normalization in the generator (training with batch statistics, sampling with population statistics of
/// the generator's own noise), one-sided label smoothing, and the options' checks.
@Suite("Generator batch normalization and label smoothing")
struct GeneratorNormalizationTests {
    static func configuration(_ method: GANMethod = .nonSaturating) -> GANConfiguration {
        var configuration = GANTrainerTests.configuration(method)
        configuration.generatorBatchNorm = true
        configuration.hiddenSize = 6
        configuration.hiddenLayers = 2
        return configuration
    }

    @Test func batchNormLayersFollowEveryHiddenLinearLayer() {
        var generator = RandomGenerator(seed: 1)
        let network = MultilayerPerceptron(
            sizes: [3, 5, 4, 2], activation: .relu, batchNorm: true, using: &generator)
        #expect(network.batchNormLayers.map(\.featureCount) == [5, 4])
        #expect(
            network.namedParameters.map(\.name) == [
                "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias", "net.3.weight", "net.3.bias",
                "net.4.weight", "net.4.bias", "net.6.weight", "net.6.bias",
            ])
        // In training mode every hidden unit has batch mean 0 before its nonlinearity: check through layer 1.
        let x = Tensor.normal([16, 3], using: &generator)
        let normalized = network.network.layers[1](network.network.layers[0](x))
        for unit in 0..<5 {
            let column = (0..<16).map { normalized.scalars[$0 * 5 + unit] }
            #expect(abs(column.reduce(0, +) / 16) < 1e-5)
        }
        #expect(MultilayerPerceptron(sizes: [3, 5, 2], activation: .relu, using: &generator).batchNormLayers.isEmpty)
    }

    /// Samples drawn after training use population statistics: one sample equals the first of a hundred drawn
    /// from the same seed (batch statistics would make it depend on the other 99, and a batch of one would have no
    /// variance at all), and the run stays deterministic.
    @Test(arguments: [GANMethod.nonSaturating, .info, .wassersteinGradientPenalty])
    func samplesDoNotDependOnTheirBatch(_ method: GANMethod) {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        func trained() -> GANTrainer {
            let trainer = GANTrainer(configuration: Self.configuration(method), data: data)
            for _ in 0..<3 { trainer.step() }
            return trainer
        }
        let trainer = trained()
        var one = RandomGenerator(seed: 4)
        var many = RandomGenerator(seed: 4)
        func draw(_ count: Int, _ random: inout RandomGenerator) -> [Float] {
            method == .info
                ? trainer.samples(category: 1, count: count, using: &random).values
                : trainer.samples(count: count, using: &random).values
        }
        let single = draw(1, &one)
        let hundred = draw(100, &many)
        #expect(single.count == 2 && single.allSatisfy { $0.isFinite })
        for (a, b) in zip(single, hundred.prefix(2)) { #expect(abs(a - b) <= 1e-4 * Swift.max(1, abs(a))) }
        #expect(Set(hundred).count > 50)
        var first = RandomGenerator(seed: 5)
        var second = RandomGenerator(seed: 5)
        #expect(
            trained().samples(count: 30, using: &first).values == trained().samples(count: 30, using: &second).values)
        #expect(trainer.generator.batchNormLayers.allSatisfy { $0.isTraining })
    }

    /// Sampling recalibrates without touching the run's random generator, so drawing samples mid-run does not
    /// change the rest of training.
    @Test func samplingMidRunLeavesTrainingUnchanged() {
        let data = ToyDistribution.grid25.sample(count: 64, seed: 2)
        func run(sampleMidway: Bool) -> [Float] {
            let trainer = GANTrainer(configuration: Self.configuration(), data: data)
            trainer.step()
            if sampleMidway {
                var sampling = RandomGenerator(seed: 0)
                _ = trainer.samples(count: 10, using: &sampling)
            }
            trainer.step()
            return trainer.model.parameterValues.flatMap(\.scalars)
        }
        #expect(run(sampleMidway: true) == run(sampleMidway: false))
    }

    @Test func batchNormChangesTheRunAndRoundTripsThroughTheManifest() throws {
        let data = ToyDistribution.ring8.sample(count: 64, seed: 1)
        func parameters(_ configuration: GANConfiguration) -> [Float] {
            let trainer = GANTrainer(configuration: configuration, data: data)
            trainer.step()
            return trainer.generator.parameterValues.flatMap(\.scalars)
        }
        var plain = Self.configuration()
        plain.generatorBatchNorm = false
        #expect(parameters(plain) != parameters(Self.configuration()))
        var smoothed = Self.configuration()
        smoothed.realLabel = 0.9
        let encoded = try JSONEncoder().encode(smoothed)
        #expect(try JSONDecoder().decode(GANConfiguration.self, from: encoded) == smoothed)
        let old = try JSONDecoder().decode(
            GANConfiguration.self, from: Data(#"{"method": "nsgan", "dataSize": 2}"#.utf8))
        #expect(!old.generatorBatchNorm && old.realLabel == 1)
    }

    /// One-sided label smoothing (Salimans et al. 2016): the real term is the cross-entropy against the target t.
    @Test func labelSmoothingIsTheCrossEntropyAgainstTheRealLabel() {
        let real = Tensor(shape: [3, 1], scalars: [2, -1, 0.5])
        let fake = Tensor(shape: [2, 1], scalars: [-0.3, 1.2])
        func softplus(_ x: Float) -> Float { Foundation.log(1 + Foundation.exp(x)) }
        let t: Float = 0.9
        let expectedReal = [Float(2), -1, 0.5].map { t * softplus(-$0) + (1 - t) * softplus($0) }.reduce(0, +) / 3
        let expectedFake = (softplus(-0.3) + softplus(1.2)) / 2
        for objective in [
            NonSaturatingGANObjective(realLabel: t).discriminatorLoss(real: real, fake: fake),
            MinimaxGANObjective(realLabel: t).discriminatorLoss(real: real, fake: fake),
        ] {
            #expect(abs(objective.item - (expectedReal + expectedFake)) < 1e-5)
        }
        #expect(
            NonSaturatingGANObjective(realLabel: 1).discriminatorLoss(real: real, fake: fake).item
                == NonSaturatingGANObjective().discriminatorLoss(real: real, fake: fake).item)
        // The smoothed loss is minimized at D = σ(v) = t on real samples, not at v → ∞.
        let atTarget = NonSaturatingGANObjective(realLabel: t).discriminatorLoss(
            real: Tensor(shape: [1, 1], scalars: [Foundation.log(t / (1 - t))]), fake: fake)
        let beyond = NonSaturatingGANObjective(realLabel: t).discriminatorLoss(
            real: Tensor(shape: [1, 1], scalars: [6]), fake: fake)
        #expect(atTarget.item < beyond.item)
    }

    @Test func badLabelsAndMethodsAreRefused() {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.realLabel = 0.9
        #expect(configuration.problem() == nil)
        configuration.method = .info
        #expect(configuration.problem() == nil)
        configuration.method = .leastSquares
        #expect(configuration.problem() != nil)
        configuration.method = .nonSaturating
        for bad: Float in [0.5, 0, 1.1, .nan] {
            configuration.realLabel = bad
            #expect(configuration.problem() != nil, "\(bad)")
        }
    }

    @Test func classKLIsZeroWhenBalancedAndLogKForOneClass() {
        #expect(SampleQuality.klFromUniform(counts: [5, 5, 5, 5]) == 0)
        #expect(abs(SampleQuality.klFromUniform(counts: [0, 0, 9, 0]) - Foundation.log(4)) < 1e-12)
        let mixed = SampleQuality.klFromUniform(counts: [3, 1, 0, 0])
        #expect(abs(mixed - (0.75 * Foundation.log(3) + 0.25 * Foundation.log(1))) < 1e-12)
        #expect(SampleQuality.klFromUniform(counts: [0, 0]) == 0)
    }

    @Test func theMinibatchFeatureIsTheMeanDeviationAcrossTheBatch() {
        let x = Tensor(shape: [2, 2], scalars: [0, 1, 2, 5])  // deviations 1 and 2
        let y = MinibatchStandardDeviation(epsilon: 0)(x)
        #expect(y.shape == [2, 3])
        #expect(y.scalars == [0, 1, 1.5, 2, 5, 1.5])
        let collapsed = MinibatchStandardDeviation()(Tensor(shape: [3, 2], scalars: [1, 2, 1, 2, 1, 2]))
        #expect(abs(collapsed.scalars[2]) < 1e-3)
        // Its gradient reaches every input (the generator is pushed apart through it).
        let input = Tensor(shape: [2, 2], scalars: [0, 1, 2, 5]).requiringGradient()
        let gradient = gradients(
            of: MinibatchStandardDeviation()(input).slice(axis: 1, range: 2..<3).sum(), wrt: [input])[0]
        #expect(gradient.scalars.allSatisfy { $0 != 0 && $0.isFinite })
        var generator = RandomGenerator(seed: 1)
        let critic = MultilayerPerceptron(
            sizes: [2, 4, 1], activation: .leakyReLU, minibatchFeature: true, using: &generator)
        #expect(critic.namedParameters.map(\.parameter.shape) == [[4, 2], [4], [1, 5], [1]])
        var configuration = GANTrainerTests.configuration(.info)
        configuration.criticMinibatchFeature = true
        #expect(configuration.problem() == nil)
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        for _ in 0..<2 { #expect(trainer.step().values.allSatisfy { $0.isFinite }) }
        configuration.method = .bidirectional
        #expect(configuration.problem() != nil)
    }
}
