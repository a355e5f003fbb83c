import Foundation
import MontagueSupport
import Testing

@testable import Grammar

/// The chart parser finds exactly the readings the enumeration-based parser finds, in the same order, on
/// every shipped grammar's fragment and on strings that are not in the language.
@Suite("Chart parser")
struct ChartParserTests {
    /// Readings in a canonical order, for comparing as multisets.
    static func canonical(_ readings: [Reading]) -> [String] {
        readings.map { "\($0.term) [\($0.category)] \($0.meaning) | \($0.values) | \($0.logicalForm ?? "-")" }.sorted()
    }

    /// Up to `limit` distinct yields of start-category terms of a small fragment, shortest first.
    static func sentences(_ grammar: InterpretedGrammar, limit: Int, maxLength: Int) -> [String] {
        var bounds = grammar.bounds
        bounds.maxDepth = min(bounds.maxDepth, 4)
        bounds.maxTerms = min(bounds.maxTerms, 4_000)
        bounds.maxLength = min(bounds.maxLength ?? maxLength, maxLength)
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: bounds))
        var seen: Set<String> = []
        var out: [(Int, String)] = []
        for id in fragment.storedTerms {
            if let start = grammar.start, fragment.category(of: id) != start { continue }
            let tokens = fragment.tokens(of: id)
            let sentence = tokens.joined(separator: " ")
            if seen.insert(sentence).inserted { out.append((tokens.count, sentence)) }
        }
        // Spread the picks over the fragment: every k-th sentence by length.
        let sorted = out.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.1)
        let step = max(1, sorted.count / limit)
        return Array(stride(from: 0, to: sorted.count, by: step).map { sorted[$0] }.prefix(limit))
    }

    static var shippedGrammars: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: grammarsDirectory)) ?? []).filter {
            $0.hasSuffix(".mont")
        }.sorted()
    }

    @Test(arguments: shippedGrammars)
    func agreesWithEnumerationOnTheShippedGrammar(_ name: String) throws {
        let grammar = try loadGrammar(name)
        let picked = Self.sentences(grammar, limit: 12, maxLength: 7)
        #expect(!picked.isEmpty)
        var random = SplitMix64(seed: 21)
        for sentence in picked {
            let byChart = try ChartInterpreter.interpret(grammar, sentence: sentence)
            let byEnumeration = try SentenceInterpreter.interpret(grammar, sentence: sentence)
            #expect(!byChart.isEmpty, "\(name): \(sentence)")
            #expect(Self.canonical(byChart) == Self.canonical(byEnumeration), "\(name): \(sentence)")
            #expect(byChart == byEnumeration, "\(name): \(sentence): same readings, other order")
            // A shuffled sentence (usually not in the language): the same readings (often none) either way.
            var words = sentence.split(separator: " ").map(String.init)
            random.shuffle(&words)
            let shuffled = words.joined(separator: " ")
            let a = try ChartInterpreter.interpret(grammar, sentence: shuffled)
            let b = try SentenceInterpreter.interpret(grammar, sentence: shuffled)
            #expect(Self.canonical(a) == Self.canonical(b), "\(name): \(shuffled)")
        }
    }

    @Test func agreesWithEnumerationOnAnNLTKGrammar() throws {
        let grammar = try NLTKImporter.load(
            grammarPath: nltkFixturesDirectory + "/simple-sem.fcfg",
            valuationPath: nltkFixturesDirectory + "/valuation1.val")
        for sentence in [
            "Cyril sees every boy", "Angus sees a dog", "every girl chases a dog", "all dogs bark", "a dogs bark",
        ] {
            let byChart = try ChartInterpreter.interpret(grammar, sentence: sentence)
            let byEnumeration = try SentenceInterpreter.interpret(grammar, sentence: sentence)
            #expect(byChart == byEnumeration, "\(sentence)")
        }
    }

    @Test func countsEveryDerivationOfAnAmbiguousString() throws {
        // Catalan(3) = 5 bracketings of four operands.
        let grammar = try compile(
            """
            grammar Flat ; start E ;
            cat E : int ;
            lexicon { "1" : E = 1 ; "2" : E = 2 ; }
            rules { Plus : E -> E "+" E => E1 + E2 ; Times : E -> E "*" E => E1 * E2 ; }
            enumerate { max_depth = 5 ; }
            """)
        let readings = try ChartInterpreter.interpret(grammar, sentence: "1 + 2 * 2 + 1")
        #expect(readings.count == 5)
        #expect(Set(readings.map(\.meaning)) == Set(["6", "7", "9"]))
        #expect(
            Self.canonical(readings)
                == Self.canonical(try SentenceInterpreter.interpret(grammar, sentence: "1 + 2 * 2 + 1")))
        let forest = ChartParser(grammar).parse(["1", "+", "2", "*", "2", "+", "1"])
        #expect(forest.recognizes(category: grammar.start))
        #expect(!ChartParser(grammar).parse(["1", "+"]).recognizes(category: grammar.start))
    }

    @Test func unaryCyclesAndEmptyConstituentsAreBoundedByDepthAsInTheEnumeration() throws {
        // A ⇄ B unary cycle and an empty E: infinitely many derivations, the same bounded set either way.
        let grammar = try compile(
            """
            grammar Cycle ; start S ;
            cat S : int ; cat A : int ; cat B : int ; cat E : int ;
            lexicon { "a" : A = 1 ; }
            rules {
              AB : B -> A ; BA : A -> B => B + 1 ;
              Empty : E -> => 0 ;
              Top : S -> E A E => E1 + A + E2 ;
            }
            """)
        let byChart = try ChartInterpreter.interpret(grammar, sentence: "a")
        let byEnumeration = try SentenceInterpreter.interpret(grammar, sentence: "a")
        #expect(byChart.count > 1)
        #expect(byChart == byEnumeration)
    }

    @Test func unknownWordsAndEmptySentencesAreTheSameLocatedErrors() throws {
        let grammar = try loadGrammar("english.mont")
        #expect(throws: GrammarError.self) { try ChartInterpreter.interpret(grammar, sentence: "every unicorn barks") }
        #expect(throws: GrammarError.self) { try ChartInterpreter.interpret(grammar, sentence: "  ") }
        do {
            _ = try ChartInterpreter.interpret(grammar, sentence: "every unicorn barks")
        } catch {
            #expect(error.location.column == 7)
        }
    }
}
