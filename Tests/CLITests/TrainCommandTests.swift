import Foundation
import Testing

/// `montague train seq2seq` end to end on a tiny SCAN-format task.
@Suite("montague train seq2seq")
struct TrainCommandTests {
    static let pairs = [
        "IN: walk OUT: I_WALK", "IN: jump OUT: I_JUMP", "IN: walk twice OUT: I_WALK I_WALK",
        "IN: jump twice OUT: I_JUMP I_JUMP", "IN: walk thrice OUT: I_WALK I_WALK I_WALK",
        "IN: jump thrice OUT: I_JUMP I_JUMP I_JUMP",
    ]

    /// A fresh temporary directory holding `train.txt` (all pairs) and `test.txt` (the same pairs).
    static func makeData() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-seq2seq-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = pairs.joined(separator: "\n") + "\n"
        try text.write(to: directory.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try text.write(to: directory.appendingPathComponent("test.txt"), atomically: true, encoding: .utf8)
        return directory
    }

    @Test func trainsReportsExactMatchWritesMetricsAndResumes() throws {
        let directory = try Self.makeData()
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = directory.appendingPathComponent("run.jsonl")
        let checkpoint = directory.appendingPathComponent("ckpt")
        let arguments = [
            "train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--test",
            directory.appendingPathComponent("test.txt").path, "--hidden", "16", "--embedding", "8", "--epochs", "60",
            "--batch-size", "2", "--lr", "0.03", "--seed", "2", "--metrics", metrics.path, "--checkpoint",
            checkpoint.path, "--beam", "2", "--report-every", "1000", "--eval-every", "60",
        ]
        let executable = try MontagueExecutable.locate()
        let result = try executable.run(arguments)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("train pairs: 6  test pairs: 6"))
        #expect(result.standardOutput.contains("exact match: 1.0000 (6/6)"), "\(result.standardOutput)")

        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(records.first?["phase"] as? String == "config")
        // Evaluations every 60 steps: after epochs 20, 40 and 60.
        #expect(records.filter { $0["phase"] as? String == "eval" }.map { $0["step"] as? Int } == [60, 120, 180])
        #expect(records.contains { $0["phase"] as? String == "train" && $0["step"] as? Int == 180 })
        let test = try #require(records.last)
        #expect(test["phase"] as? String == "test")
        #expect((test["metrics"] as? [String: Any])?["exact_match"] as? Double == 1)
        #expect(FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("seq2seq.safetensors").path))

        // A second run with the same checkpoint directory resumes after the last step: nothing left to train.
        let resumed = try executable.run(arguments)
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("after step 180"))
        #expect(resumed.standardOutput.contains("exact match: 1.0000 (6/6)  steps: 180"))
    }

    @Test func malformedFileExitsTwoWithItsLine() throws {
        let directory = try Self.makeData()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.txt")
        try "IN: walk OUT: I_WALK\nwalk I_WALK\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run([
            "train", "seq2seq", "--train", bad.path, "--test", directory.appendingPathComponent("test.txt").path,
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("bad.txt:2: error"))
    }

    @Test(arguments: [
        ["--cell", "transformer"], ["--attention", "cosine"], ["--scheduled-sampling", "linear:1"],
        ["--teacher-forcing", "--scheduled-sampling", "constant:0.5"], ["--beam", "0"], ["--dropout", "1"],
        ["--eval-every", "0"],
    ])
    func badFlagsExitTwo(flags: [String]) throws {
        let result = try MontagueExecutable.locate().run(
            ["train", "seq2seq", "--train", "a.txt", "--test", "b.txt"] + flags)
        #expect(result.status == 2)
        #expect(!result.standardError.isEmpty)
    }
}
