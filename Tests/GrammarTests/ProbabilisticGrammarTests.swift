import Foundation
import MontagueSupport
import Testing

@testable import Grammar

/// Probabilistic grammars: the `weights { }` block, the partition function, inside probabilities against enumerated
/// derivations, exact sampling, and located errors.
@Suite("Probabilistic grammars")
struct ProbabilisticGrammarTests {
    static func load(_ name: String) throws -> ProbabilisticGrammar {
        try ProbabilisticGrammar.load(path: grammarsDirectory + "/" + name)
    }

    /// Operations of stored term `id` (each node once).
    static func operations(of id: Int32, in fragment: Fragment) -> [Int] {
        var out: [Int] = []
        var stack = [id]
        while let node = stack.popLast() {
            out.append(fragment.operation(of: node))
            stack += fragment.children(of: node)
        }
        return out
    }

    /// Σ P(t) per yield over the enumerated derivations of the start category.
    static func enumeratedSentenceProbabilities(_ pg: ProbabilisticGrammar, bounds: EnumerationBounds) -> (
        [String: Double], Fragment
    ) {
        let fragment = Enumerator.enumerate(pg.grammar, options: EnumerationOptions(bounds: bounds))
        var sums: [String: Double] = [:]
        for id in fragment.storedTerms where fragment.category(of: id) == pg.start {
            sums[fragment.yield(of: id), default: 0] += exp(
                pg.logProbability(ofDerivation: operations(of: id, in: fragment)))
        }
        return (sums, fragment)
    }

    @Test func sentenceProbabilitiesOfAFiniteLanguageSumToOne() throws {
        let pg = try Self.load("weighted-english.mont")
        let (sums, fragment) = Self.enumeratedSentenceProbabilities(pg, bounds: EnumerationBounds(maxDepth: 8))
        #expect(fragment.saturated)
        #expect(sums.count > 50)
        var total = 0.0
        for (sentence, enumerated) in sums {
            let inside = exp(pg.logProbability(ofSentence: sentence))
            #expect(abs(inside - enumerated) < 1e-12, "\(sentence)")
            total += inside
        }
        #expect(abs(total - 1) < 1e-12)
        // Agreement conditions the distribution: ill-formed strings have probability 0.
        #expect(pg.logProbability(ofSentence: "every dogs bark") == -Double.infinity)
        #expect(pg.logProbability(ofSentence: "John bark") == -Double.infinity)
        #expect(pg.normalizer < 1)
    }

    @Test func insideProbabilitiesSumOverEveryDerivationOfAnAmbiguousString() throws {
        let pg = try ProbabilisticGrammar.compile(
            source: """
                grammar Flat ; start E ;
                cat E : int ;
                lexicon { "1" : E = 1 ; "2" : E = 2 ; }
                rules { Plus : E -> E "+" E => E1 + E2 ; Times : E -> E "*" E => E1 * E2 ; }
                weights { "1" = 3 ; "2" = 2 ; Plus = 1 ; Times = 1 ; }
                """, file: "flat.mont")
        // Strings of at most 7 tokens have all their derivations within depth 4.
        let (sums, _) = Self.enumeratedSentenceProbabilities(
            pg, bounds: EnumerationBounds(maxDepth: 5, maxLength: 7))
        var ambiguous = 0
        for (sentence, enumerated) in sums where sentence.split(separator: " ").count <= 7 {
            let inside = exp(pg.logProbability(ofSentence: sentence))
            #expect(abs(inside - enumerated) <= 1e-12 * max(1, enumerated), "\(sentence)")
            if sentence.split(separator: " ").count >= 5 { ambiguous += 1 }
        }
        #expect(ambiguous > 10)
        // "1 + 2 * 1 + 2" has Catalan(3) = 5 derivations, each of the same probability.
        let one = pg.logProbability(ofDerivation: [2, 3, 2, 0, 1, 0, 1])
        #expect(abs(pg.logProbability(ofSentence: "1 + 2 * 1 + 2") - (log(5) + one)) < 1e-12)
    }

    @Test func thePartitionFunctionIsTheLeastFixpoint() throws {
        // N → atom (weight a) | N "+" N (weight r): Z = a + r Z², whose least root is min(1, a / r).
        for (rule, expected) in [(0.3, 1.0), (0.6, 2.0 / 3.0)] {
            let pg = try ProbabilisticGrammar.compile(
                source: """
                    grammar Branching ; start N ;
                    cat N : int ;
                    lexicon { "x" : N = 1 ; }
                    rules { Plus : N -> N "+" N => N1 + N2 ; }
                    weights { "x" = \(1 - rule) ; Plus = \(rule) ; }
                    """, file: "branching.mont")
            #expect(pg.converged)
            #expect(abs(pg.normalizer - expected) < 1e-9, "rule weight \(rule)")
            // P("x") = (1 − r) / Z.
            #expect(abs(exp(pg.logProbability(ofSentence: "x")) - (1 - rule) / expected) < 1e-9)
        }
    }

