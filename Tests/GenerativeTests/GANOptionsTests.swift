import Foundation
import Generative
import NeuralNet
import Testing

/// Whether the learning runs too slow for a debug build run: in optimized builds (`make test-release`), or when
/// `MONTAGUE_LEARNING_TESTS` is set.
private let learningTestsEnabled: Bool = {
    #if DEBUG
    return ProcessInfo.processInfo.environment["MONTAGUE_LEARNING_TESTS"] != nil
    #else
    return true
    #endif
}()

/// Maxout and dropout critics, separate step sizes, older manifests, InfoGAN's information term, and the cached
/// digits classifier of `evaluate`.
@Suite("GAN options, InfoGAN and the classifier cache")
struct GANOptionsTests {
    @Test func maxoutTakesTheMaximumOfEachGroup() {
        let x = Tensor(shape: [2, 6], scalars: [1, 5, -2, 0, 3, 3, -1, -4, 7, 2, 0, -9])
        #expect(Maxout(pieces: 2)(x).scalars == [5, 0, 3, -1, 7, 0])
        #expect(Maxout(pieces: 3)(x).scalars == [5, 3, 7, 2])
        var generator = RandomGenerator(seed: 1)
        let network = MultilayerPerceptron(
            sizes: [2, 4, 1], activation: .leakyReLU, maxoutPieces: 5, using: &generator)
        #expect(network.namedParameters.map(\.parameter.shape) == [[20, 2], [20], [1, 4], [1]])
        #expect(network(Tensor.normal([3, 2], using: &generator)).shape == [3, 1])
    }

