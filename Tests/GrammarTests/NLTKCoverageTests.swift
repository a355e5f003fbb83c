import Testing

@testable import Grammar

/// NLTK constructs beyond the book grammars: plain CFGs, duplicate productions, logic keywords, and precise errors
/// for what cannot be imported.
@Suite("NLTK import coverage")
struct NLTKCoverageTests {
    @Test func aPlainCFGLoadsWithBracketedTreesAsMeanings() throws {
        let grammar = try GrammarLoader.load(path: nltkFixturesDirectory + "/toy.cfg")
        let readings = try SentenceInterpreter.interpret(grammar, sentence: "the dog chased a cat on the cat")
        #expect(readings.count == 2)
        #expect(
            Set(readings.map(\.meaning)).contains(
                "[( S ( NP the dog ) ( VP chased ( NP ( NP a cat ) ( PP on ( NP the cat ) ) ) ) )]"))
    }

    @Test func identicalDuplicateProductionsAddNoParse() throws {
        let source = """
            % start S
            S[SEM=<?vp(?np)>] -> NP[SEM=?np] VP[SEM=?vp]
            S[SEM=<?vp(?np)>] -> NP[SEM=?np]  VP[SEM=?vp]
            NP[SEM=<john>] -> 'John'
            NP[SEM=<john>] -> 'John'
            VP[SEM=<\\x.walk(x)>] -> 'walks'
            """
        let grammar = try NLTKImporter.importGrammar(source: source, file: "dup.fcfg")
        #expect(try SentenceInterpreter.interpret(grammar, sentence: "John walks").count == 1)
    }

    @Test func logicKeywordsAndDoubleNegationAreRead() throws {
        let formulas = [
            ("all x.(P(x) implies Q(x))", "all x.(P(x) -> Q(x))"),
            ("exist x.(P(x) and Q(x))", "exists x.(P(x) & Q(x))"),
            ("(P(a) or Q(a)) iff R(a)", "(P(a) | Q(a)) <-> R(a)"),
            ("--P(a)", "-(-P(a))"),
            ("not P(a)", "-P(a)"),
        ]
        for (keywords, symbols) in formulas {
            let a = try NLTKLogicParser.parse(keywords, file: "f", line: 1, column: 1, sourceLine: keywords)
            let b = try NLTKLogicParser.parse(symbols, file: "f", line: 1, column: 1, sourceLine: symbols)
            #expect(LogicalForm.render(a) == LogicalForm.render(b), "\(keywords)")
        }
    }

    @Test func unsupportedConstructsAreReportedAtTheirOwnColumn() throws {
        let source =
            "% start S\nS[SEM=<?np>] -> NP[SEM=?np]\nNP[SEM=<john>, STORE=(<john>)] -> 'John'\n"
            + "NP[AGR=(1)[NUM=sg], SEM=<mary>] -> 'Mary'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "store.fcfg")
            Issue.record("STORE and numbered reentrancy must be rejected")
        } catch {
            let located = error.errors.map { ($0.location.line, $0.location.column) }
            #expect(located.contains { $0 == (3, 16) })
            #expect(located.contains { $0 == (4, 4) })
        }
    }

    /// A relative pronoun's NP `\P.\x.P(x)` beside ordinary NPs `\P.P(john)`: NLTK loads the grammar (it types
    /// nothing); the importer gives NP one variant per semantic type and keeps the well-typed derivations.
    static let relativePronounGrammar = """
        % start S
        S[SEM=<?subj(?vp)>] -> NP[SEM=?subj] VP[SEM=?vp]
        VP[SEM=?v] -> IV[SEM=?v]
        VP[SEM=<?v(?obj)>] -> TV[SEM=?v] NP[SEM=?obj]
        NP[SEM=<?det(?nom)>] -> Det[SEM=?det] Nom[SEM=?nom]
        Nom[SEM=?n] -> N[SEM=?n]
        Nom[SEM=<\\x.(?n(x) & ?rc(x))>] -> N[SEM=?n] RC[SEM=?rc]
        RC[SEM=<?rel(?vp)>] -> NP[SEM=?rel] VP[SEM=?vp]
        NP[SEM=<\\P.\\x.P(x)>] -> 'who'
        NP[SEM=<\\P.P(john)>] -> 'John'
        NP[SEM=<\\P.P(fido)>] -> 'Fido'
        Det[SEM=<\\P Q.exists x.(P(x) & Q(x))>] -> 'a'
        N[SEM=<\\x.dog(x)>] -> 'dog'
        IV[SEM=<\\x.bark(x)>] -> 'barks'
        TV[SEM=<\\X x.X(\\y.see(x,y))>] -> 'sees'
        """

    static let relativePronounValuation = """
        john => j
        fido => f
        dog => {f}
        bark => {f}
        see => {(j, f)}
        """

    @Test func aCategoryWithProductionsOfDifferentSemanticTypesLoads() throws {
        let grammar = try NLTKImporter.importGrammar(
            source: Self.relativePronounGrammar, file: "relative.fcfg", valuation: Self.relativePronounValuation)
        // NLTK: exists x.(dog(x) & bark(x) & bark(x)) — true (Fido is a dog that barks).
        let relative = try SentenceInterpreter.interpret(grammar, sentence: "a dog who barks barks")
        #expect(relative.count == 1)
        #expect(relative.first?.meaning == "true")
        let object = try SentenceInterpreter.interpret(grammar, sentence: "John sees a dog who barks")
        #expect(object.count == 1)
        #expect(object.first?.meaning == "true")
        let plain = try SentenceInterpreter.interpret(grammar, sentence: "John barks")
        #expect(plain.count == 1)
        #expect(plain.first?.meaning == "false")
        // "who barks" is not a sentence: its meaning would be a property, not a truth value.
        #expect(try SentenceInterpreter.interpret(grammar, sentence: "who barks").isEmpty)
        // The ordinary NP keeps the category's name; the relative pronoun's variant is numbered.
        #expect(grammar.categories.contains { $0.name == "NP" })
        #expect(grammar.categories.contains { $0.name == "NP#2" })
        // A rule instantiated for one combination of variants keeps its name.
        #expect(grammar.operations.filter { $0.name.hasPrefix("RC_1") }.map(\.name) == ["RC_1"])
        // And the checks run on it.
        let report = CompositionalityChecker.check(
            grammar, options: CheckOptions(notions: [.funct], bounds: EnumerationBounds(maxDepth: 5, maxTerms: 20_000)))
        #expect(report.results.first?.holds == true)
    }

    @Test func aProductionNoRuleCanUseIsReportedAtItsOwnLine() throws {
        // Line 4 gives NP a truth value, which no production using NP accepts (S applies NP to a VP meaning).
        let source = """
            % start S
            S[SEM=<?np(?vp)>] -> NP[SEM=?np] VP[SEM=?vp]
            NP[SEM=<\\P.P(john)>] -> 'John'
            NP[SEM=<-dance(john)>] -> 'odd'
            NP[SEM=<\\P.P(mary)>] -> 'Mary'
            VP[SEM=<\\x.walk(x)>] -> 'walks'
            """
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "odd.fcfg")
            Issue.record("the production of 'odd' fits no rule and must be reported")
        } catch {
            #expect(error.errors.map(\.location.line) == [4])
        }
    }

    @Test func bindingOperatorsAreReportedAtTheirFeature() throws {
        let source = """
            % start S
            S[SEM=[BO={?b1+?b2}, CORE=<?vp(?subj)>]] -> NP[SEM=[BO=?b1, CORE=?subj]] VP[SEM=[BO=?b2, CORE=?vp]]
            VP[SEM=?s] -> IV[SEM=?s]
            NP[SEM=[BO={bo(\\P.P(John),@x)}, CORE=<@x>]] -> 'john'
            IV[SEM=[BO={/}, CORE=<\\x.bark(x)>]] -> 'barks'
            """
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "bindop.fcfg")
            Issue.record("binding operators must be rejected")
        } catch {
            let located = error.errors.map { ($0.location.line, $0.location.column) }
            // SEM=[BO=…: the column of BO, on every line that has it.
            #expect(located.contains { $0 == (2, 8) })
            #expect(located.contains { $0 == (4, 9) })
            #expect(error.errors.allSatisfy { $0.message.contains("binding operators") })
        }
    }
}
