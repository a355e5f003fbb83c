import Foundation
import Generative
import NeuralNet
import Testing

/// InfoGAN's options beyond the basic information term: `Q` as a head of its own, separate weights of the
/// categorical and continuous terms, a learned variance of the continuous codes, and the mode-seeking term.
@Suite("InfoGAN's Q head, weights, code variance and mode seeking")
struct InfoGANOptionsTests {
    static func configuration() -> GANConfiguration {
        var configuration = GANTrainerTests.configuration(.info)
        configuration.discriminatorSteps = 1
        return configuration
    }

    static func run(_ configuration: GANConfiguration, steps: Int = 2) -> (GANTrainer, [String: Double]) {
        let trainer = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        var metrics: [String: Double] = [:]
        for _ in 0..<steps { metrics = trainer.step() }
        return (trainer, metrics)
    }

    @Test func featuresAreTheLastHiddenLayerAndTheOutputIsUnchanged() {
        var generator = RandomGenerator(seed: 2)
        for minibatch in [false, true] {
            let network = MultilayerPerceptron(
                sizes: [2, 6, 5, 3], activation: .leakyReLU, minibatchFeature: minibatch, using: &generator)
            let x = Tensor.normal([4, 2], using: &generator)
            var unused = RandomGenerator(seed: 0)
            let (output, features) = network.outputAndFeatures(x, using: &unused)
            #expect(output.scalars == network(x).scalars)
            #expect(features.shape == [4, 5])
            #expect(features.scalars.allSatisfy { $0.isFinite })
            // Without the minibatch feature, the last linear layer alone maps the features to the output.
            if !minibatch, let last = network.network.layers.last as? Linear {
                let reproduced = last(features).scalars
                #expect(zip(reproduced, output.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
            }
        }
    }

    @Test func aSeparateQHeadTrainsDeterministicallyAndIsSaved() {
        var configuration = Self.configuration()
        configuration.qHiddenSize = 5
        #expect(configuration.problem() == nil)
        let (trainer, metrics) = Self.run(configuration)
        #expect(trainer.critic.outputSize == 1)
        #expect(trainer.qHead?.sizes == [8, 5, 4])
        #expect(trainer.model.namedParameters.contains { $0.name.hasPrefix("q_head.") })
        #expect(metrics["info_loss"].map { $0.isFinite } == true)
        let again = Self.run(configuration).0
        #expect(trainer.model.parameterValues.flatMap(\.scalars) == again.model.parameterValues.flatMap(\.scalars))
        // Q's head is trained by the critic's optimizer.
        let fresh = GANTrainer(configuration: configuration, data: ToyDistribution.ring8.sample(count: 64, seed: 1))
        #expect(fresh.qHead?.parameterValues.flatMap(\.scalars) != trainer.qHead?.parameterValues.flatMap(\.scalars))
        let x = Tensor(shape: [3, 2], scalars: [0, 1, 1, 0, -1, 0])
        #expect(trainer.predictedCategories(x).allSatisfy { (0..<3).contains($0) })
    }

