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
        let output = directory.appendingPathComponent("model")
        let arguments = [
            "train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--test",
            directory.appendingPathComponent("test.txt").path, "--hidden", "16", "--embedding", "8", "--epochs", "60",
            "--batch-size", "2", "--lr", "0.03", "--seed", "2", "--metrics", metrics.path, "--output",
            output.path, "--beam", "2", "--report-every", "1000", "--eval-every", "60",
        ]
        let executable = try MontagueExecutable.locate()
        let result = try executable.run(arguments)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("train pairs: 6  valid pairs: 0  test pairs: 6"))
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
        for file in ["manifest.json", "weights.safetensors", "training-state.safetensors", "source-vocabulary.txt"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path))
        }
        let train = try #require(records.first { $0["phase"] as? String == "train" }?["metrics"] as? [String: Any])
        #expect(train["batch_loss"] != nil && train["running_loss"] != nil)

        // A second run with the same checkpoint directory resumes after the last step: nothing left to train.
        let resumed = try executable.run(arguments)
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("after step 180"))
        #expect(resumed.standardOutput.contains("exact match: 1.0000 (6/6)  steps: 180"))

        // predict and evaluate load the directory with no training flag repeated.
        let predicted = try executable.run([
            "predict", output.path, "--input", directory.appendingPathComponent("test.txt").path,
        ])
        #expect(predicted.status == 0, "stderr: \(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n").first == "I_WALK")
        let evaluated = try executable.run([
            "evaluate", output.path, "--data", directory.appendingPathComponent("test.txt").path, "--json",
        ])
        #expect(evaluated.status == 0, "stderr: \(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("exact_match\":1"))
        let wrongFlag = try executable.run(["predict", output.path, "--temperature", "0.5"])
        #expect(wrongFlag.status == 2 && wrongFlag.standardError.contains("--temperature does not apply"))
        // Continuing with another network size: exit 2, located at the manifest, naming the flag and both values,
        // no usage line.
        let misfit = try executable.run(Array(arguments.prefix(4)) + ["--hidden", "8", "--output", output.path])
        #expect(misfit.status == 2)
        #expect(
            misfit.standardError.contains(
                "manifest.json: error: holds a model trained with other settings: --hidden 8"),
            "\(misfit.standardError)")
        #expect(!misfit.standardError.contains("Usage:"))
    }

    @Test func validKeepsTheBestModelAndStepBudgetStops() throws {
        let directory = try Self.makeData()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("model")
        let result = try MontagueExecutable.locate().run([
            "train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--valid",
            directory.appendingPathComponent("test.txt").path, "--hidden", "8", "--embedding", "4", "--steps", "6",
            "--batch-size", "2", "--output", output.path, "--time-limit", "10m", "--save-every", "2",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("valid exact match"))
        #expect(result.standardOutput.contains("steps: 6"))
        #expect(!result.standardOutput.contains("exact match: 1.0000 (6/6)"))  // no --test, no test line
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("best/manifest.json").path))

        // Resuming takes the model directory's settings: no architecture flag repeated.
        let resumed = try MontagueExecutable.locate().run([
            "train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--steps", "8",
            "--output", output.path,
        ])
        #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
        #expect(resumed.standardOutput.contains("hidden: 8  embedding: 4"))
        #expect(resumed.standardOutput.contains("after step 6") && resumed.standardOutput.contains("steps: 8"))
    }

    /// Ctrl-C (SIGINT) finishes the step, saves the model directory and exits with 130. The signal is sent once
    /// the run has printed a progress line (read from its output; no waiting on a clock).
    @Test func interruptSavesTheModelDirectoryAndExits() throws {
        let directory = try Self.makeData()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("model")
        let process = Process()
        process.executableURL = try MontagueExecutable.locate().url
        process.arguments = [
            "train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--hidden", "8",
            "--embedding", "4", "--batch-size", "2", "--steps", "1000000", "--time-limit", "120s", "--report-every",
            "1",
            "--output",
            output.path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("running loss") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the process ended early
            text += String(decoding: chunk, as: UTF8.self)
        }
        process.interrupt()
        text += String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted after step"))
        #expect(
            FileManager.default.fileExists(atPath: output.appendingPathComponent("training-state.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path))
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
        #expect(!result.standardError.contains("Error: "))  // no doubled prefix
        #expect(!result.standardError.contains("Usage:"))
    }

    @Test(arguments: [
        ["--cell", "transformer"], ["--attention", "cosine"], ["--scheduled-sampling", "linear:1"],
        ["--teacher-forcing", "--scheduled-sampling", "constant:0.5"], ["--beam", "0"], ["--dropout", "1"],
        ["--eval-every", "0"], ["--time-limit", "soon"], ["--batch-size", "0"], ["--save-every", "3"],
    ])
    func badFlagsExitTwo(flags: [String]) throws {
        let result = try MontagueExecutable.locate().run(
            ["train", "seq2seq", "--train", "a.txt", "--test", "b.txt"] + flags)
        #expect(result.status == 2)
        #expect(!result.standardError.isEmpty)
        // A bad value names only its own flag.
        let named = ["--hidden", "--embedding", "--layers", "--batch-size", "--beam", "--max-length"]
        #expect(named.filter { result.standardError.contains($0 + " ") }.count <= 1, "\(result.standardError)")
    }

    @Test(arguments: [["--metrics", "/nonexistent-dir/run.jsonl"], ["--output", "/proc/montague-model"]])
    func unwritableOutputsExitTwoWithoutUsage(flags: [String]) throws {
        let directory = try Self.makeData()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try MontagueExecutable.locate().run(
            ["train", "seq2seq", "--train", directory.appendingPathComponent("train.txt").path, "--steps", "1"]
                + flags)
        #expect(result.status == 2)
        #expect(result.standardError.contains(flags[1] + ": error: "), "\(result.standardError)")
        #expect(!result.standardError.contains("NSCocoaErrorDomain") && !result.standardError.contains("Usage:"))
    }
}
