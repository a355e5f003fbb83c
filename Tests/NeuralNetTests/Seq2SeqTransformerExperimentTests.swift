import Autodiff
import Foundation
import MontagueSupport
import Testing

@testable import NeuralNet

/// `Seq2SeqExperiment` with ``Seq2SeqArchitecture/transformer``: training, resuming, the model directory.
@Suite("Seq2Seq experiment with a Transformer")
struct Seq2SeqTransformerExperimentTests {
    static func settings(epochs: Int, dropout: Float = 0.1) -> Seq2SeqExperiment.Settings {
        Seq2SeqExperiment.Settings(
            architecture: .transformer,
            transformer: Seq2SeqTransformerSettings(modelSize: 8, headCount: 2, feedForwardSize: 16),
            layerCount: 1, dropout: dropout, modelSeed: 5,
            training: Seq2SeqTrainingConfiguration(
                epochs: epochs, batchSize: 2, learningRate: 0.01, seed: 6, maxDecodeLength: 4, beamWidth: 2,
                reportEvery: 1))
    }

    @Test func resumingContinuesTheSameRunAndTheDirectoryReproducesIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transformer-resume-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = Seq2SeqExperimentTests.train
        let straight = directory.appendingPathComponent("straight.jsonl")
        let whole = try Seq2SeqExperiment.run(
            train: train, test: train, settings: Self.settings(epochs: 4), options: .init(metricsURL: straight))
        let output = ModelDirectory(url: directory.appendingPathComponent("model"))
        let resumedLog = directory.appendingPathComponent("resumed.jsonl")
        _ = try Seq2SeqExperiment.run(
            train: train, test: train, settings: Self.settings(epochs: 2),
            options: .init(output: output, metricsURL: resumedLog))
        var events: [Seq2SeqExperiment.Event] = []
        let resumed = try Seq2SeqExperiment.run(
            train: train, test: train, settings: Self.settings(epochs: 4),
            options: .init(output: output, metricsURL: resumedLog), report: { events.append($0) })
        #expect(events.contains(.resumed(step: 4, path: output.url.path)))
        #expect(whole.steps == 8 && resumed.steps == 8)
        let expected = try Seq2SeqExperimentTests.trainLosses(straight)
        #expect(expected.count == 8)
        #expect(try Seq2SeqExperimentTests.trainLosses(resumedLog) == expected)

        let predictor = try Seq2SeqPredictor(directory: output)
        #expect(predictor.hyperparameters.architecture == .transformer)
        #expect(predictor.hyperparameters.transformer?.modelSize == 8)
        #expect(predictor.hyperparameters.settings.transformer == Self.settings(epochs: 4).transformer)
        // Beam width 2 is the manifest's default; the directory reproduces the run's test decoding.
        #expect(predictor.exactMatch(train).correct == resumed.correct)
        let greedy = predictor.predict(train.map(\.source), beamWidth: 1)
        #expect(greedy.count == train.count && greedy.allSatisfy { $0.count <= 4 })
    }

    @Test func transformerLearnsACopyTask() throws {
        // Eight source words, each mapped to one target symbol.
        let words = ["a", "b", "c", "d"]
        var pairs: [Seq2SeqExample] = []
        for x in words {
            for y in words { pairs.append(Seq2SeqExample(source: [x, y], target: [x.uppercased(), y.uppercased()])) }
        }
        var settings = Self.settings(epochs: 60, dropout: 0)
        settings.transformer = Seq2SeqTransformerSettings(modelSize: 16, headCount: 2, feedForwardSize: 32)
        settings.training.batchSize = 8
        settings.training.beamWidth = 1
        let result = try Seq2SeqExperiment.run(train: pairs, test: pairs, settings: settings)
        #expect(result.testAccuracy >= 0.9, "copy task exact match \(result.testAccuracy)")
    }

    @Test func directoriesWithoutAnArchitectureAreRecurrent() throws {
        let settings = Seq2SeqExperiment.Settings(embeddingSize: 4, hiddenSize: 8)
        let hyperparameters = Seq2SeqHyperparameters(settings, sourceVocabularySize: 6, targetVocabularySize: 6)
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(hyperparameters)) as? [String: Any])
        for key in ["architecture", "transformer", "tokenizer", "lowercase"] { object.removeValue(forKey: key) }
        let old = try JSONDecoder().decode(
            Seq2SeqHyperparameters.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.architecture == nil && old.settings.architecture == .recurrent)
        #expect(old.settings.tokenizer == "whitespace" && old.settings == settings)
    }

    @Test func damagedTransformerHyperparametersAreRejected() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transformer-bad-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = ModelDirectory(url: directory)
        _ = try Seq2SeqExperiment.run(
            train: Seq2SeqExperimentTests.train, test: [], settings: Self.settings(epochs: 1),
            options: .init(output: output))
        let manifestText = try String(contentsOf: output.manifestURL, encoding: .utf8)
        for (from, to) in [("\"headCount\" : 2", "\"headCount\" : 3"), ("\"modelSize\" : 8", "\"modelSize\" : 800000")]
        {
            #expect(manifestText.contains(from))
            try manifestText.replacingOccurrences(of: from, with: to).write(
                to: output.manifestURL, atomically: true, encoding: .utf8)
            #expect(throws: ModelDirectoryError.self) { try Seq2SeqPredictor(directory: output) }
        }
        #expect(Seq2SeqTransformerSettings(modelSize: 6, headCount: 4).problem != nil)
        #expect(Seq2SeqTransformerSettings(modelSize: 6, headCount: 2, positionalEncoding: .rotary).problem != nil)
        #expect(Seq2SeqTransformerSettings(modelSize: 8, headCount: 2).problem == nil)
    }
}
