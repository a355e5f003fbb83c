import Foundation
import Testing

@testable import Grammar

/// Input errors and report details: empty grammars, valuations, unbound NLTK variables, minimal witnesses,
/// invisible characters and the summary of `check`.
@Suite("Input errors and report details")
struct SmallerFixesTests {
    @Test func anEmptyGrammarIsAnError() throws {
        for source in ["", "-- only a comment\n", "grammar E ;\n"] {
            #expect(throws: GrammarErrors.self) { try GrammarLoader.compile(source: source, file: "empty.mont") }
        }
        #expect(throws: (any Error).self) { try NLTKImporter.importGrammar(source: "", file: "empty.fcfg") }
    }

    @Test func aValuationForAMontGrammarIsAnError() throws {
        let path = grammarsDirectory + "/arithmetic.mont"
        do {
            _ = try GrammarLoader.load(path: path, valuation: "/nonexistent/missing.val")
            Issue.record("a missing valuation must be an error")
        } catch let error as GrammarError {
            #expect(error.location.file == "/nonexistent/missing.val")
        }
        #expect(throws: GrammarError.self) {
            try GrammarLoader.load(path: path, valuation: nltkFixturesDirectory + "/valuation1.val")
        }
    }

    @Test func anUnboundSemVariableIsALocatedError() throws {
        let source =
            "% start S\nS[SEM=<?vp(?np)>] -> NP[SEM=?np] VP[SEM=?v]\nNP[SEM=<j>] -> 'John'\n"
            + "VP[SEM=<\\x.walk(x)>] -> 'walks'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: source, file: "unbound.fcfg")
            Issue.record("?vp is bound by no daughter")
        } catch {
            let first = try #require(error.errors.first)
            #expect(first.location.line == 2)
            #expect(first.location.column == 8)
            #expect(first.message.hasPrefix("?vp is not the SEM of a daughter"))
        }
    }

    @Test func theFunctWitnessIsSmallestBySize() throws {
        // At depth 3, F(P("a", "b")) is the first representative of output 4 and F(P("b", "a")) conflicts with it
        // (size 4 + 4); the later F(S("b")) has output 4 too and gives the smaller pair (size 3 + 4).
        let grammar = try compile(
            """
            grammar W ; start N ;
            cat N : int ;
            lexicon { "z" : N = 0 ; "a" : N = 1 ; "b" : N = 3 ; }
            rules {
              P : N -> N "+" N => N1 + N2 ;
              S : N -> "s" N => N + 1 ;
              F : N -> "f" N => N ;
            }
            overrides { @F(P(b, a)) = 100 ; }
            enumerate { max_depth = 3 ; }
            """)
        let result = check(grammar, .funct)
        #expect(result.holds == false)
        let w = try #require(result.witness)
        #expect((w.term1?.size ?? 0) + (w.term2?.size ?? 0) == 7)
        #expect(Set([w.term1?.yield, w.term2?.yield]) == ["f s b", "f b + a"])
    }

    @Test func invisibleCharactersAreEscapedInMessages() throws {
        do {
            _ = try GrammarLoader.compile(source: "\u{FEFF}grammar G ;\u{0} start S ;", file: "bom.mont")
            Issue.record("a BOM and a NUL are not grammar syntax")
        } catch {
            let text = error.description
            #expect(!text.contains("\u{FEFF}"))
            #expect(!text.contains("\u{0}"))
            #expect(text.contains("\\u{FEFF}") || text.contains("\\u{0}"))
        }
    }

    @Test func theReportEndsWithASummaryPerNotionAndAnOverallLine() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        var options = CheckOptions()
        options.reportsAmbiguities = false
        let report = CompositionalityChecker.check(grammar, options: options)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines.last == "overall: FAILS (holds: N1 N5; fails: N9)")
        #expect(lines.contains("  N9 reverse  FAILS"))
        #expect(!report.allHold)
    }
}
