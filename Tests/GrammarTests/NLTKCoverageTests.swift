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
            + "NP[AGR=[NUM=sg], SEM=<mary>] -> 'Mary'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "store.fcfg")
            Issue.record("STORE and feature-structure values must be rejected")
        } catch {
            let located = error.errors.map { ($0.location.line, $0.location.column) }
            #expect(located.contains { $0 == (3, 16) })
            #expect(located.contains { $0 == (4, 4) })
        }
    }
}
