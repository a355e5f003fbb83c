import Foundation
import Testing

@testable import Grammar

/// T11: the SCAN grammar regenerates exactly the 20 910 SCAN commands with their action sequences, and the
/// length and add-primitive splits coincide with Lake & Baroni's files (../shared/data/compgen/scan/).
@Suite("SCAN data set generation")
struct SCANTests {
    func lines(_ file: String) throws -> Set<String> {
        let text = try readTextFile(sharedDataDirectory + "/compgen/scan/" + file)
        return Set(text.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) })
    }

    func lines(_ examples: [Example]) -> Set<String> {
        Set(examples.map { "IN: \($0.input) OUT: \($0.output)" })
    }

    @Test func regeneratesAllCommandsExactly() throws {
        let grammar = try loadGrammar("scan.mont")
        let examples = DataSetGenerator.examples(grammar)
        #expect(examples.count == 20_910)
        let reference = try lines("tasks_train_simple.txt").union(try lines("tasks_test_simple.txt"))
        #expect(reference.count == 20_910)
        #expect(lines(examples) == reference)
    }

    @Test func lengthAndAddPrimitiveSplitsMatchTheOriginalFiles() throws {
        let grammar = try loadGrammar("scan.mont")
        var options = GenerationOptions()
        options.split = .length
        options.lengthThreshold = 22
        let length = try DataSetGenerator.generate(grammar, options: options)
        #expect(lines(length.train) == (try lines("tasks_train_length.txt")))
        #expect(lines(length.test) == (try lines("tasks_test_length.txt")))
        options.split = .addPrimitive
        options.primitive = "jump"
        let jump = try DataSetGenerator.generate(grammar, options: options)
        #expect(lines(jump.train) == (try lines("tasks_train_addprim_jump.txt")))
        #expect(lines(jump.test) == (try lines("tasks_test_addprim_jump.txt")))
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
