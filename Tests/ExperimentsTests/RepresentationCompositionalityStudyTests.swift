import Foundation
import Grammar
import MontagueSupport
import Testing

@testable import Experiments

/// TRE and topographic similarity of representations of a grammar's expressions (tiny, debug-fast settings).
@Suite("Representation compositionality study")
struct RepresentationCompositionalityStudyTests {
    static func arithmetic() throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
    }

    @Test func additiveIsExactlyCompositionalAndRandomIsNot() throws {
        let settings = RepresentationStudySettings(
            sources: [.additive, .random, .treeLSTM], expressions: 40, trainingSamples: 400, dimension: 8, epochs: 0,
            seed: 2)
        let rows = try RepresentationCompositionalityStudy.run(try Self.arithmetic(), settings: settings)
        #expect(rows.map(\.source) == [.additive, .random, .treeLSTM])
        let additive = try #require(rows.first)
        #expect(additive.treOperations < 1e-3)
        #expect(additive.expressions >= 3)
        #expect(rows[1].treOperations > 0.1)
        #expect(rows[1].relativeTRE > additive.relativeTRE)
        for row in rows { #expect((-1...1).contains(row.topographicSimilarity)) }
        let table = RepresentationCompositionalityStudy.table(rows)
        #expect(table.contains("| additive | 0.0000"))
        #expect(table.split(separator: "\n").count == 5)
    }

    @Test func expressionsAreDistinctWithDerivationsAndMeanings() throws {
        let settings = RepresentationStudySettings(expressions: 10, trainingSamples: 300, seed: 4)
        let (expressions, sample) = try RepresentationCompositionalityStudy.expressions(
            of: try Self.arithmetic(), settings: settings)
        #expect(sample.count > 250 && sample.count <= 300)  // sentences over 30 words are left out
        #expect(sample.allSatisfy { !$0.isEmpty && $0.count <= 30 })
        #expect(Set(expressions.map { $0.words.joined(separator: " ") }).count == expressions.count)
        for expression in expressions {
            #expect(expression.term.yield.split(separator: " ").map(String.init) == expression.words)
            #expect(expression.meaning.count == 1 && Int(expression.meaning[0]) != nil)
        }
    }

    @Test func learnedSourcesRun() throws {
        let settings = RepresentationStudySettings(
            sources: [.languageModel, .sentenceVAE], expressions: 12, trainingSamples: 60, dimension: 4, epochs: 1,
            seed: 1)
        let rows = try RepresentationCompositionalityStudy.run(try Self.arithmetic(), settings: settings)
        #expect(rows.count == 2)
        for row in rows { #expect(row.treOperations.isFinite && row.treOperations >= 0) }
    }

    @Test func tooFewExpressionsIsAnInputError() throws {
        let settings = RepresentationStudySettings(expressions: 2)
        #expect(throws: InputError.self) {
            try RepresentationCompositionalityStudy.run(try Self.arithmetic(), settings: settings)
        }
    }
}
