import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("Back-translation with a style-conditioned Transformer")
struct StyleTransferBackTranslationTransformerTests {
    static let network = DualRLTransformerSettings(
        network: Seq2SeqTransformerSettings(modelSize: 8, headCount: 2, feedForwardSize: 16), layers: 1)

    static func settings(steps: Int) -> CrossAlignedSettings {
        var settings = StyleTransferCrossAlignedTests.settings(steps: steps, evaluationInterval: 2, dropout: 0.1)
        settings.training.learningRate = 1e-2
        settings.transformer = network
        return settings
    }

    static func recipe(steps: Int) -> StyleTransferRecipe {
        StyleTransferRecipe(
            method: .backTranslation, validationFraction: 0.1, seed: 2, crossAligned: settings(steps: steps))
    }

    @Test("Style tokens start the decoder and are never emitted; only the used style's token gets a gradient")
    func styleTokens() throws {
        let vocabulary = StyleTransferDualRLTests.toyVocabulary
        var seed = RandomGenerator(seed: 3)
        // Untied, so that the style rows of the target table are read at the decoder's input only.
        var untied = Self.network
        untied.network.tiesEmbeddings = false
        let model = BackTranslationTransformer(
            settings: untied, dropout: 0, vocabulary: vocabulary, styleCount: 3, using: &seed)
        #expect(model.network.configuration.targetVocabularySize == vocabulary.count + 3)
        #expect(model.network.configuration.sourceVocabularySize == vocabulary.count)
        #expect((0..<3).map(model.styleToken) == [vocabulary.count, vocabulary.count + 1, vocabulary.count + 2])
        #expect(model.toTransformer[vocabulary.endIndex] == SequenceVocabulary.end)
        #expect(model.toTransformer.indices.allSatisfy { model.fromTransformer[model.toTransformer[$0]] == $0 })
        #expect(model.namedParameters.allSatisfy { $0.name.hasPrefix("transformer.") })

        let sentences = [["the", "soup", "was", "awful"], ["my", "bread", "is", "good"]].map { vocabulary.encode($0) }
        var none: RandomGenerator? = nil
        let loss = model.negativeLogLikelihood(
            outputs: sentences, inputs: sentences, styles: [2, 2], vocabulary: vocabulary, dropoutUsing: &none)
        #expect(loss.item.isFinite && loss.item > 0)
        let table = try #require(model.namedParameters.first { $0.name == "transformer.target.embedding.weight" })
        let gradient = gradients(of: loss, wrt: [table.parameter.value])[0].scalars
        let width = Self.network.network.modelSize
        func row(_ index: Int) -> ArraySlice<Float> { gradient[(index * width)..<((index + 1) * width)] }
        #expect(row(model.styleToken(2)).contains { $0 != 0 })
        #expect(row(model.styleToken(0)).allSatisfy { $0 == 0 } && row(model.styleToken(1)).allSatisfy { $0 == 0 })

        // An untrained model's greedy outputs hold no style token, no padding and no <s>, in our ids.
        let outputs = model.transfer(sentences + [[]], to: [0, 1, 2], vocabulary: vocabulary, maximumLength: 7)
        #expect(outputs.count == 3 && outputs.allSatisfy { $0.count <= 7 })
        #expect(
            outputs.joined().allSatisfy {
                (0..<vocabulary.count).contains($0) && $0 != vocabulary.paddingIndex && $0 != vocabulary.beginningIndex
            })
    }

    @Test("A few Adam steps on the denoising loss of one batch lower it; the two styles then decode differently")
    func learnsAndConditions() throws {
        let vocabulary = StyleTransferDualRLTests.toyVocabulary
        var seed = RandomGenerator(seed: 4)
        let model = BackTranslationTransformer(
            settings: Self.network, dropout: 0, vocabulary: vocabulary, styleCount: 2, using: &seed)
        // Style 0 rewrites every sentence as "the soup was awful", style 1 as "my bread is good".
        let inputs = [["the", "soup", "was", "great"], ["my", "bread", "is", "bad"]].map { vocabulary.encode($0) }
        let zero = vocabulary.encode(["the", "soup", "was", "awful"])
        let one = vocabulary.encode(["my", "bread", "is", "good"])
        let optimizer = Adam(model.parameters, learningRate: 3e-2)
        var none: RandomGenerator? = nil
        func loss() -> Tensor {
            model.negativeLogLikelihood(
                outputs: [zero, zero, one, one], inputs: inputs + inputs, styles: [0, 0, 1, 1],
                vocabulary: vocabulary, dropoutUsing: &none)
        }
        let before = loss().item
        for _ in 0..<60 {
            let value = loss()
            optimizer.step(gradients(of: value, wrt: model.parameters.map(\.value)))
        }
        let after = loss().item
        #expect(after < before / 4, "\(before) → \(after)")
        let decoded = model.transfer(inputs + inputs, to: [0, 0, 1, 1], vocabulary: vocabulary, maximumLength: 6)
        #expect(decoded == [zero, zero, one, one], "\(decoded.map { vocabulary.decode($0) })")
    }

    @Test("Trains into a model directory, continues bit for bit, records the network, transfers and evaluates")
    func modelDirectory() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("back-translation-transformer")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        let files = [("pos", positive), ("neg", negative)]
        let whole = ModelDirectory(url: root.appendingPathComponent("whole"))
        let summary = try StyleTransferRun.train(
            Self.recipe(steps: 4), files: files, output: whole, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(summary.training?.steps == 4)
        #expect(summary.training?.lastMetrics["back_translation"] != nil)
        let split = ModelDirectory(url: root.appendingPathComponent("split"))
        let first = try StyleTransferRun.train(
            Self.recipe(steps: 2), files: files, output: split, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(first.training?.steps == 2)
        let second = try StyleTransferRun.train(
            Self.recipe(steps: 4), files: files, output: split, classifierEpochs: 1, classifierEmbeddingSize: 8)
        #expect(second.training?.steps == 4)

        let loaded = try TrainedStyleTransfer.load(from: whole)
        let resumed = try TrainedStyleTransfer.load(from: split)
        #expect(loaded.recipe.crossAligned?.transformer == Self.network)
        #expect(loaded.recipe.crossAligned?.dualRL == nil)
        let system = try #require(loaded.system as? BackTranslationTransformerTransfer)
        let other = try #require(resumed.system as? BackTranslationTransformerTransfer)
        #expect(system.model.parameterValues.map(\.scalars) == other.model.parameterValues.map(\.scalars))
        let inputs = [loaded.tokenize("the soup was great ."), loaded.tokenize("my host is rude .")]
        #expect(try loaded.transfer(inputs, to: 1).count == 2)
        let report = try loaded.evaluate(inputs: [(style: 0, target: nil, sentences: inputs, references: [])])
        #expect(report.accuracy != nil && report.sourceBLEU.isFinite)

        // The GRU settings cannot continue a Transformer run, nor another network size.
        var recurrent = Self.recipe(steps: 5)
        recurrent.crossAligned?.transformer = nil
        var wider = Self.recipe(steps: 5)
        wider.crossAligned?.transformer?.network.modelSize = 16
        for recipe in [recurrent, wider] {
            #expect(throws: (any Error).self) {
                try StyleTransferRun.train(recipe, files: files, output: whole, classifierEpochs: 1)
            }
        }
    }

    @Test("Settings without a Transformer decode as the GRU; other methods and bad sizes are refused")
    func settingsAndRefusals() throws {
        var settings = Self.settings(steps: 1)
        let encoded = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(CrossAlignedSettings.self, from: encoded) == settings)
        settings.transformer = nil
        let plain = try JSONEncoder().encode(settings)
        #expect(!(String(data: plain, encoding: .utf8) ?? "").contains("transformer"))
        #expect(try JSONDecoder().decode(CrossAlignedSettings.self, from: plain).transformer == nil)

        var bad = Self.settings(steps: 1)
        bad.transformer?.network.headCount = 3
        #expect(throws: InputError.self) { try bad.validate() }
        bad.transformer = DualRLTransformerSettings(layers: 0)
        #expect(throws: InputError.self) { try bad.validate() }
        #expect(
            BackTranslationTransformer.problem(
                settings: DualRLTransformerSettings(
                    network: Seq2SeqTransformerSettings(modelSize: 1 << 15, headCount: 1), layers: 1),
                vocabularySize: 50, styleCount: 2) != nil)

        let root = try StyleTransferCrossAlignedTests.temporaryRoot("back-translation-transformer-refused")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 10)
        var crossAligned = Self.recipe(steps: 1)
        crossAligned.method = .crossAligned
        #expect(throws: InputError.self) {
            try StyleTransferRun.train(
                crossAligned, files: [("pos", positive), ("neg", negative)],
                output: ModelDirectory(url: root.appendingPathComponent("m")), classifierEpochs: 0)
        }
    }

    /// Seeded mutations of the recorded network sizes and of the manifest's bytes: loading gives a model or throws,
    /// never a trap or a runaway allocation.
    @Test("Mutated manifests of a Transformer back-translation directory load or throw")
    func mutatedManifestsLoadOrThrow() throws {
        let root = try StyleTransferCrossAlignedTests.temporaryRoot("back-translation-transformer-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 20)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        _ = try StyleTransferRun.train(
            Self.recipe(steps: 1), files: [("pos", positive), ("neg", negative)], output: output, classifierEpochs: 0)
        let original = try Data(contentsOf: output.manifestURL)
        let text = String(decoding: original, as: UTF8.self)
        #expect(text.contains("\"modelSize\" : 8"), "\(text)")
        var mutants = [
            "\"modelSize\" : 8": ["\"modelSize\" : 1000000000", "\"modelSize\" : -8", "\"modelSize\" : 0"],
            "\"headCount\" : 2": ["\"headCount\" : 0", "\"headCount\" : 3"],
            "\"layers\" : 1": ["\"layers\" : 0", "\"layers\" : 100000"],
            "\"feedForwardSize\" : 16": ["\"feedForwardSize\" : 4000000000"],
        ].flatMap { key, values in values.map { text.replacingOccurrences(of: key, with: $0) } }
        var generator = SplitMix64(seed: 11)
        for _ in 0..<40 {
            var bytes = [UInt8](original)
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            mutants.append(String(decoding: bytes, as: UTF8.self))
        }
        var refused = 0
        for mutant in mutants {
            try Data(mutant.utf8).write(to: output.manifestURL)
            do {
                _ = try TrainedStyleTransfer.load(from: output)
            } catch {
                refused += 1
                #expect(!String(describing: error).isEmpty)
            }
        }
        #expect(refused >= 8)  // every targeted size mutation is refused
        try original.write(to: output.manifestURL)
        #expect(try TrainedStyleTransfer.load(from: output).system is BackTranslationTransformerTransfer)
    }
}
