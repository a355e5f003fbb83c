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
}
