import Foundation
import Testing

@testable import Grammar

@Suite("Parse and type errors: file:line:column")
struct DiagnosticsTests {
    func errors(_ source: String) -> [GrammarError] {
        do {
            _ = try GrammarLoader.compile(source: source, file: "bad.mont")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func unterminatedStringIsReportedAtItsStart() {
        let e = errors("grammar G ;\nlexicon {\n  \"John : NP = john ;\n}\n")
        #expect(e.count == 1)
        #expect(e.first?.location == SourceLocation(file: "bad.mont", line: 3, column: 3))
        #expect(e.first?.message == "unterminated string literal")
        #expect(e.first?.description.hasPrefix("bad.mont:3:3: error: unterminated string literal") == true)
    }

    @Test func missingSemicolonPointsAtTheNextToken() {
        let e = errors("grammar G\nstart S ;\n")
        #expect(e.first?.location.line == 2)
        #expect(e.first?.location.column == 1)
        #expect(e.first?.message == "expected ';' but found 'start'")
    }

    @Test func severalSyntaxErrorsAreAllReported() {
        let source = """
            grammar G ;
            cat S : t ;
            lexicon {
              "a" : S = ;
              "b" : S = true ;
              "c" S = true ;
            }
            """
        let e = errors(source)
        #expect(e.map(\.location.line) == [4, 6])
        #expect(e[0].message == "expected an expression but found ';'")
        #expect(e[1].message.hasPrefix("expected ':'"))
    }

    @Test func typeErrorNamesBothTypes() {
        let source = """
            grammar G ;
            model { entities = { john } ; sleep : e -> t = { john } ; }
            cat S : t ;
            cat NP : e ;
            lexicon { "John" : NP = john ; "sleeps" : S = sleep(3) ; }
            """
        let e = errors(source)
        #expect(e.count == 1)
        #expect(e[0].location.line == 5)
        #expect(e[0].location.column == 53)
        #expect(e[0].message == "type mismatch in argument: the function takes e, the argument is int")
    }

    @Test func ruleSemanticsMustHaveTheMothersType() {
        let source = """
            grammar G ;
            cat S : t ;
            cat N : int ;
            lexicon { "1" : N = 1 ; }
            rules { Bad : S -> N N => N1 + N2 ; }
            """
        let e = errors(source)
        #expect(e.count == 1)
        #expect(e[0].location.line == 5)
        #expect(e[0].message == "type mismatch in rule Bad: S has type t, the semantics has type int")
    }

    @Test func unknownNamesAndCategoriesAreErrors() {
        let source = """
            grammar G ;
            cat S : t ;
            lexicon { "x" : S = frobnicate ; "y" : T = true ; }
            """
        let e = errors(source)
        #expect(
            e.map(\.message) == [
                "unknown name 'frobnicate'", "unknown category 'T' (declare it with 'cat T : type ;')",
            ])
        #expect(e.map(\.location.column) == [21, 40])
    }

    @Test func formReadingOutsideRulesIsRejected() {
        let e = errors("grammar G ;\ncat S : [str] ;\nlexicon { \"a\" : S = yield ; }\n")
        #expect(e.first?.message == "'yield' is only available in rule semantics and overrides")
    }

    @Test func unknownCheckIsReported() {
        let e = errors("grammar G ;\ncheck { funct ; frobnicity ; }\ncat S : t ;\nlexicon { \"a\" : S = true ; }\n")
        #expect(e.count == 1)
        #expect(e[0].location == SourceLocation(file: "bad.mont", line: 2, column: 17))
    }

    @Test func diagnosticShowsTheSourceLineWithACaret() {
        let e = errors("grammar G ;\ncat S : t ;\nlexicon { \"a\" : S = 1 ; }\n")
        #expect(
            e.first?.description == """
                bad.mont:3:21: error: type mismatch: S has type t but the meaning of "a" has type int
                lexicon { "a" : S = 1 ; }
                                    ^
                """)
    }

