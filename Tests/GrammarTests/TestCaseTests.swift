import Testing

@testable import Grammar

/// The test cases T2–T12 (docs/compositionality.md; their grammars and verdicts are in grammars/README.md), each with
/// its exact verdicts and the minimal witness the checker reports (and, where another natural witness exists, a
/// check that it is a counterexample too).
@Suite("Compositionality test cases T2–T12")
struct TestCaseTests {
    @Test func t2DerivativeFailsAtMulAndFregeanSeparatesXFromXPlusOne() throws {
        let grammar = try loadGrammar("derivative.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        let w = try #require(n1.witness)
        #expect(w.operation == "Mul")
        #expect(yields(w.arguments1) == ["x", "0"])
        #expect(yields(w.arguments2) == ["x", "1"])
        #expect(w.differingPositions == [2])
        #expect(n1.details.contains { $0.hasPrefix("Mul:") })
        #expect(!n1.details.contains { $0.hasPrefix("Add:") })
        // The note's witness: x and (x + 1) have the same derivative, x * x and (x + 1) * x do not.
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "( x * x )") != meaning(fragment, "( ( x + 1 ) * x )"))
        #expect(meaning(fragment, "x") == meaning(fragment, "( x + 1 )"))
        // The fregean refinement separates x from x + 1.
        let fregean = FregeanExtension.run(fragment: fragment)
        #expect(fregean.result.holds == false)
        #expect(fregean.classByYield["x"] != fregean.classByYield["( x + 1 )"])
        // Repair: the pair (f, f') as meaning is compositional.
        let repaired = try GrammarLoader.compile(
            source: try readTextFile(grammarsDirectory + "/derivative.mont").replacingOccurrences(
                of: "project E = \\v. v.2 ;", with: ""), file: "derivative-tupled.mont")
        #expect(check(repaired, .funct).holds == true)
    }

    @Test func t3FlattenedPrintingFailsAtMulButHoldsInLinguisticContexts() throws {
        let grammar = try loadGrammar("flattened.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        let w = try #require(n1.witness)
        #expect(w.operation == "Mul")
        #expect(yields(w.arguments1) == ["2", "2"])
        #expect(yields(w.arguments2) == ["1 + 1", "2"])
        #expect(w.meaning1 == "4")
        #expect(w.meaning2 == "3")
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "1 + 2 * 3", operation: "Mul") == "7")
        #expect(meaning(fragment, "3 * 3") == "9")
        #expect(meaning(fragment, "1 + 2", operation: "Add") == meaning(fragment, "3"))
        #expect(check(grammar, .lcontext).holds == true)
    }

    @Test func t4CRefFailsIntensionsHold() throws {
        let grammar = try loadGrammar("intensions.mont")
        #expect(check(grammar, .funct).holds == true)
        let ref = check(grammar, .ref)
        #expect(ref.holds == false)
        let w = try #require(ref.witness)
        #expect(w.operation == "Nec")
        #expect(yields(w.arguments1) == ["nine exceeds seven"])
        #expect(yields(w.arguments2) == ["the number of planets exceeds seven"])
        #expect(w.meaning1 == "true")
        #expect(w.meaning2 == "false")
    }

    @Test func t4HyperintensionalTwinFailsForIntensionsHoldsForStructuredMeanings() throws {
        let grammar = try loadGrammar("hyperintensional.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        #expect(n1.witness?.operation == "Believes")
        #expect(yields(n1.witness?.arguments1) == ["1 = 1"])
        #expect(yields(n1.witness?.arguments2) == ["5 = 5"])
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "1 = 1") == meaning(fragment, "7 + 5 = 12"))
        #expect(meaning(fragment, "John believes that 1 = 1") != meaning(fragment, "John believes that 7 + 5 = 12"))
        #expect(check(grammar, .funct, level: .structured).holds == true)
        #expect(check(grammar, .lint).holds == false)
    }

    @Test func t5LocalFailsGlobalHolds() throws {
        let grammar = try loadGrammar("local-global.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        let w = try #require(n1.witness)
        #expect(w.operation == "Box")
        // The smallest pair by (depth, size): Box("( p and p )") and Box("box q") have sizes 4 and 3.
        #expect(yields(w.arguments1) == ["( p and p )"])
        #expect(yields(w.arguments2) == ["box q"])
        #expect(w.meaning1 == "false")
        #expect(w.meaning2 == "true")
        #expect(check(grammar, .global).holds == true)
        // The note's witness: p ∧ q and q ∧ q are both true at w0, □ separates them.
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "( p and q )") == meaning(fragment, "( q and q )"))
        #expect(meaning(fragment, "box ( p and q )") != meaning(fragment, "box ( q and q )"))
    }

    @Test func t6IdiomOverrideIsCompositionalButNotSystematic() throws {
        let grammar = try loadGrammar("idiom.mont")
        #expect(check(grammar, .funct).holds == true)
        let n14 = check(grammar, .systematic)
        #expect(n14.holds == false)
        #expect(n14.witness?.operation == "ComplV")
        #expect(n14.witness?.term1?.yield == "kicked the bucket")
        #expect(n14.details == ["ComplV: induced G differs from the declared rule at 1 point(s)"])
    }

    @Test func t6IdiomWithSynonymFailsFunctionality() throws {
        let grammar = try loadGrammar("idiom-synonym.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        let w = try #require(n1.witness)
        #expect(w.operation == "ComplV")
        #expect(yields(w.arguments1) == ["kicked", "the bucket"])
        #expect(yields(w.arguments2) == ["kicked", "the pail"])
        #expect(w.differingPositions == [2])
    }

    @Test func t6LexicalizedIdiomIsCompositionalAndAmbiguous() throws {
        let grammar = try loadGrammar("idiom-lexicalized.mont")
        let report = CompositionalityChecker.check(grammar, options: CheckOptions(notions: [.funct, .systematic]))
        #expect(report.result(.funct)?.holds == true)
        #expect(report.result(.systematic)?.holds == true)
        #expect(report.ambiguities.map(\.yield).sorted() == ["John kicked the bucket", "Mary kicked the bucket"])
    }

    @Test func t7PartialityOneSubstitutionHoldsFunctAndHusserlFail() throws {
        let grammar = try loadGrammar("agreement.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        #expect(yields(n1.witness?.arguments1) == ["a1", "b1"])
        #expect(yields(n1.witness?.arguments2) == ["a2", "b2"])
        #expect(n1.witness?.differingPositions == [1, 2])
        #expect(check(grammar, .subst1).holds == true)
        let n5 = check(grammar, .husserl)
        #expect(n5.holds == false)
        #expect(n5.witness?.term1?.yield == "a1")
        #expect(n5.witness?.term2?.yield == "a2")
        #expect(n5.witness?.frame == "F(_, \"a1\")")
        // Plural substitution fails (N3 ⇔ N1 given N2).
        #expect(check(grammar, .subst).holds == false)
        #expect(check(grammar, .domain).holds == true)
    }

    @Test func t8PalindromesAreNotCompositional() throws {
        let grammar = try loadGrammar("palindromes.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        let pair = Set([yields(n1.witness?.arguments1), yields(n1.witness?.arguments2)])
        #expect(pair == Set([["a", "b"], ["a", "a"]]))
        #expect(check(grammar, .lint).holds == false)
    }

    @Test func t9MonsterBreaksWeakOccasionCompositionalityNotStanding() throws {
        let grammar = try loadGrammar("indexicals.mont")
        #expect(check(grammar, .stand).holds == true)
        let weak = check(grammar, .occWeak)
        #expect(weak.holds == false)
        let w = try #require(weak.witness)
        #expect(w.operation == "Always")
        #expect(w.context == "c1")
        #expect(yields(w.arguments1) == ["I is hungry"])
        #expect(yields(w.arguments2) == ["John is hungry"])
        #expect(w.meaning1 == "false")
        #expect(w.meaning2 == "true")
        let standing = check(grammar, .stand)
        let always = try #require(standing.inducedOperations?.first { $0.operation == "Always" })
        #expect(
            always.rows.contains(InducedRow(arguments: ["⟨c1: true; c2: false⟩"], result: "⟨c1: false; c2: false⟩")))
    }

    @Test func t9DomainRestrictionWeakHoldsStrongFails() throws {
        let grammar = try loadGrammar("domain-restriction.mont")
        #expect(check(grammar, .occWeak).holds == true)
        let strong = check(grammar, .occStrong)
        #expect(strong.holds == false)
        #expect(strong.witness?.operation == "Every")
        #expect(strong.witness?.context == "c1 vs c2")
    }

    @Test func t10FregeanClasses() throws {
        let grammar = try loadGrammar("fregean.mont")
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let result = FregeanExtension.run(fragment: fragment)
        #expect(result.result.holds == true)
        #expect(result.atomClasses == [["a", "d"], ["b"], ["c"], ["P"], ["Q"]])
    }

    @Test func t11SCANCountsAndVerdicts() throws {
        let grammar = try loadGrammar("scan.mont")
        let report = CompositionalityChecker.check(
            grammar, options: CheckOptions(notions: [.funct, .reverse, .husserl]))
        #expect(report.termsPerCategory == ["U": 4, "D": 10, "V": 34, "S": 102, "C": 20_910])
        #expect(report.isSaturated)
        #expect(report.result(.funct)?.holds == true)
        #expect(report.result(.reverse)?.holds == false)
        #expect(report.result(.reverse)?.witness?.operation == "And")
        let husserl = try #require(report.result(.husserl))
        #expect(husserl.holds == false)
        #expect(husserl.witness?.term1?.yield == "walk")
        #expect(husserl.witness?.term2?.description == "VU(\"walk\")")
        #expect(husserl.witness?.frame == "ULeft(_)")
        // The note's examples.
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "walk twice and walk") == meaning(fragment, "walk and walk twice"))
        #expect(
            meaning(fragment, "turn opposite left", category: "V")
                == meaning(fragment, "turn left twice", category: "S"))
        let thrice = try #require(grammar.operation(named: "Thrice"))
        #expect(grammar.operations[thrice].daughterCategories == [try #require(grammar.category(named: "V"))])
    }

    @Test func t12PrimeLengthIsNotCompositional() throws {
        let grammar = try loadGrammar("prime-length.mont")
        let n1 = check(grammar, .funct)
        #expect(n1.holds == false)
        #expect(yields(n1.witness?.arguments1) == ["a a", "a"])
        #expect(yields(n1.witness?.arguments2) == ["a a a", "a"])
        // The note's witness: (aa, aa) and (aa, aaa) — both argument pairs mean (true, true).
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        #expect(meaning(fragment, "a a") == meaning(fragment, "a a a"))
        #expect(meaning(fragment, "a a a a") != meaning(fragment, "a a a a a"))
    }

    @Test func englishFragmentIsCompositionalAndSystematic() throws {
        let grammar = try loadGrammar("english.mont")
        let report = CompositionalityChecker.check(grammar)
        #expect(report.result(.funct)?.holds == true)
        #expect(report.result(.systematic)?.holds == true)
        #expect(report.result(.reverse)?.holds == false)
        #expect(report.result(.husserl)?.holds == false)
        #expect(report.result(.husserl)?.witness?.frame == "DetN(_, \"dog\")")
    }
}

/// The meaning (rendered) of the first stored term with this yield (optionally of a category / operation).
func meaning(_ fragment: Fragment, _ yield: String, category: String? = nil, operation: String? = nil) -> String? {
    for id in fragment.storedTerms where fragment.yield(of: id) == yield {
        if let category, fragment.grammar.categories[fragment.category(of: id)].name != category { continue }
        if let operation, fragment.grammar.operations[fragment.operation(of: id)].name != operation { continue }
        return fragment.describe(meaning: fragment.meaning(of: id))
    }
    return nil
}
