import Foundation
import Testing

/// `montague experiment conditional`: the sequence condition on SCAN and the errors of bad flags.
@Suite("montague experiment conditional: conditions")
struct ExperimentConditionalCommandTests {
    func arguments(_ extra: [String]) -> [String] {
        ["experiment", "conditional"] + extra + GrammarExperimentCommandTests.tiny
    }

    @Test func scanDefaultsToTheSequenceConditionAndAsksForUnseenMeanings() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-cond-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let scan = GrammarExperimentCommandTests.grammars.appendingPathComponent("scan.mont").path
        let result = try MontagueExecutable.locate().run(
            arguments([scan, "--epochs", "1", "--eval-conditions", "10", "--output", directory.path, "--json"]))
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(summary?["condition"] as? String == "sequence")
        #expect((summary?["heldOutMeanings"] as? Int ?? 0) > 0)
        let final = summary?["final"] as? [String: Any]
        let unseen = try #require(final?["accuracy_unseen"] as? Double)
        #expect((0...1).contains(unseen))
        let written = try String(contentsOf: directory.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(written.contains("\"condition\" : \"sequence\"") || written.contains("\"condition\":\"sequence\""))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("outputs-unseen.tsv").path))
    }

    @Test(arguments: [
        (["--method", "conditional-gan", "--condition", "sequence"], "--condition class"),
        (["--held-out-fraction", "1"], "held-out fraction"),
        (["--condition", "tree"], "tree"),
    ])
    func badFlagsAreClearErrors(flags: [String], message: String) throws {
        let arithmetic = GrammarExperimentCommandTests.grammars.appendingPathComponent("weighted-arithmetic.mont").path
        let result = try MontagueExecutable.locate().run(arguments([arithmetic, "--epochs", "0"] + flags))
        #expect(result.status != 0 && result.status != 1)
        #expect(result.standardError.contains(message), "stderr: \(result.standardError)")
        #expect(result.standardError.lowercased().contains("error"))
    }
}
