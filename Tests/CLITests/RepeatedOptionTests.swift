import Foundation
import Testing

/// A single-value option given twice is refused instead of silently keeping the last value.
@Suite("Repeated options")
struct RepeatedOptionTests {
    @Test("--steps twice exits 2 naming it; repeatable options and distinct options still pass")
    func repeatedSingleValueOptionIsRefused() throws {
        let executable = try MontagueExecutable.locate()
        let twice = try executable.run(["train", "gan", "--data", "ring8", "--steps", "3000", "--steps", "2"])
        #expect(twice.status == 2)
        #expect(twice.standardError.contains("--steps was given 2 times"), "\(twice.standardError)")
        let withEquals = try executable.run(["predict", "x", "--seed=1", "--seed", "2"])
        #expect(withEquals.status == 2 && withEquals.standardError.contains("--seed was given 2 times"))
        // `--notion` is an array option: repeating it is its documented use, so the check lets it through and the
        // command fails only on the missing grammar file.
        let repeatable = try executable.run(["check", "no-such-grammar.mont", "--notion", "funct", "--notion", "n1"])
        #expect(
            repeatable.status == 2 && !repeatable.standardError.contains("was given"), "\(repeatable.standardError)")
        // A short and a long spelling of one option count together.
        let mixed = try executable.run(["plot", "a.jsonl", "-o", "x.svg", "--output", "y.svg"])
        #expect(
            mixed.status == 2 && mixed.standardError.contains("--output was given 2 times"), "\(mixed.standardError)")
        let help = try executable.run(["train", "gan", "--help"])
        #expect(help.status == 0)
    }
}
