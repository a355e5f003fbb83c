import Foundation
import Testing

/// `montague check` and friends end to end: exit 0 when the notion holds, 1 when it does not, 2 on bad input.
@Suite("montague check / zadrozny / eval")
struct GrammarCommandTests {
    static let grammars = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars")

    func grammar(_ name: String) -> String { Self.grammars.appendingPathComponent(name).path }

    @Test func compositionalGrammarExitsZeroAndPrintsTheInducedAlgebra() throws {
        let result = try MontagueExecutable.locate().run(["check", grammar("arithmetic.mont"), "--notion", "N1"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("[HOLDS] N1"))
        #expect(result.standardOutput.contains("G_Plus"))
    }

    @Test func nonCompositionalGrammarExitsOneWithAWitness() throws {
        let result = try MontagueExecutable.locate().run(["check", grammar("derivative.mont"), "--notion", "N1"])
        #expect(result.status == 1, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("[FAILS] N1"))
        #expect(result.standardOutput.contains("witness"))
        #expect(result.standardOutput.contains("Mul"))
    }

    @Test func jsonReportIsValidJSON() throws {
        let result = try MontagueExecutable.locate().run([
            "check", grammar("derivative.mont"), "--notion", "N1", "--json",
        ])
        #expect(result.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
        #expect(object is [String: Any])
    }

    @Test func badInputExitsTwoWithLocation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.mont")
        try "grammar Broken\ncategory S : t\nlexicon {\n  \"a\" : S = @@@\n}\n".write(
            to: broken, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let parseError = try executable.run(["check", broken.path])
        #expect(parseError.status == 2)
        #expect(parseError.standardError.contains("broken.mont:"))
        #expect(parseError.standardError.contains("error:"))
        let missing = try executable.run(["check", directory.appendingPathComponent("missing.mont").path])
        #expect(missing.status == 2)
        let aDirectory = try executable.run(["check", directory.path])
        #expect(aDirectory.status == 2)
        #expect(aDirectory.standardError.contains("cannot read file"))
    }

    static let nltk = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("GrammarTests/Fixtures/nltk")

    @Test func evalPrintsTheLogicalFormTreeAndTheReasonForUndefined() throws {
        let executable = try MontagueExecutable.locate()
        let english = try executable.run(["eval", grammar("english.mont"), "every dog chases a cat"])
        #expect(english.status == 0, "stderr: \(english.standardError)")
        #expect(
            english.standardOutput.contains("logical form: forall x. dog(x) -> (exists x1. cat(x1) && chase(x)(x1))"))
        #expect(english.standardOutput.contains("    PredVP [S]"))
        #expect(english.standardOutput.contains("        \"dog\" [N]"))
        let grammar = Self.nltk.appendingPathComponent("simple-sem.fcfg").path
        let valuation = Self.nltk.appendingPathComponent("valuation1.val").path
        let cyril = try executable.run(["eval", grammar, "Cyril sees every boy", "--valuation", valuation, "--json"])
        #expect(cyril.status == 0, "stderr: \(cyril.standardError)")
        let readings = try #require(
            try JSONSerialization.jsonObject(with: Data(cyril.standardOutput.utf8)) as? [[String: Any]])
        #expect(readings.first?["undefinedReason"] as? String == "undefined constant 'cyril'")
        #expect(readings.first?["logicalForm"] as? String == "forall x1. boy(x1) -> see(cyril, x1)")
        #expect((readings.first?["tree"] as? [String])?.first == "S_1 [S]")
    }

    @Test func checkEndsWithASummaryAndExitsOneWhenANotionFails() throws {
        let result = try MontagueExecutable.locate().run(["check", grammar("arithmetic.mont")])
        #expect(result.status == 1)
        #expect(result.standardOutput.hasSuffix("overall: FAILS (holds: N1 N5; fails: N9)\n"))
    }

    @Test func inputErrorsExitTwo() throws {
        let executable = try MontagueExecutable.locate()
        let deep = try executable.run(["check", grammar("arithmetic.mont"), "--max-depth", "65537"])
        #expect(deep.status == 2)
        #expect(deep.standardError.contains("--max-depth must be at most 1000"))
        let valuation = try executable.run(["check", grammar("arithmetic.mont"), "--valuation", "/nonexistent.val"])
        #expect(valuation.status == 2)
        #expect(valuation.standardError.hasPrefix("/nonexistent.val:1:1: error:"))
        let primitive = try executable.run([
            "generate", grammar("scan.mont"), "--split", "add-primitive", "--primitive", "fly",
        ])
        #expect(primitive.status == 2)
        #expect(primitive.standardError.contains("'fly'"))
        let level = try executable.run(["check", grammar("arithmetic.mont"), "--level", "bogus"])
        #expect(level.status != 0)
    }
}
