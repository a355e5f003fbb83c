import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

@Suite("Independent style judge")
struct StyleJudgeTests {
    /// Two styles that differ only in the adjective; the other words are shared.
    static func corpus(count: Int = 40) -> StyleCorpus {
        let nouns = ["soup", "bread", "tea", "room", "view", "staff", "price", "host"]
        func sentences(_ adjective: String) -> [[String]] {
            (0..<count).map { "the \(nouns[$0 % nouns.count]) was \(adjective) \($0 % 3 == 0 ? "today" : "again") ." }
                .map { $0.split(separator: " ").map(String.init) }
        }
        return StyleCorpus(styles: ["neg", "pos"], sentences: [sentences("bad"), sentences("good")])
    }

    static func scratch(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    @Test("The n-gram judge learns a separable toy task and survives a save/load round trip")
    func learnsAndRoundTrips() throws {
        let judge = NgramStyleJudge.train(corpus: Self.corpus(), settings: .init(seed: 3))
        let unseen = ["a cake was bad .", "the cake is good here", "bad", "good good ."]
        #expect(judge.predict(unseen) == [0, 1, 0, 1])
        #expect(judge.featureCount > 10)
        let root = try Self.scratch("judge")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root.appendingPathComponent("judge"))
        try judge.save(to: directory, dataFingerprints: [:])
        let loaded = try NgramStyleJudge.load(from: directory)
        #expect(loaded.styles == ["neg", "pos"] && loaded.settings == judge.settings)
        #expect(loaded.scores(unseen.map { loaded.tokens($0) }) == judge.scores(unseen.map { judge.tokens($0) }))
        // The same seed gives the same judge; another seed is still a valid judge of the toy task.
        let again = NgramStyleJudge.train(corpus: Self.corpus(), settings: .init(seed: 3))
        #expect(again.weights == judge.weights)
        #expect(NgramStyleJudge.train(corpus: Self.corpus(), settings: .init(seed: 4)).predict(unseen) == [0, 1, 0, 1])
    }

    /// A judge with fixed answers: `word` present → `styles[0]`, else `styles[1]`.
    struct WordJudge: StyleJudge {
        var styles: [String]
        var word: String
        var summary: String { "word judge" }
        func predict(_ texts: [String]) -> [Int] { texts.map { $0.contains(word) ? 0 : 1 } }
    }

