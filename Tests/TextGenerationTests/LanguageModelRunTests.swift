import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("train lm: model directories, resume, sampling, perplexity")
struct LanguageModelRunTests {
    static func workspace() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let lines = (0..<60).map { index in
            ["the food was great .", "the staff was rude .", "my meal was cold .", "this place is nice ."][index % 4]
        }
        try lines.joined(separator: "\n").write(
            to: url.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try "the food was cold .\n".write(
            to: url.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        return url
    }

    static let recipe = LanguageModelRecipe(
        embeddingSize: 8, hiddenSize: 16, batchSize: 8, learningRate: 0.01, steps: 20, evaluationInterval: 10, seed: 3)

    @Test("A run stopped and resumed equals one straight run, bit for bit")
    func resumeIsExact() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        let valid = root.appendingPathComponent("valid.txt").path
        let straight = ModelDirectory(url: root.appendingPathComponent("straight"))
        _ = try LanguageModelRun.train(Self.recipe, trainPath: train, validPath: valid, output: straight)
        var half = Self.recipe
        half.steps = 10
        let resumed = ModelDirectory(url: root.appendingPathComponent("resumed"))
        _ = try LanguageModelRun.train(half, trainPath: train, validPath: valid, output: resumed)
        let summary = try LanguageModelRun.train(Self.recipe, trainPath: train, validPath: valid, output: resumed)
        #expect(summary.steps == 20)
        let a = try TrainedLanguageModel.load(from: straight)
        let b = try TrainedLanguageModel.load(from: resumed)
        #expect(a.model.parameterValues.map(\.scalars) == b.model.parameterValues.map(\.scalars))
        #expect(try resumed.readManifest().metrics["train.steps"] == 20)
        // Perplexity on the training patterns is far below the vocabulary size after training.
        #expect(a.perplexity(of: [["the", "food", "was", "great", "."]]) < Double(a.vocabulary.count))
        var generator = RandomGenerator(seed: 1)
        let samples = a.sample(count: 3, selection: .greedy, maximumLength: 8, using: &generator)
        #expect(samples.count == 3 && samples.allSatisfy { $0.count <= 8 })
    }

    @Test("Continues a model only with the same settings; rejects bad settings and corpora")
    func refusals() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        var quick = Self.recipe
        quick.steps = 2
        _ = try LanguageModelRun.train(quick, trainPath: train, validPath: nil, output: output)
        // The same command again continues the finished run: nothing left to do at the same budget.
        #expect(try LanguageModelRun.train(quick, trainPath: train, validPath: nil, output: output).steps == 2)
        var other = quick
        other.hiddenSize = 32
        #expect(throws: ModelDirectoryError.self) {
            try LanguageModelRun.train(other, trainPath: train, validPath: nil, output: output)
        }
        var bad = quick
        bad.dropout = 1
        #expect(throws: InputError.self) {
            try LanguageModelRun.train(
                bad, trainPath: train, validPath: nil, output: ModelDirectory(url: root.appendingPathComponent("x")))
        }
        let empty = root.appendingPathComponent("empty.txt")
        try "\n  \n".write(to: empty, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) {
            try LanguageModelRun.train(
                quick, trainPath: empty.path, validPath: nil,
                output: ModelDirectory(url: root.appendingPathComponent("y")))
        }
    }

    @Test("Subword models: a byte-level BPE is trained, saved with the model, and decodes what it encodes")
    func subwords() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        var recipe = Self.recipe
        recipe.subwords = "bpe:300"
        recipe.steps = 4
        let output = ModelDirectory(url: root.appendingPathComponent("bpe"))
        let summary = try LanguageModelRun.train(
            recipe, trainPath: root.appendingPathComponent("train.txt").path, validPath: nil, output: output)
        #expect(summary.steps == 4)
        #expect(FileManager.default.fileExists(atPath: output.file(TrainedLanguageModel.tokenizerFile).path))
        let model = try TrainedLanguageModel.load(from: output)
        let pieces = try model.sentences(inFile: root.appendingPathComponent("valid.txt").path)
        #expect(pieces.count == 1)
        #expect(model.render(pieces[0]) == "the food was cold .")
        #expect(model.perplexity(of: pieces).isFinite)
        var bad = Self.recipe
        bad.subwords = "bpe:3"
        #expect(throws: InputError.self) {
            try LanguageModelRun.train(
                bad, trainPath: root.appendingPathComponent("train.txt").path, validPath: nil,
                output: ModelDirectory(url: root.appendingPathComponent("bad")))
        }
    }

    @Test("Word vectors start the embeddings of a new run (LSTM and Transformer); a continued run keeps its own")
    func pretrainedEmbeddings() throws {
        let root = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt").path
        let vectors = WordVectors(
            words: ["food", "rude", "absent"], dimension: 8, values: (0..<24).map { Float($0) / 10 - 1 })
        var transformer = Self.recipe
        transformer.architecture = .transformer
        transformer.transformer.modelSize = 8
        transformer.transformer.headCount = 2
        transformer.transformer.feedForwardSize = 16
        for (name, base) in [("lstm", Self.recipe), ("transformer", transformer)] {
            var recipe = base
            recipe.steps = 0
            let directory = ModelDirectory(url: root.appendingPathComponent(name))
            let summary = try LanguageModelRun.train(
                recipe, trainPath: train, validPath: nil, output: directory, wordVectors: vectors)
            #expect(summary.pretrainedEmbeddings == 2, "\(name)")
            let trained = try TrainedLanguageModel.load(from: directory)
            let table = try #require(trained.model.tokenEmbedding?.value.scalars, "\(name)")
            for word in ["food", "rude"] {
                let row = try #require(trained.vocabulary.tokens.firstIndex(of: word))
                #expect(Array(table[(row * 8)..<((row + 1) * 8)]) == Array(try #require(vectors.vector(for: word))))
            }
            // Untouched rows keep the seeded initialization: equal to a run without vectors.
            let plain = ModelDirectory(url: root.appendingPathComponent(name + "-plain"))
            _ = try LanguageModelRun.train(recipe, trainPath: train, validPath: nil, output: plain)
            let plainTable = try #require(
                try TrainedLanguageModel.load(from: plain).model.tokenEmbedding?.value.scalars)
            let the = try #require(trained.vocabulary.tokens.firstIndex(of: "the"))
            #expect(Array(table[(the * 8)..<((the + 1) * 8)]) == Array(plainTable[(the * 8)..<((the + 1) * 8)]))
            // A continued run trains on from its saved state; the vectors are not applied again.
            recipe.steps = 2
            let trainedTwice = ModelDirectory(url: root.appendingPathComponent(name + "-steps"))
            let first = try LanguageModelRun.train(
                recipe, trainPath: train, validPath: nil, output: trainedTwice, wordVectors: vectors)
            #expect(first.pretrainedEmbeddings == 2 && first.steps == 2)
            recipe.steps = 4
            let continued = try LanguageModelRun.train(
                recipe, trainPath: train, validPath: nil, output: trainedTwice, wordVectors: vectors)
            #expect(continued.pretrainedEmbeddings == nil && continued.steps == 4)
        }
        // Another width is refused before anything is trained.
        var narrow = Self.recipe
        narrow.embeddingSize = 4
        #expect(throws: InputError.self) {
            try LanguageModelRun.train(
                narrow, trainPath: train, validPath: nil, output: ModelDirectory(url: root.appendingPathComponent("w")),
                wordVectors: vectors)
        }
    }
}
