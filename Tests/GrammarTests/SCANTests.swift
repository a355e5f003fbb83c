import Foundation
import Testing

@testable import Grammar

/// T11: the SCAN grammar regenerates exactly the 20 910 SCAN commands with their action sequences, and the
/// length and add-primitive splits coincide with Lake & Baroni's files (brendenlake/SCAN, BSD licence).
///
/// The files are not shipped: each is represented by its line count and the FNV-1a 64-bit hash of its sorted lines
/// joined by newlines (distinct lines, or all lines for the oversampled jump training file), computed once from the
/// published files. The add-primitive training file is compared as a multiset (SCAN's line order is an unpublished
/// shuffle).
@Suite("SCAN data set generation")
struct SCANTests {
    /// FNV-1a 64 of the sorted lines joined by "\n", and the line count.
    static func digest<S: Sequence<String>>(_ lines: S) -> (count: Int, hash: UInt64) {
        let sorted = lines.sorted()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sorted.joined(separator: "\n").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return (sorted.count, hash)
    }

    static func lines(_ examples: [Example]) -> [String] { examples.map { "IN: \($0.input) OUT: \($0.output)" } }

    static func distinct(_ examples: [Example]) -> (count: Int, hash: UInt64) { digest(Set(lines(examples))) }

    @Test func regeneratesAllCommandsExactly() throws {
        let grammar = try loadGrammar("scan.mont")
        let examples = DataSetGenerator.examples(grammar)
        #expect(examples.count == 20_910)
        // tasks_train_simple.txt ∪ tasks_test_simple.txt
        #expect(Self.distinct(examples) == (20_910, 0x762d_b298_40ed_d53b))
    }

    @Test func lengthAndAddPrimitiveSplitsMatchTheOriginalFiles() throws {
        let grammar = try loadGrammar("scan.mont")
        var options = GenerationOptions()
        options.split = .length
        options.lengthThreshold = 22
        let length = try DataSetGenerator.generate(grammar, options: options)
        #expect(Self.distinct(length.train) == (16_990, 0x93f5_f25a_7a7e_64c5))  // tasks_train_length.txt
        #expect(Self.distinct(length.test) == (3_920, 0x0d0c_3c82_6d1c_cea7))  // tasks_test_length.txt
        options.split = .addPrimitive
        options.primitive = "jump"
        let jump = try DataSetGenerator.generate(grammar, options: options)
        #expect(Self.distinct(jump.test) == (7_706, 0x52b1_8a10_eba6_ce5a))  // tasks_test_addprim_jump.txt
        #expect(jump.train.filter { $0.input == "jump" }.count == 1)
        // SCAN's oversampling: the isolated primitive is 10 % of the training lines, 1 467 of 14 670.
        options.primitiveFraction = 0.1
        let oversampled = try DataSetGenerator.generate(grammar, options: options)
        #expect(oversampled.train.filter { $0.input == "jump" }.count == 1_467)
        // tasks_train_addprim_jump.txt, all lines (a multiset).
        #expect(Self.digest(Self.lines(oversampled.train)) == (14_670, 0xb34d_33bc_8f18_d0c8))
    }

    @Test func aPrimitiveMissingFromTheGrammarIsAnInputError() throws {
        let grammar = try loadGrammar("scan.mont")
        var options = GenerationOptions()
        options.split = .addPrimitive
        options.primitive = "fly"
        #expect(throws: GrammarError.self) { try DataSetGenerator.generate(grammar, options: options) }
        options.primitive = "twice"
        #expect(throws: GrammarError.self) { try DataSetGenerator.generate(grammar, options: options) }
    }

    @Test func randomSplitIsDeterministicGivenTheSeed() throws {
        let grammar = try loadGrammar("arithmetic.mont")
        var options = GenerationOptions()
        options.seed = 7
        let a = try DataSetGenerator.generate(grammar, options: options)
        let b = try DataSetGenerator.generate(grammar, options: options)
        #expect(a.train == b.train)
        #expect(a.test == b.test)
        #expect(a.test.count == Int((Double(a.train.count + a.test.count) * 0.2).rounded()))
        options.seed = 8
        let c = try DataSetGenerator.generate(grammar, options: options)
        #expect(c.test != a.test)
    }
}
