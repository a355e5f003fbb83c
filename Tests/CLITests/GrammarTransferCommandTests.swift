import Foundation
import Testing

/// `montague experiment transfer` end to end on the shipped voice grammars (tiny settings).
@Suite("montague experiment transfer")
struct GrammarTransferCommandTests {
    func grammar(_ name: String) -> String { GrammarExperimentCommandTests.grammars.appendingPathComponent(name).path }

    @Test func crossAlignedWritesMeasurementsAndAUsableModelDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-transfer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let montague = try MontagueExecutable.locate()
        let result = try montague.run([
            "experiment", "transfer", grammar("voice-active.mont"), grammar("voice-passive.mont"), "--styles",
            "active,passive", "--method", "cross-aligned", "--train-samples", "40", "--test-sentences", "6",
            "--steps", "4", "--eval-every", "2", "--batch-size", "4", "--embedding-size", "4", "--content-size", "6",
            "--style-size", "4", "--classifier-epochs", "1", "--seed", "2", "--output", directory.path, "--json",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let final = summary?["final"] as? [String: Any]
        #expect(final?["step"] as? Int == 4)
        let overall = final?["overall"] as? [String: Any]
        let validity = try #require(overall?["targetValidity"] as? Double)
        let preserved = try #require(overall?["meaningPreservation"] as? Double)
        #expect((0...1).contains(validity) && preserved <= validity)
        #expect(overall?["classifierAccuracy"] is Double && overall?["sourceBLEU"] is Double)
        // Copying the input keeps every word (source-BLEU 100) and is never a passive sentence.
        let copy = (summary?["copyBaseline"] as? [String: Any])?["overall"] as? [String: Any]
        #expect(copy?["targetValidity"] as? Double == 0)
        #expect(copy?["unchanged"] as? Double == 1)
        for file in [
            "metrics.jsonl", "exact.svg", "bleu.svg", "transfers.jsonl", "summary.json", "model/manifest.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        // Two measurements (steps 2 and 4), with their wall-clock times.
        let log = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.contains("\"meaning_preservation\"") && $0.contains("\"active_to_passive.") })
        let transfers = try String(contentsOf: directory.appendingPathComponent("transfers.jsonl"), encoding: .utf8)
        #expect(transfers.split(separator: "\n").count == 12)
        // The model directory is an ordinary style-transfer model.
        let input = directory.appendingPathComponent("input.txt")
        try "the dog chases a cat\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run([
            "predict", directory.appendingPathComponent("model").path, "--to", "passive", "--input", input.path,
        ])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        #expect(predicted.standardOutput.hasSuffix("\n"))
        #expect(predicted.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 2)
    }

    @Test func badInputsAreUsageErrors() throws {
        let montague = try MontagueExecutable.locate()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-transfer-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let same = try montague.run([
            "experiment", "transfer", grammar("voice-active.mont"), grammar("voice-active.mont"), "--output",
            directory.path,
        ])
        #expect(same.status == 2)
        #expect(same.standardError.contains("--styles"))
        let missing = try montague.run([
            "experiment", "transfer", grammar("voice-active.mont"), "no-such.mont", "--output", directory.path,
        ])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("no-such.mont"))
        let styles = try montague.run([
            "experiment", "transfer", grammar("voice-active.mont"), grammar("voice-passive.mont"), "--styles",
            "a/b,c", "--output", directory.path,
        ])
        #expect(styles.status == 2)
        #expect(styles.standardError.contains("style name"))
    }
}
