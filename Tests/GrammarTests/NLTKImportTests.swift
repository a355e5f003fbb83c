import Testing

@testable import Grammar

/// T15: NLTK round trip. simple-sem.fcfg (NLTK book ch. 10) with the book's valuation and with valuation1.val; the
/// expected values were computed with NLTK 3.10 `nltk.sem.util.evaluate_sents` (True / False / 'Undefined').
@Suite("T15 NLTK import")
struct NLTKImportTests {
    /// The valuation of NLTK book chapter 10, section 3.
    static let bookValuation = """
        bertie => b
        olive => o
        cyril => c
        boy => {b}
        girl => {o}
        dog => {c}
        walk => {o, c}
        see => {(b, o), (c, b), (o, c)}
        """

    static let expectedBook: [(String, String)] = [
        ("Cyril sees every boy", "true"), ("Cyril walks", "true"), ("Irene walks", "undefined"),
        ("Cyril bites an ankle", "undefined"), ("a dog walks", "true"), ("every dog walks", "true"),
        ("every girl sees Cyril", "true"), ("Cyril sees a girl", "false"), ("a girl sees Cyril", "true"),
        ("every boy sees a girl", "true"), ("some dog barks", "undefined"), ("all dogs bark", "undefined"),
        ("every boy walks", "false"), ("a boy sees every girl", "true"), ("Angus gives a bone to Irene", "undefined"),
        ("every dog chases a girl", "undefined"),
    ]

    static let expectedValuation1: [(String, String)] = [
        ("Cyril sees every boy", "undefined"), ("Cyril walks", "undefined"), ("Irene walks", "undefined"),
        ("Cyril bites an ankle", "undefined"), ("a dog walks", "true"), ("every dog walks", "false"),
        ("every girl sees Cyril", "undefined"), ("Cyril sees a girl", "undefined"), ("a girl sees Cyril", "undefined"),
        ("every boy sees a girl", "false"), ("some dog barks", "true"), ("all dogs bark", "true"),
        ("every boy walks", "false"), ("a boy sees every girl", "false"), ("Angus gives a bone to Irene", "undefined"),
        ("every dog chases a girl", "false"),
    ]

    func grammar(valuation: String) throws -> InterpretedGrammar {
        let path = nltkFixturesDirectory + "/simple-sem.fcfg"
        return try NLTKImporter.importGrammar(source: try readTextFile(path), file: path, valuation: valuation)
    }

    func values(_ grammar: InterpretedGrammar, _ sentence: String) throws -> [String] {
        try SentenceInterpreter.interpret(grammar, sentence: sentence).map {
            $0.meaning.hasPrefix("⊥") ? "undefined" : $0.meaning
        }
    }

    @Test func truthValuesEqualNLTKsWithTheBookValuation() throws {
        let g = try grammar(valuation: Self.bookValuation)
        for (sentence, expected) in Self.expectedBook {
            #expect(try values(g, sentence) == [expected], "\(sentence)")
        }
    }

    @Test func truthValuesEqualNLTKsWithValuation1() throws {
        let g = try grammar(valuation: try readTextFile(nltkFixturesDirectory + "/valuation1.val"))
        for (sentence, expected) in Self.expectedValuation1 {
            #expect(try values(g, sentence) == [expected], "\(sentence)")
        }
    }

    @Test func importedRulesAreCompositional() throws {
        let g = try grammar(valuation: Self.bookValuation)
        var options = CheckOptions(notions: [.funct, .lint], bounds: EnumerationBounds(maxDepth: 4, maxLength: 4))
        options.reportsAmbiguities = false
        let report = CompositionalityChecker.check(g, options: options)
        #expect(report.result(.funct)?.holds == true)
        #expect(report.result(.lint)?.holds == true)
        #expect(report.termCount > 500)
    }

    @Test func minimalGrammarsSem0AndSem1() throws {
        let sem0Path = nltkFixturesDirectory + "/sem0.fcfg"
        let sem0 = try NLTKImporter.importGrammar(
            source: try readTextFile(sem0Path), file: sem0Path, valuation: "cyril => c\nbark => {c}")
        #expect(try values(sem0, "Cyril barks") == ["true"])
        let sem1Path = nltkFixturesDirectory + "/sem1.fcfg"
        let sem1 = try NLTKImporter.importGrammar(
            source: try readTextFile(sem1Path), file: sem1Path, valuation: "dog => {d1, d2}\nbark => {d1}")
        #expect(try values(sem1, "a dog barks") == ["true"])
        #expect(try values(sem1, "every dog barks") == ["false"])
    }

    @Test func stringSemanticsOfSql0() throws {
        let path = nltkFixturesDirectory + "/sql0.fcfg"
        let g = try NLTKImporter.importGrammar(source: try readTextFile(path), file: path)
        let readings = try SentenceInterpreter.interpret(g, sentence: "What cities are located in China")
        #expect(readings.map(\.meaning) == ["[SELECT City FROM city_table WHERE Country=\"china\"]"])
    }

    @Test func unsupportedFeaturesAreReportedWithLocations() {
        let source = "% start S\nS[SEM=<?np>] -> NP/NP[SEM=?np]\nNP[STORE=(?b)] -> 'x'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "gaps.fcfg")
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.map(\.location.line) == [2, 3])
            #expect(error.errors[0].message == "slash categories (gaps) are not supported")
            #expect(error.errors[1].message.hasPrefix("Cooper storage"))
        }
    }

    @Test func logicSyntaxErrorHasAColumn() {
        let source = "% start S\nS[SEM=<\\x.walk(x>] -> 'walks'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "bad.fcfg")
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.first?.location.line == 2)
            #expect(error.errors.first?.location.column == 17)
        }
    }
}
