import Testing

@testable import Grammar

@Suite("T8 Zadrozny construction")
struct ZadroznyTests {
    @Test func palindromeFragmentGivesFourteenDistinctObjectsAndBothEquations() throws {
        let grammar = try loadGrammar("palindromes.mont")
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let construction = ZadroznyConstruction.build(fragment: fragment)
        let report = construction.report
        #expect(report.stringCount == 14)
        #expect(report.distinctObjects == 14)
        #expect(report.injective)
        // Pairs (s, t) with |s| + |t| ≤ 3: 2·2 + 2·4 + 4·2 = 20.
        #expect(report.concatenationPairs == 20)
        #expect(report.equation1Holds == 20)
        #expect(report.equation2Holds == 14)
        #expect(!report.originalIsCompositional)
        #expect(report.originalWitness == ["(a, a) ↦ true", "(a, b) ↦ false"])
        // μ(a)(μ(b)) is the object of "a b"; μ(s)(s) reads m(s) out.
        let a = try #require(construction.strings.firstIndex(of: ["a"]))
        let b = try #require(construction.strings.firstIndex(of: ["b"]))
        let ab = try #require(construction.strings.firstIndex(of: ["a", "b"]))
        #expect(construction.application[a][b] == ab)
        #expect(construction.readOut(ab) == "false")
        #expect(construction.application[ab][ab] == nil)  // length 4 is outside S_3
    }

    @Test func idiomUnderZadroznyIsTriviallyCompositional() throws {
        let grammar = try loadGrammar("idiom-synonym.mont")
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let report = ZadroznyConstruction.build(fragment: fragment).report
        #expect(report.injective)
        #expect(report.equation1Holds == report.concatenationPairs)
        #expect(report.equation2Holds == report.stringCount)
    }
}