    @Test func aFrozenNetworkPassesInputGradientsButNoParameterGradients() {
        var generator = RandomGenerator(seed: 3)
        let network = MultilayerPerceptron(sizes: [2, 5, 1], activation: .leakyReLU, using: &generator)
        let x = Tensor.normal([4, 2], using: &generator).requiringGradient()
        var unused = RandomGenerator(seed: 0)
        let frozen = network(x, hiddenDropout: 0, frozen: true, using: &unused)
        #expect(frozen.scalars == network(x).scalars)
        #expect(
            gradients(of: frozen.sum(), wrt: [x])[0].scalars == gradients(of: network(x).sum(), wrt: [x])[0].scalars)
        let parameterGradients = gradients(of: frozen.sum(), wrt: network.parameterValues)
        #expect(parameterGradients.allSatisfy { gradient in gradient.scalars.allSatisfy { $0 == 0 } })
        #expect(gradients(of: network(x).sum(), wrt: network.parameterValues)[0].scalars.contains { $0 != 0 })
    }

    @Test func maxoutAndDropoutCriticsTrainDeterministically() {
        var configuration = GANTrainerTests.configuration(.nonSaturating)
        configuration.criticMaxoutPieces = 3
        configuration.criticDropout = 0.3
        configuration.criticLearningRate = 4e-4
        #expect(configuration.problem() == nil)
        func run(_ configuration: GANConfiguration) -> [Float] {
            let trainer = GANTrainer(
                configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
            for _ in 0..<3 { trainer.step() }
            return trainer.model.parameterValues.flatMap(\.scalars)
        }
        let first = run(configuration)
        #expect(first == run(configuration))
        #expect(first.allSatisfy { $0.isFinite })
        var withoutDropout = configuration
        withoutDropout.criticDropout = 0
        #expect(run(withoutDropout) != first)
        var bad = configuration
        bad.criticDropout = 1
        #expect(bad.problem() != nil)
        bad = configuration
        bad.criticLearningRate = 0
        #expect(bad.problem() != nil)
        bad = configuration
        bad.method = .energyBased
        #expect(bad.problem() != nil)
    }

    @Test func manifestsWithoutTheNewerKeysDecodeWithDefaults() throws {
        let text = #"{"method": "wgan-gp", "dataSize": 2, "noiseSize": 4, "seed": 7}"#
        let configuration = try JSONDecoder().decode(GANConfiguration.self, from: Data(text.utf8))
        var expected = GANConfiguration(method: .wassersteinGradientPenalty, dataSize: 2)
        expected.noiseSize = 4
        expected.seed = 7
        #expect(configuration == expected)
        #expect(configuration.criticMaxoutPieces == 1 && configuration.criticDropout == 0)
        #expect(configuration.criticLearningRate == nil)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(GANConfiguration.self, from: Data(#"{"method": "nope", "dataSize": 2}"#.utf8))
        }
    }

    /// The information term reaches the generator: with λ = 0 and λ = 2 the generators differ after one step
    /// (only through `L_I`, whose gradient flows through Q's shared body into G).
    @Test func theInformationTermUpdatesTheGenerator() {
        func generatorAfterOneStep(infoWeight: Float) -> [Float] {
            var configuration = GANTrainerTests.configuration(.info)
            configuration.discriminatorSteps = 1
            configuration.infoWeight = infoWeight
            let trainer = GANTrainer(
                configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
            trainer.step()
            return trainer.generator.parameterValues.flatMap(\.scalars)
        }
        #expect(generatorAfterOneStep(infoWeight: 0) != generatorAfterOneStep(infoWeight: 2))
        #expect(generatorAfterOneStep(infoWeight: 2) == generatorAfterOneStep(infoWeight: 2))
    }

    /// A known answer for InfoGAN (Chen et al. 2016): on four well-separated Gaussians and a four-valued
    /// categorical code, each code value should generate one mode, so the code's best-matching accuracy against
    /// the nearest mode approaches 1 (chance: 0.25–0.4).
    @Test(.enabled(if: learningTestsEnabled, "a learning run (release builds or MONTAGUE_LEARNING_TESTS)"))
    func infoGANsCategoricalCodeFindsTheModesOfAMixture() {
        let modes: [[Float]] = [[-2, -2], [-2, 2], [2, -2], [2, 2]]
        var generator = RandomGenerator(seed: 4)
        var values: [Float] = []
        for _ in 0..<2000 {
            let mode = modes[generator.nextInt(below: 4)]
            values += [
                mode[0] + 0.1 * Float(generator.nextStandardNormal()),
                mode[1] + 0.1 * Float(generator.nextStandardNormal()),
            ]
        }
        var configuration = GANConfiguration(method: .info, dataSize: 2)
        configuration.noiseSize = 2
        configuration.hiddenSize = 64
        configuration.hiddenLayers = 2
        configuration.batchSize = 128
        configuration.learningRate = 1e-3
        configuration.infoCodes = InfoGANCodes(categories: 4, continuousCount: 0)
        configuration.seed = 3
        let trainer = GANTrainer(configuration: configuration, data: PointSet(dimension: 2, values: values))
        for _ in 0..<1500 { trainer.step() }
        var sampling = RandomGenerator(seed: 8)
        var codes: [Int] = []
        var nearest: [Int] = []
        for category in 0..<4 {
            let samples = trainer.samples(category: category, count: 100, using: &sampling)
            for index in 0..<samples.count {
                let point = samples.point(index)
                let distances = modes.map {
                    ($0[0] - point[0]) * ($0[0] - point[0]) + ($0[1] - point[1]) * ($0[1] - point[1])
                }
                nearest.append(distances.indices.min { distances[$0] < distances[$1] } ?? 0)
                codes.append(category)
            }
        }
        let accuracy = SampleQuality.bestMatchingAccuracy(predicted: codes, truth: nearest, clusters: 4, classes: 4)
        #expect(accuracy > 0.9, "code-to-mode accuracy \(accuracy)")
    }

    @Test func theDigitsClassifierIsCachedForTheSameDataOnly() throws {
        var generator = RandomGenerator(seed: 2)
        let labels = (0..<40).map { $0 % DigitsDataset.classes }
        let values = labels.flatMap { label in
            (0..<DigitsDataset.pixels).map { $0 == label ? Float(1) : 0.1 * generator.nextUnitFloat() }
        }
        let data = PointSet(dimension: DigitsDataset.pixels, values: values, labels: labels)
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = DigitsSampleMetrics.classifier(for: data, seed: 5, cache: cache)
        #expect(!first.cached && FileManager.default.fileExists(atPath: cache.path))
        let second = DigitsSampleMetrics.classifier(for: data, seed: 5, cache: cache)
        #expect(second.cached)
        #expect(second.classifier.predict(data) == first.classifier.predict(data))
        #expect(
            second.classifier.parameterValues.map(\.scalars) == first.classifier.parameterValues.map(\.scalars))
        #expect(!DigitsSampleMetrics.classifier(for: data, seed: 6, cache: cache).cached)
        var changed = values
        changed[0] += 0.5
        let other = PointSet(dimension: DigitsDataset.pixels, values: changed, labels: labels)
        #expect(DigitsSampleMetrics.checksum(of: other) != DigitsSampleMetrics.checksum(of: data))
        #expect(!DigitsSampleMetrics.classifier(for: other, seed: 6, cache: cache).cached)
        try Data("not safetensors".utf8).write(to: cache)
        #expect(!DigitsSampleMetrics.classifier(for: data, seed: 5, cache: cache).cached)
        #expect(DigitsSampleMetrics.classifier(for: data, seed: 5, cache: cache).cached)
    }
}
