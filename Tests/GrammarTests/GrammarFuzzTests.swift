import Foundation
import MontagueSupport
import Testing

@testable import Grammar

/// Seeded mutation fuzzing of every grammar loader: the shipped `.mont` grammars and the NLTK fixtures are mutated
/// (spans deleted, duplicated and swapped; brackets, operators, huge numbers, deep nestings and invisible characters
/// inserted), then loaded and — when they load — checked on a small fragment. Every input must end in a result or a
/// located error; a trap or a stack overflow would kill the test process.
///
/// `MONTAGUE_FUZZ_ITERATIONS` (default 6 mutants per file) runs a longer campaign, e.g. 500 for a nightly run.
@Suite("Mutation fuzzing of the grammar loaders")
struct GrammarFuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["MONTAGUE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 6

    static let snippets: [String] = [
        "(", ")", "{", "}", "[", "]", ";", ",", ".", "\\x.", "->", "=>", "\"", "'", "?x", "?", "<", ">", "=", "|",
        "&", "-", "--", "+", "*", "@", "%", "#", "9223372036854775807", "-9223372036854775808", "0",
        " repeat(9223372036854775807, [\"a\", \"b\"]) ", " range(-9223372036854775807, 9223372036854775807) ",
        " 9223372036854775807 * 9223372036854775807 ", " 1 / 0 ", " 1 mod 0 ", "\u{0}", "\u{FEFF}", "\u{200B}",
        "é", "\n", " max_depth = 65537 ; ", " max_terms = 0 ; ", " forall x. ", " exists x. ", " all x. ",
        String(repeating: "(", count: 300), String(repeating: ")", count: 300),
        String(repeating: "1 + ", count: 400) + "1", String(repeating: "x & ", count: 400) + "x",
        String(repeating: "- ", count: 300), String(repeating: "! ", count: 300),
        String(repeating: "a -> ", count: 300) + "a", String(repeating: "f(", count: 200),
        String(repeating: "e -> ", count: 300) + "t",
    ]

    /// One mutant of `text`.
    static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<(1 + random.nextInt(below: 3)) {
            let count = scalars.count
            let position = count == 0 ? 0 : random.nextInt(below: count + 1)
            let length = count == 0 ? 0 : min(count - min(position, count), 1 + random.nextInt(below: 40))
            switch random.nextInt(below: 4) {
            case 0:
                scalars.removeSubrange(position..<(position + length))
            case 1:
                scalars.insert(contentsOf: scalars[position..<(position + length)], at: position)
            case 2:
                let other = count == 0 ? 0 : random.nextInt(below: count)
                let piece = Array(scalars[position..<(position + length)])
                scalars.removeSubrange(position..<(position + length))
                scalars.insert(contentsOf: piece, at: min(other, scalars.count))
            default:
                let snippet = snippets[random.nextInt(below: snippets.count)]
                scalars.insert(contentsOf: snippet.unicodeScalars, at: position)
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// Loads and, if it loads, checks every notion on a small fragment and parses a sentence.
    static func exercise(
        notions: [Notion] = Notion.allCases, maxTerms: Int = 150, _ load: () throws -> InterpretedGrammar
    ) -> Bool {
        guard let grammar = try? load() else { return false }
        var bounds = grammar.bounds
        bounds.maxDepth = min(bounds.maxDepth, 3)
        bounds.maxTerms = min(bounds.maxTerms, maxTerms)
        var options = CheckOptions(notions: notions, bounds: bounds)
        options.reportsAmbiguities = true
        let report = CompositionalityChecker.check(grammar, options: options)
        _ = report.text
        _ = try? SentenceInterpreter.interpret(grammar, sentence: "a b", category: nil)
        return true
    }

    static var sources: [(name: String, text: String)] {
        let mont = (try? FileManager.default.contentsOfDirectory(atPath: grammarsDirectory)) ?? []
        var out: [(String, String)] = []
        for name in mont.sorted() where name.hasSuffix(".mont") {
            if let text = try? readTextFile(grammarsDirectory + "/" + name) { out.append((name, text)) }
        }
        for name in ["sem0.fcfg", "sem1.fcfg", "simple-sem.fcfg", "sql0.fcfg", "toy.cfg", "agreement.fcfg"] {
            if let text = try? readTextFile(nltkFixturesDirectory + "/" + name) { out.append((name, text)) }
        }
        return out
    }

    @Test func shippedGrammarsSurviveMutation() throws {
        let sources = Self.sources
        #expect(sources.count >= 20)
        var random = SplitMix64(seed: 20_261_207)
        var loaded = 0
        var total = 0
        for (name, text) in sources {
            for _ in 0..<Self.iterations {
                let mutant = Self.mutate(text, &random)
                total += 1
                let ok: Bool
                if name.hasSuffix(".fcfg") || name.hasSuffix(".cfg") {
                    ok = Self.exercise { try NLTKImporter.importGrammar(source: mutant, file: name) }
                } else {
                    ok = Self.exercise { try GrammarLoader.compile(source: mutant, file: name) }
                }
                if ok { loaded += 1 }
            }
        }
        // Both outcomes occur: the mutations are neither all harmless nor all fatal.
        #expect(loaded > 0 && loaded < total)
    }

    @Test func valuationsSurviveMutation() throws {
        let text = try readTextFile(nltkFixturesDirectory + "/valuation1.val")
        let grammar = try readTextFile(nltkFixturesDirectory + "/simple-sem.fcfg")
        var random = SplitMix64(seed: 7)
        for _ in 0..<(Self.iterations * 2) {
            let mutant = Self.mutate(text, &random)
            _ = Self.exercise(notions: [.funct, .fregean], maxTerms: 60) {
                try NLTKImporter.importGrammar(source: grammar, file: "simple-sem.fcfg", valuation: mutant)
            }
        }
    }

    /// The inputs that used to crash: each is now a located error or a result.
    @Test func formerCrashesAreLocatedErrors() throws {
        let deep = String(repeating: "(", count: 1300) + "1" + String(repeating: ")", count: 1300)
        let chain = Array(repeating: "1", count: 1600).joined(separator: " + ")
        for body in [deep, chain] {
            let source = "grammar D ; start N ; cat N : int ;\nlexicon {\n  \"a\" : N = \(body) ;\n}\nrules { }\n"
            #expect(throws: GrammarErrors.self) { try GrammarLoader.compile(source: source, file: "deep.mont") }
            do {
                _ = try GrammarLoader.compile(source: source, file: "deep.mont")
            } catch {
                let first = try #require(error.errors.first)
                #expect(first.location.line == 3)
                #expect(first.message == "expression nested deeper than \(Expression.maximumNesting) levels")
            }
        }
        let conjunction = Array(repeating: "P(x)", count: 1600).joined(separator: " & ")
        let nltk = "% start S\nS[SEM=<\\x.\(conjunction)>] -> 'a'\nS[SEM=<\(deep)>] -> 'b'\n"
        do {
            _ = try NLTKImporter.importGrammar(source: nltk, file: "deep.fcfg")
            Issue.record("a 1 600-long conjunction must be rejected")
        } catch {
            #expect(error.errors.map(\.location.line) == [2, 3])
        }
        // Just inside the limit: accepted and evaluated.
        let inside = String(repeating: "(", count: 90) + "1" + String(repeating: ")", count: 90)
        let ok = try GrammarLoader.compile(
            source: "grammar D ; start N ; cat N : int ;\nlexicon { \"a\" : N = \(inside) + 1 ; }\nrules { }\n",
            file: "ok.mont")
        #expect(check(ok, .funct).holds == true)
        // A depth bound beyond the limit is an error at its line, not a trap.
        let unary =
            "grammar U ; start N ; cat N : int ;\nlexicon { \"a\" : N = 1 ; }\n"
            + "rules { S : N -> N \"s\" => N ; }\nenumerate { max_depth = 65537 ; }\n"
        do {
            _ = try GrammarLoader.compile(source: unary, file: "unary.mont")
            Issue.record("max_depth 65537 must be rejected")
        } catch {
            #expect(error.errors.first?.location.line == 4)
        }
        // repeat with a huge count: the term is meaningless with a reason, not a trap.
        let huge = try GrammarLoader.compile(
            source: "grammar R ; start N ; cat N : [str] ;\n"
                + "lexicon { \"a\" : N = repeat(9223372036854775807, [\"a\", \"b\"]) ; }\nrules { }\n",
            file: "repeat.mont")
        let report = CompositionalityChecker.check(huge, options: CheckOptions(notions: [.funct]))
        #expect(report.meaninglessTerms == 1)
        #expect(report.evaluationErrors.first?.contains("repeat count") == true)
    }
}
