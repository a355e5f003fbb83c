import Foundation
import Grammar
import Testing

@testable import Experiments

/// Compositional-generalisation splits from grammars and their atom and compound divergences.
@Suite("Compositional splits")
struct CompositionalSplitsTests {
    @Test func theSCANSplitsAreTheDataSetGeneratorsWhichReproduceSCANsFiles() throws {
        let scan = try GrammarLoader.load(path: shippedGrammarsDirectory + "/scan.mont")
        var options = CompositionalSplitOptions()
        options.kind = .addPrimitive
        options.primitive = "jump"
        options.primitiveFraction = 0.1
        let jump = try CompositionalSplits.generate(scan, options: options)
        var generation = GenerationOptions()
        generation.split = .addPrimitive
        generation.primitive = "jump"
        generation.primitiveFraction = 0.1
        let reference = try DataSetGenerator.generate(scan, options: generation)
        #expect(jump.train == reference.train && jump.test == reference.test)
        // SCAN's add-primitive split: 14 670 training lines (1 467 of them "jump"), 7 706 test commands.
        #expect(jump.train.count == 14_670 && jump.test.count == 7_706)
        #expect(jump.train.filter { $0.input == "jump" }.count == 1_467)
        // "jump" in a compound occurs only in test: the compound divergence is large, the atom divergence not 0.
        #expect(jump.compoundDivergence > 0.1)
        options.kind = .length
        let length = try CompositionalSplits.generate(scan, options: options)
        #expect(length.train.count == 16_990 && length.test.count == 3_920)
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
    }

    @Test func divergenceIsZeroForIdenticalDistributionsAndOneForDisjointOnes() {
        let same = CompositionalSplits.divergence([[0: 1, 1: 3]], [[0: 2, 1: 6]], alpha: 0.1)
        #expect(abs(same) < 1e-12)
        #expect(abs(CompositionalSplits.divergence([[0: 1]], [[1: 1]], alpha: 0.5) - 1) < 1e-12)
        var running = CompositionalSplits.RunningCoefficient(alpha: 0.1)
        running.add([0: 1, 1: 3], toTest: false)
        let predicted = running.divergence(adding: [1: 2, 2: 1], toTest: true)
        running.add([1: 2, 2: 1], toTest: true)
        let direct = CompositionalSplits.divergence([[0: 1, 1: 3]], [[1: 2, 2: 1]], alpha: 0.1)
        #expect(abs(predicted - direct) < 1e-12)
        #expect(abs(running.divergence(adding: [:], toTest: true) - direct) < 1e-12)
    }
}
