import Testing

@testable import Grammar

/// N10's verdict must not depend on the depth bound: frames of the fragment are applied to synonymous sentences
/// whatever the sentences' depth.
@Suite("Fregean extension: verdict independent of the depth bound")
struct FregeanBoundTests {
    @Test(arguments: 2...5)
    func arithmeticHoldsAtEveryDepth(depth: Int) throws {
        let grammar = try loadGrammar("arithmetic.mont")
        var bounds = grammar.bounds
        bounds.maxDepth = depth
        bounds.maxTerms = 20_000
        var options = CheckOptions(notions: [.funct, .husserl, .fregean], bounds: bounds)
        options.reportsAmbiguities = false
        let report = CompositionalityChecker.check(grammar, options: options)
        #expect(report.result(.funct)?.holds == true)
        #expect(report.result(.husserl)?.holds == true)
        #expect(report.result(.fregean)?.holds == true, "depth \(depth)")
    }

    @Test func derivativeFailsWithASeparatingFrame() throws {
        let grammar = try loadGrammar("derivative.mont")
        let result = check(grammar, .fregean, maxDepth: 2)
        #expect(result.holds == false)
        let w = try #require(result.witness)
        #expect(w.frame == "Mul(_, \"x\")")
        #expect(w.term1?.yield == "0")
        #expect(w.term2?.yield == "1")
    }

    /// Random small grammars: whenever N1 and N5 hold at depths d and d + 1, N10 gives the same verdict at both.
    @Test(arguments: 1...24)
    func verdictStableAcrossDepths(seed: Int) throws {
        let source = ImplicationPropertyTests.randomGrammar(seed: UInt64(seed))
        let grammar = try GrammarLoader.compile(source: source, file: "random\(seed).mont")
        var verdicts: [Int: (funct: Bool?, husserl: Bool?, fregean: Bool?)] = [:]
        for depth in 2...4 {
            var bounds = grammar.bounds
            bounds.maxDepth = depth
            bounds.maxTerms = 5_000
            var options = CheckOptions(notions: [.funct, .husserl, .fregean], bounds: bounds)
            options.reportsAmbiguities = false
            let report = CompositionalityChecker.check(grammar, options: options)
            if report.isTruncated { continue }
            verdicts[depth] = (
                report.result(.funct)?.holds, report.result(.husserl)?.holds, report.result(.fregean)?.holds
            )
        }
        for d in 2...3 {
            guard let a = verdicts[d], let b = verdicts[d + 1] else { continue }
            if a.funct == true, a.husserl == true, b.funct == true, b.husserl == true {
                #expect(a.fregean == b.fregean, "seed \(seed), depths \(d) and \(d + 1)")
                #expect(a.fregean == true, "seed \(seed): N1 and N5 hold, so N10 holds")
            }
        }
    }
}
