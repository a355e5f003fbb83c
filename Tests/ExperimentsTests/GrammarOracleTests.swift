import Foundation
import Grammar
import MontagueSupport
import Testing

@testable import Experiments

/// The repository's `grammars/` folder, located from this file.
let shippedGrammarsDirectory: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("grammars").path
}()

/// The grammar oracle on hand-made generator outputs, with the expected values worked out by hand.
@Suite("Grammar oracle")
struct GrammarOracleTests {
    static func arithmetic() throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
    }

    @Test func assessesValidityProbabilityNoveltyAndMeaning() throws {
        let oracle = GrammarOracle(grammar: try Self.arithmetic(), trainingSample: ["3", "( 0 + 0 )"])
        let sum = oracle.assess("( 1  + 2 )")
        #expect(sum.sentence == "( 1 + 2 )")
        #expect(sum.isValid)
        #expect(sum.isNovel)
        #expect(sum.meanings == ["3"])
        // P = p(Plus) p("1") p("2") = 0.2 × 0.1 × 0.1 (the grammar is subcritical, Z = 1).
        #expect(abs((sum.logProbability ?? 0) - log(0.002)) < 1e-9)
        let three = oracle.assess("3")
        #expect(three.isValid && !three.isNovel && abs((three.logProbability ?? 0) - log(0.1)) < 1e-9)
        for invalid in ["( 1 + 2", "7", "", "( 1 2 + )"] {
            let a = oracle.assess(invalid)
            #expect(!a.isValid && a.logProbability == nil && a.meanings.isEmpty, "\(invalid)")
        }
    }

    @Test func reportsValidityNLLNoveltyAndCoverage() throws {
        let oracle = GrammarOracle(grammar: try Self.arithmetic(), trainingSample: ["3"])
        let report = oracle.report(["( 1 + 2 )", "( 1 + 2 )", "( 1 +", "7", "3"])
        #expect(report.count == 5)
        #expect(abs(report.validity - 0.6) < 1e-12)
        #expect(abs((report.oracleNLL ?? 0) - -(2 * log(0.002) + log(0.1)) / 3) < 1e-9)
        #expect(abs((report.oracleNLLPerToken ?? 0) - -(2 * log(0.002) + log(0.1)) / 11) < 1e-9)
        #expect(abs((report.novelty ?? 0) - 2.0 / 3.0) < 1e-12)
        #expect(report.distinctValid == 2)
        #expect(abs(report.coverage - 0.102) < 1e-9)
        let empty = oracle.report([])
        #expect(empty.validity == 0 && empty.oracleNLL == nil && empty.novelty == nil && empty.coverage == 0)
    }

    @Test func samplesOfTheGrammarAreAllValidAndTheirNLLEstimatesTheEntropy() throws {
        let grammar = try Self.arithmetic()
        let samples = try grammar.samples(count: 300, seed: 5).map(\.sentence)
        let report = GrammarOracle(grammar: grammar, trainingSample: Array(samples.prefix(150))).report(samples)
        #expect(report.validity == 1)
        #expect((report.oracleNLL ?? 0) > 0)
        #expect(report.coverage > 0.5 && report.coverage <= 1 + 1e-12)
        #expect((report.novelty ?? 1) < 1)
    }

    @Test func meaningAccuracyIsDecidedByTheSemantics() throws {
        let scan = try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/scan.mont")
        let oracle = GrammarOracle(grammar: scan)
        let accuracy = oracle.meaningAccuracy([
            ("walk twice", "I_WALK I_WALK"),
            ("jump left", "I_TURN_LEFT I_JUMP"),
            ("jump left", "I_JUMP I_TURN_LEFT"),
            ("walk walk", "I_WALK I_WALK"),
        ])
        #expect(abs(accuracy - 0.5) < 1e-12)
        // "walk twice and walk" and "walk and walk twice" mean the same; both readings are found.
        #expect(oracle.assess("walk and walk twice").meanings == ["I_WALK I_WALK I_WALK"])
    }
}
