import Foundation
import MontagueSupport
import NeuralNet
import Testing

@testable import TextGeneration

/// A synthetic two-style corpus: review sentences whose only style-bearing word is the final adjective.
enum SyntheticStyles {
    static let places = ["diner", "cafe", "bistro", "bakery", "pub", "grill"]
    static let streets = ["main", "oak", "pine", "elm", "lake"]
    static let people = ["sister", "brother", "friend", "boss", "mother"]
    static let nouns = ["soup", "pasta", "coffee", "bread", "steak", "salad"]
    static let positive = ["great", "delicious", "amazing", "wonderful"]
    static let negative = ["awful", "terrible", "disgusting", "bland"]

    static func sentence(_ index: Int, adjectives: [String]) -> String {
        "i visited the \(places[index % 6]) on \(streets[(index / 6) % 5]) street with my \(people[(index / 30) % 5]) and the \(nouns[(index / 7) % 6]) was \(adjectives[index % 4]) ."
    }

    static func write(to directory: URL, count: Int = 300) throws -> (positive: String, negative: String) {
        let positiveURL = directory.appendingPathComponent("pos.txt")
        let negativeURL = directory.appendingPathComponent("neg.txt")
        try (0..<count).map { sentence($0, adjectives: positive) }.joined(separator: "\n")
            .write(to: positiveURL, atomically: true, encoding: .utf8)
        try (0..<count).map { sentence($0 + 1, adjectives: negative) }.joined(separator: "\n")
            .write(to: negativeURL, atomically: true, encoding: .utf8)
        return (positiveURL.path, negativeURL.path)
    }
}

@Suite("Style transfer: markers, retrieval, template transfer, evaluation")
struct StyleTransferTests {
    @Test("Salience finds the style words as markers and nothing else")
    func markers() {
        let corpus = StyleCorpus(
            styles: ["pos", "neg"],
            sentences: [
                (0..<40).map {
                    SyntheticStyles.sentence($0, adjectives: SyntheticStyles.positive).split(separator: " ").map(
                        String.init)
                },
                (0..<40).map {
                    SyntheticStyles.sentence($0, adjectives: SyntheticStyles.negative).split(separator: " ").map(
                        String.init)
                },
            ])
        let markers = AttributeMarkers(corpus: corpus, maximumOrder: 2, threshold: 5)
        #expect(markers.markers[0]["great"] != nil && markers.markers[1]["awful"] != nil)
        #expect(markers.markers[0]["the"] == nil && markers.markers[0]["diner"] == nil)
        let sentence = "the soup was great .".split(separator: " ").map(String.init)
        // The bigram "was great" is as salient as "great" and longer, so it is the span.
        #expect(markers.spans(in: sentence, style: 0).map(\.text) == ["was great"])
        #expect(markers.content(of: sentence, style: 0) == ["the", "soup", "."])
    }

    @Test("Retrieval finds the document sharing the rarest words")
    func retrieval() {
        let index = ContentRetrieval(documents: [["a", "b", "c"], ["a", "x", "y"], ["z"], ["a", "b", "q"]])
        #expect(index.best(for: ["x", "a"]) == 1)
        #expect(index.best(for: ["b", "c"]) == 0)
        #expect(index.best(for: ["b", "c"], excluding: [0]) == 3)
        #expect(index.best(for: ["nothing"]) == nil)
    }

    @Test(
        "Template transfer flips the synthetic style with ≥ 0.9 accuracy and ≥ 80 source-BLEU; the model directory round-trips"
    )
    func endToEnd() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("style-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, negative) = try SyntheticStyles.write(to: root, count: 150)
        let output = ModelDirectory(url: root.appendingPathComponent("model"))
        let summary = try StyleTransferRun.train(
            StyleTransferRecipe(validationFraction: 0.1, markerOrder: 2, markerThreshold: 5, seed: 1),
            files: [("pos", positive), ("neg", negative)], output: output, classifierEpochs: 12,
            classifierEmbeddingSize: 16)
        #expect(summary.trainingSentences == [135, 135])
        #expect(summary.markerCounts.allSatisfy { $0 >= 4 })
        #expect((summary.classifierAccuracy ?? 0) >= 0.95)
        let model = try TrainedStyleTransfer.load(from: output)
        let report = try model.evaluate(inputs: try model.validationSentences().enumerated().map { ($0, nil, $1, []) })
        #expect(report.directions.map(\.from) == ["pos", "neg"])
        #expect((report.accuracy ?? 0) >= 0.9, "\(report)")
        #expect(report.sourceBLEU >= 80, "\(report)")
        let transferred = try model.transfer(
            [model.tokenize("i visited the pub on elm street with my boss and the soup was delicious .")], to: 1)
        #expect(SyntheticStyles.negative.contains(transferred[0][transferred[0].count - 2]))
        #expect(
            Array(transferred[0].prefix(14))
                == model.tokenize("i visited the pub on elm street with my boss and the soup was"))
        // References: identical to the perfect transfer give reference BLEU 100.
        let inputs = [model.tokenize(SyntheticStyles.sentence(3, adjectives: SyntheticStyles.positive))]
        let outputs = try model.transfer(inputs, from: 0, to: 1)
        let withReferences = try model.evaluate(inputs: [(0, 1, inputs, [outputs])])
        #expect(abs((withReferences.referenceBLEU ?? 0) - 100) < 1e-9)
    }

    @Test("Bad corpora and settings are located errors")
    func errors() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("style-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (positive, _) = try SyntheticStyles.write(to: root, count: 10)
        let empty = root.appendingPathComponent("empty.txt")
        try "\n".write(to: empty, atomically: true, encoding: .utf8)
        let output = ModelDirectory(url: root.appendingPathComponent("m"))
        #expect(throws: InputError.self) {
            try StyleTransferRun.train(StyleTransferRecipe(), files: [("pos", positive)], output: output)
        }
        #expect(throws: InputError.self) {
            try StyleTransferRun.train(
                StyleTransferRecipe(), files: [("pos", positive), ("neg", empty.path)], output: output)
        }
        #expect(throws: InputError.self) { try StyleCorpus.parseSpecification("noequals") }
        #expect(throws: InputError.self) { try StyleCorpus.parseSpecification("=file") }
        #expect(try StyleCorpus.parseSpecification("a=b=c") == ("a", "b=c"))
    }
}