    @Test func withoutTheNewOptionsTheRunIsTheSameAsBefore() {
        // The default run must not draw extra numbers or build extra networks.
        let configuration = Self.configuration()
        let (trainer, metrics) = Self.run(configuration)
        #expect(trainer.qHead == nil)
        #expect(trainer.critic.outputSize == 1 + 4)
        #expect(metrics["mode_seeking_ratio"] == nil)
        var weighted = configuration
        weighted.continuousInfoWeight = configuration.infoWeight
        let (weightedTrainer, _) = Self.run(weighted)
        // The same λ for both terms, summed in another order: equal up to rounding, not bit for bit.
        let a = trainer.generator.parameterValues.flatMap(\.scalars)
        let b = weightedTrainer.generator.parameterValues.flatMap(\.scalars)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    @Test func theWeightedLossWeightsEachTermAndTheLearnedVarianceIsAGaussianLikelihood() {
        let codes = InfoGANCodes(categories: 2, continuousCount: 1)
        let sampled = Tensor(shape: [2, 3], scalars: [1, 0, 0.5, 0, 1, -0.5])
        let labels = [0, 1]
        // logits (0, 0) for both rows: cross entropy log 2; means 0.25 and 0 against 0.5 and −0.5.
        let plainOutput = Tensor(shape: [2, 3], scalars: [0, 0, 0.25, 0, 0, 0])
        let crossEntropyTerm = Float(log(2.0))
        let squaredTerm: Float = 0.5 * (0.0625 + 0.25) / 2
        let plain = codes.mutualInformationLoss(qOutput: plainOutput, codes: sampled, labels: labels)
        #expect(abs(plain.item - (crossEntropyTerm + squaredTerm)) < 1e-6)
        let weighted = codes.mutualInformationLoss(
            qOutput: plainOutput, codes: sampled, labels: labels, weights: .init(categorical: 2, continuous: 0.5))
        #expect(abs(weighted.item - (2 * crossEntropyTerm + 0.5 * squaredTerm)) < 1e-6)
        #expect(codes.qOutputWidth(learnedVariance: true) == 4)
        // log σ = 0: the unit-variance term; log σ = log 2: ½((c − μ)/2)² + log 2 per code.
        let unitScale = Tensor(shape: [2, 4], scalars: [0, 0, 0.25, 0, 0, 0, 0, 0])
        let learnedUnit = codes.mutualInformationLoss(
            qOutput: unitScale, codes: sampled, labels: labels, weights: .init(learnedVariance: true))
        #expect(abs(learnedUnit.item - plain.item) < 1e-6)
        let logTwo = Float(log(2.0))
        let doubled = Tensor(shape: [2, 4], scalars: [0, 0, 0.25, logTwo, 0, 0, 0, logTwo])
        let learned = codes.mutualInformationLoss(
            qOutput: doubled, codes: sampled, labels: labels, weights: .init(learnedVariance: true))
        let expected = crossEntropyTerm + 0.5 * (0.0625 + 0.25) / 4 / 2 + logTwo
        #expect(abs(learned.item - expected) < 1e-5)
    }

    @Test func theLearnedVarianceRunsAndAddsQOutputs() {
        var configuration = Self.configuration()
        configuration.learnedCodeVariance = true
        configuration.continuousInfoWeight = 0.5
        #expect(configuration.problem() == nil)
        let (trainer, metrics) = Self.run(configuration)
        #expect(trainer.critic.outputSize == 1 + 3 + 2)
        #expect(metrics["info_loss"].map { $0.isFinite } == true)
        var noContinuous = configuration
        noContinuous.infoCodes = InfoGANCodes(categories: 3, continuousCount: 0)
        #expect(noContinuous.problem() != nil)
    }

    @Test func theModeSeekingTermChangesTheGeneratorUpdateAndIsReported() {
        var configuration = Self.configuration()
        configuration.modeSeekingWeight = 1
        let (trainer, metrics) = Self.run(configuration, steps: 1)
        let ratio = metrics["mode_seeking_ratio"]
        #expect(ratio.map { $0 > 0 && $0.isFinite } == true)
        let withTerm = trainer.generator.parameterValues.flatMap(\.scalars)
        #expect(withTerm == Self.run(configuration, steps: 1).0.generator.parameterValues.flatMap(\.scalars))
        var without = configuration
        without.modeSeekingWeight = 0
        #expect(withTerm != Self.run(without, steps: 1).0.generator.parameterValues.flatMap(\.scalars))
    }

    @Test func theOptionsAreCheckedAndStoredInTheManifest() throws {
        var configuration = Self.configuration()
        configuration.qHiddenSize = 16
        configuration.continuousInfoWeight = 0.1
        configuration.learnedCodeVariance = true
        configuration.modeSeekingWeight = 0.5
        let decoded = try JSONDecoder().decode(
            GANConfiguration.self, from: try JSONEncoder().encode(configuration))
        #expect(decoded == configuration)
        let old = try JSONDecoder().decode(
            GANConfiguration.self, from: Data(#"{"method": "infogan", "dataSize": 64}"#.utf8))
        #expect(old.qHiddenSize == nil && old.continuousInfoWeight == nil)
        #expect(!old.learnedCodeVariance && old.modeSeekingWeight == 0)
        for change in [
            { (c: inout GANConfiguration) in c.qHiddenSize = 0 },
            { (c: inout GANConfiguration) in c.modeSeekingWeight = -1 },
            { (c: inout GANConfiguration) in c.modeSeekingWeight = .nan },
            { (c: inout GANConfiguration) in c.continuousInfoWeight = -0.1 },
            { (c: inout GANConfiguration) in c.infoWeight = .infinity },
            { (c: inout GANConfiguration) in c.method = .nonSaturating },
        ] {
            var bad = configuration
            change(&bad)
            #expect(bad.problem() != nil)
        }
    }
}
