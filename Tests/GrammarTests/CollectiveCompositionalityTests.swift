import Testing

@testable import Grammar

/// N7 C_coll, the collective notion of docs/compositionality.md: in every context c, μ(t, c) is a function of t's whole
/// structure, c and the meanings of t's atoms in c. Without contexts it coincides with N6; with contexts it is the
/// weakest of N1, N6 (on occasion meanings) and N11b.
@Suite("N7 C_coll (collective compositionality)")
struct CollectiveCompositionalityTests {
    @Test func namesAndAliasesParse() {
        #expect(Notion(checkName: "coll") == .coll)
        #expect(Notion(checkName: "C_coll") == .coll)
        #expect(Notion(checkName: "N7") == .coll)
        #expect(Notion.coll.label == "N7 C_coll (collective)")
    }

    @Test func kaplanMonsterFailsInOneContextWhileGlobalHoldsOnCharacters() throws {
        let grammar = try loadGrammar("indexicals.mont")
        let n7 = check(grammar, .coll)
        #expect(n7.holds == false)
        let w = try #require(n7.witness)
        #expect(w.context == "c1")
        #expect(w.frame == "Always(Pred(_, _))")
        #expect(w.term1?.yield == "always I is hungry")
        #expect(w.term2?.yield == "always John is hungry")
        #expect(w.meaning1 == "false")
        #expect(w.meaning2 == "true")
        // N6 on the declared (standing) meanings holds: "I" and "John" have different characters, so with contexts
        // N6 does not imply N7.
        #expect(check(grammar, .global).holds == true)
        #expect(check(grammar, .occWeak).holds == false)
    }

    @Test func contextDependentOperationKeepsItWhenWeakOccasionCompositionalityHolds() throws {
        // T9 variant: the rule reads ctx.dom; C_occ weak holds, strong fails, and C_coll (weaker than weak) holds.
        let grammar = try loadGrammar("domain-restriction.mont")
        #expect(check(grammar, .occStrong).holds == false)
        #expect(check(grammar, .occWeak).holds == true)
        let n7 = check(grammar, .coll)
        #expect(n7.holds == true)
        #expect(n7.details.isEmpty)
    }

    @Test func withoutContextsItCoincidesWithGlobalCompositionality() throws {
        // T5: local fails, global holds — and so does C_coll.
        let localGlobal = try loadGrammar("local-global.mont")
        let holding = check(localGlobal, .coll)
        #expect(holding.holds == true)
        #expect(holding.details == ["no contexts of use: C_coll coincides with N6 (global compositionality)"])
        // T6b: "pail" ≡ "bucket" breaks N6 and therefore C_coll, with the same witness.
        let synonym = try loadGrammar("idiom-synonym.mont")
        let n6 = check(synonym, .global)
        let n7 = check(synonym, .coll)
        #expect(n7.holds == false)
        #expect(n6.holds == false)
        #expect(n7.witness?.frame == "ComplV(_, DetN(_, _))")
        #expect(
            Set([n7.witness?.term1?.yield, n7.witness?.term2?.yield]) == Set(["kicked the bucket", "kicked the pail"]))
        #expect(n7.witness?.term1 == n6.witness?.term1)
        #expect(n7.witness?.term2 == n6.witness?.term2)
        #expect(n7.witness?.context == nil)
    }

    @Test func contextualFailureNeedsSynonymyInTheSameContext() throws {
        // "I" means john in c1 and mary in c2; "John" and "Mary" are rigid; only Mary sleeps. "sometimes S" is true
        // iff S is true in some context (a monster): in c1, "I sleeps" ≡ "John sleeps" (both false) and their atoms
        // are synonymous there, but "sometimes I sleeps" is true and "sometimes John sleeps" false.
        let source = """
            grammar Coll ;
            start S ;
            model { entities = { john, mary } ; sleeps : e -> t = { mary } ; }
            contexts { param speaker : e ; c1 = { speaker = john } ; c2 = { speaker = mary } ; }
            cat S : t ; cat NP : e ;
            lexicon { "I" : NP = ctx.speaker ; "John" : NP = john ; "Mary" : NP = mary ; }
            rules {
              Sleeps : S -> NP "sleeps" => sleeps(NP) ;
              Sometimes : S -> "sometimes" S => exists c in contexts. S at c ;
            }
            meaning = extension ;
            enumerate { max_depth = 3 ; }
            """
        let grammar = try compile(source)
        let n7 = check(grammar, .coll)
        #expect(n7.holds == false)
        let w = try #require(n7.witness)
        #expect(w.context == "c1")
        #expect(Set([w.term1?.yield, w.term2?.yield]) == Set(["sometimes I sleeps", "sometimes John sleeps"]))
        #expect(check(grammar, .occWeak).holds == false)
    }
}

/// Occasion-meaning keys keep the context apart from the operation: with 300 contexts no two (operation, context)
/// pairs share a key.
@Suite("Contextual compositionality with many contexts")
struct ManyContextsTests {
    @Test func weakOccasionCompositionalityHoldsWith300Contexts() throws {
        let contexts = (0..<300).map { "c\($0) = { k = \($0 % 2 == 0 ? "true" : "false") } ;" }.joined(separator: " ")
        let source = """
            grammar Many ; start S ;
            contexts { param k : t ; \(contexts) }
            cat S : t ;
            lexicon { "a" : S = true ; "b" : S = ctx.k ; }
            rules {
              F : S -> "f" S => S ;
              G : S -> "g" S => !S ;
            }
            enumerate { max_depth = 2 ; }
            """
        let grammar = try compile(source)
        #expect(grammar.model.contextCount == 300)
        #expect(check(grammar, .occWeak).holds == true)
        #expect(check(grammar, .occStrong).holds == true)
    }
}
