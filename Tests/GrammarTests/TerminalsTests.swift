import Testing

@testable import Grammar

/// `InterpretedGrammar.terminals`: the tokens lexical entries and rules write, checked by hand.
@Suite("Grammar terminals")
struct TerminalsTests {
    @Test func listsLexicalAndSyncategorematicTokens() throws {
        let arithmetic = try loadGrammar("weighted-arithmetic.mont")
        #expect(arithmetic.terminals == ["(", ")", "*", "+", "0", "1", "2", "3"])
        let plus = try #require(arithmetic.operations.first { $0.name == "Plus" })
        #expect(plus.terminals == ["(", "+", ")"])
        let passive = try loadGrammar("voice-passive.mont")
        #expect(passive.terminals.contains("is") && passive.terminals.contains("by"))
        #expect(!passive.terminals.contains("chases"))
    }

    @Test func everySampledWordIsATerminal() throws {
        let grammar = try ProbabilisticGrammar.load(path: grammarsDirectory + "/weighted-english.mont")
        let terminals = Set(grammar.grammar.terminals)
        for sample in try grammar.samples(count: 200, seed: 4) {
            #expect(Set(sample.tokens).isSubset(of: terminals), "\(sample.sentence)")
        }
        // Multi-word lexical entries contribute each of their tokens.
        let multi = try compile(
            """
            grammar Multi ;
            start S ;
            cat S : int ;
            lexicon { "New York" : S = 1 ; }
            """)
        #expect(multi.terminals == ["New", "York"])
    }
}
