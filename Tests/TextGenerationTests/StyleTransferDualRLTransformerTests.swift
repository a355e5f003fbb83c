import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("Dual reinforcement learning with Transformer direction models")
struct StyleTransferDualRLTransformerTests {
    static func settings(steps: Int, pretraining: Int) -> CrossAlignedSettings {
        var settings = StyleTransferDualRLTests.tinySettings(steps: steps, pretraining: pretraining)
        settings.dualRL?.transformer = DualRLTransformerSettings(
            network: Seq2SeqTransformerSettings(modelSize: 8, headCount: 2, feedForwardSize: 16), layers: 1)
        return settings
    }

    @Test("The vocabulary maps onto the Transformer's reserved ids and back; every direction's gradient is finite")
    func mappingAndGradients() throws {
        let vocabulary = StyleTransferDualRLTests.toyVocabulary
        var seed = RandomGenerator(seed: 5)
        let network = DualRLStyleTransfer(
            settings: Self.settings(steps: 1, pretraining: 0), vocabulary: vocabulary, using: &seed)
        #expect(network.models.isEmpty && network.transformers.count == 2)
        #expect(network.toTransformer[vocabulary.paddingIndex] == SequenceVocabulary.padding)
        #expect(network.toTransformer[vocabulary.beginningIndex] == SequenceVocabulary.beginning)
        #expect(network.toTransformer[vocabulary.endIndex] == SequenceVocabulary.end)
        #expect(Set(network.toTransformer) == Set(0..<vocabulary.count))
        #expect(network.toTransformer.indices.allSatisfy { network.fromTransformer[network.toTransformer[$0]] == $0 })
        #expect(network.namedParameters.allSatisfy { $0.name.hasPrefix("to0.") || $0.name.hasPrefix("to1.") })

        let sources = [["the", "soup", "was", "awful"], ["my", "bread", "is", "bad"], []].map { vocabulary.encode($0) }
        var generator = RandomGenerator(seed: 7)
        let losses = DualRLTraining.reinforcementLoss(
            network: network, sources: sources, target: 1, vocabulary: vocabulary, maximumLength: 8,
            styleProbability: { $0.map { Double($0.count % 3) / 2 } }, using: &generator)
        for values in [losses.rewards.style, losses.rewards.content, losses.rewards.total, losses.rewards.baseline] {
            #expect(values.count == 3 && values.allSatisfy { (0...1).contains($0) }, "\(values)")
        }
        // Back-translation trains g (to0) only.
        let g = try #require(network.transformers[0].namedParameters.first?.parameter.value)
        let f = try #require(network.transformers[1].namedParameters.first?.parameter.value)
        let back = gradients(of: losses.backTranslation, wrt: [f, g])
        #expect(back[0].scalars.allSatisfy { $0 == 0 })
        #expect(back[1].scalars.contains { $0 != 0 } && back[1].scalars.allSatisfy(\.isFinite))
        // Sampled outputs never hold padding or the beginning symbol.
        let samples = network.sample(sources, to: 0, vocabulary: vocabulary, maximumLength: 6, using: &generator)
        #expect(samples.count == 3)
        #expect(samples.joined().allSatisfy { $0 != vocabulary.paddingIndex && $0 != vocabulary.beginningIndex })
    }

    @Test("dual-rl --arch transformer trains a few steps, records the network, continues, transfers and evaluates")
    func modelDirectory() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("dual-transformer")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try StyleTransferDualRLTests.writeToyStyles(to: root, count: 30, seed: 1)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var settings = Self.settings(steps: 4, pretraining: 2)
        let first = try StyleTransferRun.train(
            StyleTransferDualRLTests.recipe(settings), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(first.training?.steps == 4)
        #expect(first.training?.lastMetrics["reward"] != nil)
        settings.training.steps = 5
        let second = try StyleTransferRun.train(
            StyleTransferDualRLTests.recipe(settings), files: files, output: output, classifierEpochs: 1,
            classifierEmbeddingSize: 8)
        #expect(second.training?.steps == 5)
        let loaded = try TrainedStyleTransfer.load(from: output)
        #expect(loaded.recipe.crossAligned?.dualRL?.transformer?.network.modelSize == 8)
        let inputs = [["the", "soup", "came", "back", "was", "tasty", "."], ["my", "host", "is", "rude", "."]]
        #expect(try loaded.transfer(inputs, from: 0, to: 1).count == 2)
        let report = try loaded.evaluate(inputs: [(style: 0, target: nil, sentences: inputs, references: [])])
        #expect(report.accuracy != nil && report.sourceBLEU.isFinite)
        // The recurrent settings cannot continue a Transformer run.
        var recurrent = settings
        recurrent.dualRL?.transformer = nil
        #expect(throws: (any Error).self) {
            try StyleTransferRun.train(
                StyleTransferDualRLTests.recipe(recurrent), files: files, output: output, classifierEpochs: 1)
        }
    }

    @Test("Invalid Transformer sizes are refused")
    func invalidSizes() {
        var settings = DualRLSettings()
        settings.transformer = DualRLTransformerSettings(
            network: Seq2SeqTransformerSettings(modelSize: 10, headCount: 4), layers: 1)
        #expect(settings.problem?.contains("divisible") == true)
        settings.transformer = DualRLTransformerSettings(layers: 0)
        #expect(settings.problem != nil)
    }
}
