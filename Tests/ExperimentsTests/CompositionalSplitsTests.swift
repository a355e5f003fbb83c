import Foundation
import Grammar
import Testing

@testable import Experiments

/// Compositional-generalisation splits from grammars and their atom and compound divergences.
@Suite("Compositional splits")
struct CompositionalSplitsTests {
    @Test func theRandomLengthAndAddPrimitiveSplitsAreTheDataSetGenerators() throws {
        // DataSetGenerator reproduces SCAN's published split files exactly (SCANTests); these splits delegate to it.
        let arithmetic = try GrammarLoader.load(path: shippedGrammarsDirectory + "/arithmetic.mont")
        for (kind, split) in [
            (CompositionalSplitKind.random, SplitKind.random), (.length, .length), (.addPrimitive, .addPrimitive),
        ] {
            var options = CompositionalSplitOptions()
            options.kind = kind
            options.primitive = "1"
            options.primitiveFraction = 0.1
            options.lengthThreshold = 1
            options.seed = 5
            let ours = try CompositionalSplits.generate(arithmetic, options: options)
            var generation = GenerationOptions()
            generation.split = split
            generation.primitive = "1"
            generation.primitiveFraction = 0.1
            generation.lengthThreshold = 1
            generation.seed = 5
            let reference = try DataSetGenerator.generate(arithmetic, options: generation)
            #expect(ours.train == reference.train && ours.test == reference.test, "\(kind)")
            #expect(kind == .length || !ours.test.isEmpty)
        }
        var options = CompositionalSplitOptions()
        options.kind = .addPrimitive
        options.primitive = "7"
        #expect(throws: GrammarError.self) { try CompositionalSplits.generate(arithmetic, options: options) }
    }

    @Test func mcdRaisesCompoundDivergenceAtLowAtomDivergence() throws {
        let arithmetic = try GrammarLoader.load(path: shippedGrammarsDirectory + "/arithmetic.mont")
        var options = CompositionalSplitOptions()
        options.seed = 3
        options.kind = .random
        let random = try CompositionalSplits.generate(arithmetic, options: options)
        options.kind = .mcd
        let mcd = try CompositionalSplits.generate(arithmetic, options: options)
        let again = try CompositionalSplits.generate(arithmetic, options: options)
        #expect(mcd.train == again.train && mcd.test == again.test)
        #expect(mcd.train.count + mcd.test.count == random.train.count + random.test.count)
        #expect(mcd.test.count == random.test.count)
        #expect(Set(mcd.train.map(\.input)).isDisjoint(with: mcd.test.map(\.input)))
        #expect(random.compoundDivergence < 0.05)
        #expect(mcd.compoundDivergence > random.compoundDivergence + 0.1)
        #expect(mcd.atomDivergence < 0.05)
        // Leaving part of the language out (Keysers et al.'s sizes) lets the compound divergence grow further.
        options.trainFraction = 0.4
        options.testFraction = 0.05
        let small = try CompositionalSplits.generate(arithmetic, options: options)
        let total = mcd.train.count + mcd.test.count
        #expect(small.train.count == Int((Double(total) * 0.4).rounded()))
        #expect(small.test.count == Int((Double(total) * 0.05).rounded()))
        #expect(small.compoundDivergence > mcd.compoundDivergence)
    }

    @Test func divergenceIsZeroForIdenticalDistributionsAndOneForDisjointOnes() {
        let same = CompositionalSplits.divergence([[(0, 1), (1, 3)]], [[(0, 2), (1, 6)]], alpha: 0.1)
        #expect(abs(same) < 1e-12)
        #expect(abs(CompositionalSplits.divergence([[(0, 1)]], [[(1, 1)]], alpha: 0.5) - 1) < 1e-12)
        var running = CompositionalSplits.RunningCoefficient(alpha: 0.1)
        running.add([(0, 1), (1, 3)], toTest: false)
        let predicted = running.divergence(adding: [(1, 2), (2, 1)], toTest: true)
        running.add([(1, 2), (2, 1)], toTest: true)
        let direct = CompositionalSplits.divergence([[(0, 1), (1, 3)]], [[(1, 2), (2, 1)]], alpha: 0.1)
        #expect(abs(predicted - direct) < 1e-12)
        #expect(abs(running.divergence(adding: [], toTest: true) - direct) < 1e-12)
    }
}
