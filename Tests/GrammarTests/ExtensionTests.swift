import Testing

@testable import Grammar

@Suite("T14 Westerståhl extension")
struct ExtensionTests {
    @Test func closureAndFreeCompletionGiveATotalCompositionalExtension() throws {
        let grammar = try loadGrammar("partial-arithmetic.mont")
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        // Depth ≤ 3 over 2 atoms and 2 operations: 2 + 8 + 2·(10² − 2²) = 202 terms. Plus-only terms: depth-3 Plus
        // terms take arguments among the 6 Plus-only terms of depth ≤ 2 (6² − 2² = 32), so 2 + 4 + 32 = 38.
        #expect(fragment.termCount == 202)
        let result = WesterstahlExtension.run(fragment: fragment)
        #expect(result.conflict == nil)
        #expect(result.domainSize == 38)
        #expect(result.forced == 0)
        #expect(result.fresh + result.shared == 164)
        // Times(1 + 1, 2) must mean what Times(2, 2) means: 52 completions are shared.
        #expect(result.shared == 52)
        #expect(result.total)
        #expect(result.agreesWithOriginal)
        #expect(result.compositional)
        // μ itself is compositional on its domain and satisfies the domain principle.
        #expect(check(grammar, .funct).holds == true)
        #expect(check(grammar, .domain).holds == true)
    }

    @Test func forcedClosureReusesMeaningsOfSynonymousArguments() throws {
        // μ is defined on F(a, x) only (F(b, x) fails its requirement), and "b" ≡ "a": F(b, x) is forced to mean
        // what F(a, x) means.
        let grammar = try compile(
            """
            grammar Forced ;
            cat X : int ;
            cat Y : int ;
            lexicon { "a" : X = 1 ; "b" : X = 1 ; }
            rules { F : Y -> X X requires head(form(X1)) == "a" => 7 ; }
            enumerate { max_depth = 2 ; }
            """)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let result = WesterstahlExtension.run(fragment: fragment)
        #expect(result.domainSize == 4)
        #expect(result.forced == 2)
        #expect(result.fresh == 0)
        #expect(result.total && result.compositional && result.agreesWithOriginal)
    }

    @Test func nonCompositionalDomainIsRejected() throws {
        let grammar = try compile(
            """
            grammar Conflict ;
            cat X : int ;
            cat Y : int ;
            lexicon { "a" : X = 1 ; "b" : X = 1 ; }
            rules { F : Y -> X X => 7 ; }
            overrides { @F(b, _) = 0 ; }
            enumerate { max_depth = 2 ; }
            """)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let result = WesterstahlExtension.run(fragment: fragment)
        #expect(result.conflict != nil)
        #expect(!result.compositional)
    }
}