    @Test func samplingIsSeededAndFollowsTheSentenceProbabilities() throws {
        let pg = try Self.load("weighted-english.mont")
        let a = try pg.samples(count: 3_000, seed: 7)
        let b = try pg.samples(count: 3_000, seed: 7)
        #expect(a == b)
        #expect(a != (try pg.samples(count: 3_000, seed: 8)))
        var counts: [String: Int] = [:]
        for sample in a {
            counts[sample.sentence, default: 0] += 1
            #expect(sample.derivationLogProbability <= pg.logProbability(of: sample.tokens) + 1e-12)
        }
        // The most frequent sentences appear about as often as their probability says (3 standard errors).
        for (sentence, count) in counts.sorted(by: { $0.value > $1.value }).prefix(5) {
            let p = exp(pg.logProbability(ofSentence: sentence))
            let frequency = Double(count) / Double(a.count)
            #expect(abs(frequency - p) < 3 * (p * (1 - p) / Double(a.count)).squareRoot() + 1e-3, "\(sentence)")
        }
    }

    @Test func aSampledDerivationHasTheMeaningTheChartInterpreterFinds() throws {
        let pg = try Self.load("weighted-arithmetic.mont")
        for sample in try pg.samples(count: 40, seed: 3) {
            let reading = try #require(pg.reading(ofDerivation: sample.derivation))
            #expect(reading.term.yield == sample.sentence)
            let readings = try ChartInterpreter.interpret(pg.grammar, sentence: sample.sentence)
            #expect(readings.map(\.meaning) == [reading.meaning])
            #expect(abs(pg.logProbability(of: sample.tokens) - sample.derivationLogProbability) < 1e-9)
        }
        #expect(pg.reading(ofDerivation: [0, 1]) == nil)
        #expect(pg.reading(ofDerivation: [99]) == nil)
    }

    @Test func weightErrorsAreLocated() throws {
        let base = """
            grammar W ; start N ;
            cat N : int ; cat M : int ;
            lexicon { "a" : N = 1 ; "a" : M = 2 ; }
            rules { Pair : N -> N N => N1 + N2 ; }

            """
        let cases: [(String, String, Int)] = [
            ("weights { Nope = 1 ; }", "no rule named 'Nope'", 5),
            ("weights { \"b\" = 1 ; }", "no lexical entry \"b\"", 5),
            ("weights { \"a\" : S = 1 ; }", "of category S", 5),
            ("weights { Pair = 1 ; \n Pair = 2 ; }", "given twice", 6),
            ("weights { Pair = x ; }", "expected a weight", 5),
            ("weights { Pair = -1 ; }", "expected a weight", 5),
            ("weights { Pair = 1 . 5 ; }", "expected ';'", 5),
            ("weights { Pair = 1\(String(repeating: "0", count: 400)) ; }", "too large", 5),
            ("weights { \"a\" = 0 ; }", "no sentence", 1),
        ]
        for (block, message, line) in cases {
            do {
                _ = try ProbabilisticGrammar.compile(source: base + block, file: "w.mont")
                Issue.record("accepted: \(block)")
            } catch {
                #expect(error.errors.contains { $0.message.contains(message) }, "\(block): \(error)")
                #expect(error.errors.first?.location.line == line, "\(block): \(error)")
            }
        }
        // A form with two categories can be weighed per category; the grammar still checks as before.
        let ok = try ProbabilisticGrammar.compile(
            source: base + "weights { \"a\" : N = 3 ; Pair = 1 ; default = 2 ; }", file: "w.mont")
        #expect(ok.weights == [3, 2, 1])
        #expect(ok.probabilities == [0.75, 1, 0.25])
        _ = try compile(base + "weights { \"a\" : N = 0.5 ; }")
    }

    static let weightSnippets: [String] = [
        "weights { Plus = 0.5 ; }", "weights {", "}", " = ", " ; ", "\"0\" : N = ", "default = 0 ;", "0.", ".5",
        "1e9", "99999999999999999999999999999999", " : ", "weights { \"0\" = 1 ; \"0\" = 2 ; }", "-", "Times = 0 ;",
    ]

    @Test func mutatedWeightedGrammarsEndInAResultOrALocatedError() throws {
        var random = SplitMix64(seed: 2_112)
        var loaded = 0
        for name in ["weighted-arithmetic.mont", "weighted-english.mont"] {
            let text = try readTextFile(grammarsDirectory + "/" + name)
            for _ in 0..<max(12, GrammarFuzzTests.iterations * 2) {
                var mutant = GrammarFuzzTests.mutate(text, &random)
                if random.nextInt(below: 2) == 0 {
                    let snippet = Self.weightSnippets[random.nextInt(below: Self.weightSnippets.count)]
                    let scalars = Array(mutant.unicodeScalars)
                    let at = random.nextInt(below: scalars.count + 1)
                    var view = String.UnicodeScalarView()
                    view.append(contentsOf: scalars[..<at])
                    view.append(contentsOf: snippet.unicodeScalars)
                    view.append(contentsOf: scalars[at...])
                    mutant = String(view)
                }
                do {
                    let pg = try ProbabilisticGrammar.compile(source: mutant, file: name)
                    loaded += 1
                    for sample in (try? pg.samples(count: 3, seed: 1, maximumNodes: 2_000)) ?? [] {
                        _ = pg.logProbability(of: sample.tokens)
                        _ = pg.reading(ofDerivation: sample.derivation)
                    }
                    _ = pg.logProbability(ofSentence: "( 1 + 2 )")
                } catch {
                    #expect(!error.errors.isEmpty)
                    for e in error.errors { #expect(e.location.line >= 1 && e.location.column >= 1) }
                }
            }
        }
        #expect(loaded >= 0)
    }
}