    @Test func evaluationErrorsMakeTermsMeaninglessNotCrashes() throws {
        let grammar = try compile(
            """
            grammar G ;
            start N ;
            cat N : int ;
            lexicon { "0" : N = 0 ; "1" : N = 1 ; }
            rules { Div : N -> N "/" N => N1 / N2 ; }
            enumerate { max_depth = 2 ; }
            """)
        let report = CompositionalityChecker.check(grammar)
        #expect(report.meaninglessTerms == 2)
        #expect(report.evaluationErrors.first?.hasSuffix("division by zero") == true)
        #expect(report.result(.funct)?.holds == true)
    }

    @Test func jsonReportHasTheDocumentedSchema() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        let report = CompositionalityChecker.check(grammar)
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in [
            "grammar", "file", "maxDepth", "maxTerms", "termCount", "termsPerCategory", "truncated", "saturated",
            "distinctMeanings", "meaninglessTerms", "results", "ambiguities", "evaluationErrors", "caveats",
        ] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["notion"] as? String } == ["funct", "husserl", "reverse"])
        #expect(results[0]["holds"] as? Bool == true)
        let reverse = results[2]
        #expect(reverse["holds"] as? Bool == false)
        let witness = try #require(reverse["witness"] as? [String: Any])
        #expect(witness["operation"] as? String == "Plus")
        let arguments = try #require(witness["arguments1"] as? [[String: Any]])
        #expect(arguments.map { $0["yield"] as? String } == ["0", "1"])
        let induced = try #require(results[0]["inducedOperations"] as? [[String: Any]])
        #expect(induced.map { $0["operation"] as? String } == ["Plus", "Times"])
        // Round trip.
        let decoded = try JSONDecoder().decode(CheckReport.self, from: data)
        #expect(decoded.results == report.results)
    }
}

@Suite("Format features: general operations, conditions, overrides")
struct FormatFeatureTests {
    @Test func nonConcatenativeOperationAndWhenCondition() throws {
        let grammar = try compile(
            """
            grammar Ops ;
            start S ;
            param Num = Sg | Pl ;
            cat V [num: Num] : [str] ;
            cat S : [str] ;
            lexicon { "walk" : V[num=Sg] = ["WALK"] ; "walks" : V[num=Pl] = ["WALKS"] ; }
            rules {
              op Wrap (v : V) : S { form = ["<"] ++ reverse(v) ++ [">"] ; sem = v ++ v ; when = v.num == Sg ; }
            }
            enumerate { max_depth = 2 ; }
            """)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let sentences = fragment.storedTerms.filter { fragment.category(of: $0) == grammar.start }
        #expect(sentences.map { fragment.yield(of: $0) } == ["< walk >"])
        #expect(sentences.map { fragment.describe(meaning: fragment.meaning(of: $0)) } == ["[WALK WALK]"])
        let readings = try SentenceInterpreter.interpret(grammar, sentence: "< walk >")
        #expect(readings.map(\.meaning) == ["[WALK WALK]"])
    }

    @Test func stringOverrideAppliesToEveryDerivationOfTheString() throws {
        let grammar = try compile(
            """
            grammar Over ;
            start S ;
            cat S : int ;
            lexicon { "a" : S = 1 ; }
            rules { C : S -> S S => S1 + S2 ; }
            overrides { S "a a a" = 0 ; }
            enumerate { max_depth = 3 ; max_length = 3 ; }
            """)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: grammar.bounds))
        let values = fragment.storedTerms.filter { fragment.yield(of: $0) == "a a a" }
            .map { fragment.describe(meaning: fragment.meaning(of: $0)) }
        #expect(values == ["0", "0"])
        // Both stipulated derivations have argument meanings no other term shares: N1 holds, N14 does not.
        #expect(check(grammar, .funct).holds == true)
        #expect(check(grammar, .systematic).holds == false)
    }
}
