import Foundation
import Grammar
import MontagueSupport
import Testing

@testable import Experiments

/// TRE and topographic similarity of representations against grammar derivations.
@Suite("Compositionality of representations against derivations")
struct DerivationCompositionalityTests {
    /// Distinct derivations sampled from the weighted arithmetic grammar.
    static func derivations(_ count: Int) throws -> [Term] {
        let grammar = try ProbabilisticGrammar.load(path: shippedGrammarsDirectory + "/weighted-arithmetic.mont")
        var seen: Set<String> = []
        var out: [Term] = []
        for sample in try grammar.samples(count: count * 20, seed: 11) where seen.insert(sample.sentence).inserted {
            if let reading = grammar.reading(ofDerivation: sample.derivation) { out.append(reading.term) }
            if out.count == count { break }
        }
        return out
    }

    static func gaussian(_ random: inout SplitMix64, _ dimension: Int) -> [Double] {
        (0..<dimension).map { _ in
            let u = max(random.nextUnitDouble(), 1e-300)
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * random.nextUnitDouble())
        }
    }

    @Test(arguments: DerivationCompositionality.Primitives.allCases)
    func treOfAnExactlyCompositionalRepresentationIsZero(_ kind: DerivationCompositionality.Primitives) throws {
        let terms = try Self.derivations(60)
        #expect(terms.count == 60)
        var random = SplitMix64(seed: 4)
        var vectors: [String: [Double]] = [:]
        let representations = terms.map { term -> [Double] in
            var sum = [Double](repeating: 0, count: 8)
            for p in DerivationCompositionality.primitives(of: term, kind) {
                if vectors[p] == nil { vectors[p] = Self.gaussian(&random, 8) }
                for d in 0..<8 { sum[d] += vectors[p]?[d] ?? 0 }
            }
            return sum
        }
        let fit = DerivationCompositionality.treeReconstructionError(
            representations: representations, derivations: terms, primitives: kind)
        #expect(fit.error < 1e-6)
        let random2 = terms.map { _ in Self.gaussian(&random, 8) }
        let noise = DerivationCompositionality.treeReconstructionError(
            representations: random2, derivations: terms, primitives: kind)
        #expect(noise.error > 0.5)
        #expect(noise.residuals.count == terms.count)
    }

    @Test func primitivesCountEveryNodeAndSlotsNameTheRole() throws {
        let scan = try GrammarLoader.load(path: shippedGrammarsDirectory + "/scan.mont")
        let term = try #require(try ChartInterpreter.interpret(scan, sentence: "walk twice").first?.term)
        #expect(DerivationCompositionality.primitives(of: term).sorted() == ["CS", "Twice", "VU", "\"walk\""].sorted())
        #expect(DerivationCompositionality.primitives(of: term, .slots).contains("VU/1:\"walk\""))
    }

    @Test func topographicSimilarityIsOneForAnIsometryOfEditDistanceAndLowForNoise() throws {
        // Meanings aⁿ: the edit distance is |n − m|, so the length as a 1-d representation is an isometry.
        let meanings: [[String]] = (1...6).map { Array(repeating: "a", count: $0) }
        let rho = DerivationCompositionality.topographicSimilarity(
            representations: meanings.map { [Double($0.count)] }, meanings: meanings)
        #expect(abs(rho - 1) < 1e-12)
        var random = SplitMix64(seed: 9)
        let many: [[String]] = (0..<40).map { i in Array(repeating: "a", count: 1 + i % 7) + (i % 2 == 0 ? ["b"] : []) }
        let lengths = many.map { [Double($0.count), $0.contains("b") ? 1 : 0] }
        let noise = many.map { _ in Self.gaussian(&random, 2) }
        let good = DerivationCompositionality.topographicSimilarity(representations: lengths, meanings: many)
        let bad = DerivationCompositionality.topographicSimilarity(representations: noise, meanings: many)
        #expect(good > 0.8)
        #expect(abs(bad) < 0.3)
    }
}