    /// A transfer system that replaces `bad` by `good` and leaves the rest.
    struct Replace: StyleTransferSystem {
        func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
            sentences.map { $0.map { $0 == "bad" ? "good" : $0 } }
        }
    }

    func model(classifier: StyleClassifier?) -> TrainedStyleTransfer {
        TrainedStyleTransfer(
            recipe: StyleTransferRecipe(styles: ["neg", "pos"]), system: Replace(), classifier: classifier,
            languageModels: nil, subwords: nil, directory: ModelDirectory(path: "/nonexistent"))
    }

    @Test("evaluate reports the judge's accuracy beside the classifier's: agreeing, disagreeing, styles by name")
    func judgeAccuracyInTheReport() throws {
        let model = model(classifier: nil)
        let sentences: [[String]] = ["the tea was bad .", "the soup was bad again .", "the room was fine ."].map {
            $0.split(separator: " ").map(String.init)
        }
        // neg → pos: two of three outputs contain "good".
        let inputs = [(style: 0, target: Int?.none, sentences: sentences, references: [[[String]]]())]
        let agreeing = WordJudge(styles: ["pos", "neg"], word: "good")  // "good" → pos, else neg
        let report = try model.evaluate(inputs: inputs, judge: agreeing)
        #expect(report.judgeAccuracy == 2.0 / 3.0)
        #expect(report.directions.first?.judgeAccuracy == 2.0 / 3.0)
        #expect(report.judge == "word judge")
        let gm = try #require(report.judgeGeometricMean)
        #expect(abs(gm - (2.0 / 3.0 * 100 * report.sourceBLEU).squareRoot()) < 1e-9)
        // The same judge with its style names swapped disagrees on every sentence.
        let swapped = WordJudge(styles: ["neg", "pos"], word: "good")
        #expect(try model.evaluate(inputs: inputs, judge: swapped).judgeAccuracy == 1.0 / 3.0)
        // Without a judge nothing changes; a judge that does not know a style is a user error.
        let plain = try model.evaluate(inputs: inputs)
        #expect(plain.judgeAccuracy == nil && plain.judge == nil && plain.sourceBLEU == report.sourceBLEU)
        #expect(throws: InputError.self) {
            try model.evaluate(inputs: inputs, judge: WordJudge(styles: ["old", "pos"], word: "good"))
        }
    }

    @Test("The judge and the model's own TextCNN agree on the toy task; a judge trained on swapped files disagrees")
    func agreesAndDisagreesWithTheClassifier() throws {
        let corpus = Self.corpus()
        let classifier = try StyleClassifier.train(
            corpus: corpus, validation: corpus, embeddingSize: 8, epochs: 30, minimumCount: 1, seed: 1)
        let model = model(classifier: classifier)
        let inputs = [
            (style: 0, target: Int?.none, sentences: Array(corpus.sentences[0].prefix(8)), references: [[[String]]]())
        ]
        let judge = NgramStyleJudge.train(corpus: corpus, settings: .init(seed: 9))
        let report = try model.evaluate(inputs: inputs, judge: judge)
        #expect(report.accuracy == 1 && report.judgeAccuracy == 1)
        let swapped = NgramStyleJudge.train(
            corpus: StyleCorpus(styles: ["neg", "pos"], sentences: corpus.sentences.reversed()),
            settings: .init(seed: 9))
        let disagreeing = try model.evaluate(inputs: inputs, judge: swapped)
        #expect(disagreeing.accuracy == 1 && disagreeing.judgeAccuracy == 0)
    }

    @Test("A damaged judge directory is a located error, never a trap (seeded mutation fuzz)")
    func fuzzedDirectory() throws {
        let root = try Self.scratch("judge-fuzz")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = ModelDirectory(url: root.appendingPathComponent("judge"))
        try NgramStyleJudge.train(corpus: Self.corpus(count: 8), settings: .init(seed: 1)).save(
            to: directory, dataFingerprints: [:])
        let files = [ModelDirectory.manifestName, NgramStyleJudge.featuresFile, ModelDirectory.weightsName]
        let originals = try files.map { try Data(contentsOf: directory.file($0)) }
        var generator = SplitMix64(seed: 17)
        for round in 0..<60 {
            let which = round % files.count
            var bytes = [UInt8](originals[which])
            switch generator.nextInt(below: 3) {
            case 0: bytes = Array(bytes.prefix(generator.nextInt(below: bytes.count + 1)))
            case 1:
                for _ in 0..<4 where !bytes.isEmpty {
                    bytes[generator.nextInt(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
                }
            default: bytes.insert(UInt8(ascii: "\n"), at: generator.nextInt(below: bytes.count + 1))
            }
            try Data(bytes).write(to: directory.file(files[which]))
            do {
                let judge = try NgramStyleJudge.load(from: directory)
                _ = judge.predict(["the soup was good ."])
            } catch let error as ModelDirectoryError {
                #expect(error.location != nil)
            } catch {
                // Other typed errors (e.g. a malformed line) are acceptable as long as nothing traps.
            }
            try originals[which].write(to: directory.file(files[which]))
        }
    }

    @Test("Word vectors start the TextCNN's embeddings; its width becomes their dimension")
    func classifierWordVectors() throws {
        let corpus = Self.corpus()
        let word = try #require(corpus.sentences[0].first?.first)
        let vectors = WordVectors(words: [word, "absent"], dimension: 6, values: (0..<12).map { Float($0) / 4 })
        let untrained = try StyleClassifier.train(
            corpus: corpus, validation: corpus, embeddingSize: 8, epochs: 0, minimumCount: 1, seed: 1,
            wordVectors: vectors)
        #expect(untrained.settings.network.embeddingSize == 6)
        let row = try #require(untrained.vocabulary.tokens.firstIndex(of: word))
        let table: [Float] = untrained.network.embedding.weight.value.scalars
        let start = row * 6
        let expected: [Float] = Array(try #require(vectors.vector(for: word)))
        let loaded: [Float] = Array(table[start..<(start + 6)])
        #expect(loaded == expected)
        let plain = try StyleClassifier.train(
            corpus: corpus, validation: corpus, embeddingSize: 6, epochs: 0, minimumCount: 1, seed: 1)
        let plainTable: [Float] = plain.network.embedding.weight.value.scalars
        let padding: [Float] = Array(table[0..<6])
        let plainPadding: [Float] = Array(plainTable[0..<6])
        #expect(padding == plainPadding)  // <pad> keeps the seeded initialization
        let plainRow: [Float] = Array(plainTable[start..<(start + 6)])
        #expect(loaded != plainRow)
    }
}
