import Foundation
import Testing

@testable import TextGeneration

/// The fixture written by bench/text_metrics_fixture.py from sacreBLEU and NLTK.
struct TextMetricsFixture: Decodable {
    struct Case: Decodable {
        struct BLEUValue: Decodable {
            var score: Double
            var precisions: [Double]
            var bp: Double
            var sysLen: Int
            var refLen: Int
        }
        var hypotheses: [String]
        var references: [[String]]
        var bleu: [String: BLEUValue]
        var chrf: [String: Double]
        var sentenceBleu: [Double]
        var sentenceChrf: [Double]
        var tokens13A: [String]
    }
    struct SelfBLEU: Decodable {
        var samples: [String]
        var scores: [String: Double]
    }
    var cases: [Case]
    var selfBleu: SelfBLEU

    static func load() throws -> TextMetricsFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/text_metrics.json")
        return try snakeCaseDecoder.decode(TextMetricsFixture.self, from: Data(contentsOf: url))
    }
}

@Suite("Text metrics equal sacreBLEU and NLTK")
struct TextMetricsTests {
    static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }

    @Test("13a tokenization equals sacreBLEU's")
    func tokenization() throws {
        for fixtureCase in try TextMetricsFixture.load().cases {
            for (hypothesis, expected) in zip(fixtureCase.hypotheses, fixtureCase.tokens13A) {
                #expect(BLEUTokenizer.tokenize13a(PythonText.rstrip(hypothesis)) == expected)
            }
        }
        #expect(
            BLEUTokenizer.tokenize13a("It costs $3.50, i.e. 1,000-2,000 (approx.)!")
                == "It costs $ 3.50 , i . e . 1,000 - 2,000 ( approx . ) !")
    }

    @Test("Corpus BLEU: every tokenizer, smoothing and case setting")
    func corpusBLEU() throws {
        for fixtureCase in try TextMetricsFixture.load().cases {
            for (key, expected) in fixtureCase.bleu {
                let parts = key.split(separator: "/").map(String.init)
                let bleu = BLEU(
                    smoothing: try #require(BLEU.Smoothing(parts[1])),
                    tokenizer: try #require(BLEUTokenizer(rawValue: parts[0])),
                    lowercase: parts[2] == "lc")
                let score = try bleu.corpusScore(hypotheses: fixtureCase.hypotheses, references: fixtureCase.references)
                #expect(Self.close(score.score, expected.score), "\(key): \(score.score) vs \(expected.score)")
                #expect(score.statistics.hypothesisLength == expected.sysLen, "\(key)")
                #expect(score.statistics.referenceLength == expected.refLen, "\(key)")
                #expect(Self.close(score.brevityPenalty, expected.bp), "\(key)")
                for (ours, theirs) in zip(score.precisions, expected.precisions) {
                    #expect(Self.close(ours, theirs), "\(key) precisions \(score.precisions) vs \(expected.precisions)")
                }
            }
        }
    }

    @Test("Sentence BLEU and sentence chrF")
    func sentenceScores() throws {
        for fixtureCase in try TextMetricsFixture.load().cases {
            for index in fixtureCase.hypotheses.indices {
                let references = fixtureCase.references.map { $0[index] }
                let bleu = BLEU().sentenceScore(hypothesis: fixtureCase.hypotheses[index], references: references)
                #expect(Self.close(bleu.score, fixtureCase.sentenceBleu[index]), "sentence \(index)")
                let chrf = ChrF().sentenceScore(hypothesis: fixtureCase.hypotheses[index], references: references)
                #expect(Self.close(chrf, fixtureCase.sentenceChrf[index]), "sentence chrF \(index)")
            }
        }
    }

    @Test("Corpus chrF and chrF++ with and without epsilon smoothing")
    func corpusChrF() throws {
        for fixtureCase in try TextMetricsFixture.load().cases {
            for (key, expected) in fixtureCase.chrf {
                let parts = key.split(separator: "/").map(String.init)
                let chrf = ChrF(
                    wordOrder: parts[0] == "w2" ? 2 : 0, lowercase: parts[2] == "lc",
                    epsilonSmoothing: parts[1] == "eps")
                let score = try chrf.corpusScore(hypotheses: fixtureCase.hypotheses, references: fixtureCase.references)
                #expect(Self.close(score, expected), "\(key): \(score) vs \(expected)")
            }
        }
    }

    @Test("Diversity self-BLEU equals NLTK's all-pairs sentence BLEU (Texygen)")
    func selfBLEU() throws {
        let fixture = try TextMetricsFixture.load().selfBleu
        for (order, expected) in fixture.scores {
            let ours = try DiversityMetrics.selfBLEU(fixture.samples, maxOrder: try #require(Int(order)))
            #expect(Self.close(ours, expected), "order \(order): \(ours) vs \(expected)")
        }
        #expect(throws: TextMetricError.tooFewSamples(1)) { try DiversityMetrics.selfBLEU(["one"]) }
    }

    @Test("distinct-n")
    func distinct() {
        #expect(DiversityMetrics.distinct(["a b a b", "a c"], n: 1) == 3.0 / 6.0)
        #expect(DiversityMetrics.distinct(["a b a b", "a c"], n: 2) == 3.0 / 4.0)
        #expect(DiversityMetrics.distinct([""], n: 2) == 0)
    }

    @Test("Mismatched reference sets are errors")
    func mismatched() {
        #expect(throws: TextMetricError.mismatchedLengths(stream: 1, hypotheses: 2, references: 1)) {
            try BLEU().corpusScore(hypotheses: ["a", "b"], references: [["a", "b"], ["a"]])
        }
        #expect(throws: TextMetricError.noReferences) { try ChrF().corpusScore(hypotheses: ["a"], references: []) }
    }

    @Test("Paired bootstrap: a one-word difference is not significant, a much better system is")
    func pairedBootstrap() throws {
        let references = [(0..<60).map { "the food was great number \($0) today" }]
        let good = references[0]
        var almost = good
        almost[7] = "the food was good number 7 today"
        let bad = (0..<60).map { "a terrible thing \($0)" }
        let close = try BLEU().pairedBootstrap(baseline: almost, system: good, references: references, samples: 200)
        #expect(close.pValue > 0.05)
        #expect(close.systemScore > close.baselineScore)
        // sacreBLEU's statistic counts strictly larger centred differences: identical systems get 1/(samples+1).
        let same = try BLEU().pairedBootstrap(baseline: good, system: good, references: references, samples: 200)
        #expect(same.pValue == 1.0 / 201)
        let different = try BLEU().pairedBootstrap(baseline: bad, system: good, references: references, samples: 200)
        #expect(different.pValue < 0.01)
        #expect(different.systemScore > 99)
        #expect(different.systemConfidence >= 0)
    }
}

/// A decoder for the fixtures' snake_case keys (`sys_len` → `sysLen`).
private let snakeCaseDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
}()
