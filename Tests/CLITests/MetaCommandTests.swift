import Foundation
import Testing

/// `montague train meta`, `train ewc`, and `predict` / `evaluate` on their model directories, end to end.
@Suite("montague train meta / train ewc")
struct MetaCommandTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-meta-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A synthetic digits file: 6 images per digit, 64 pixel values then the class.
    static func writeDigits(to url: URL) throws {
        var lines: [String] = []
        for digit in 0..<10 {
            for copy in 0..<6 {
                lines.append(
                    ((0..<64).map { String(($0 * (digit + 2) + copy) % 17) } + [String(digit)]).joined(separator: ","))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func sinusoidMAMLTrainsEvaluatesPredictsAndResumes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("model").path
        let metrics = directory.appendingPathComponent("run.jsonl").path
        let executable = try MontagueExecutable.locate()
        let common = [
            "--task", "sinusoid", "--method", "maml", "--shots", "5", "--hidden", "8", "--meta-batch", "2",
            "--eval-episodes", "5", "--report-every", "2", "--output", output, "--metrics", metrics, "--seed", "3",
        ]
        let first = try executable.run(["train", "meta"] + common + ["--steps", "4"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("after 10 steps: MSE"), "\(first.standardOutput)")
        let resumed = try executable.run(["train", "meta"] + common + ["--steps", "6", "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from") && resumed.standardOutput.contains("step 6"))

        let evaluation = try executable.run(["evaluate", output, "--episodes", "3", "--json"])
        #expect(evaluation.status == 0, "\(evaluation.standardError)")
        let refused = try executable.run(["evaluate", output, "--refs", output])
        #expect(refused.status == 2 && refused.standardError.contains("--refs does not apply to a 'meta' model"))
        // Bit-exact resumption: the run of 4 + 2 steps equals an uninterrupted run of 6.
        let straightOutput = directory.appendingPathComponent("straight").path
        let straight = try executable.run(
            ["train", "meta"] + common.map { $0 == output ? straightOutput : $0 } + [
                "--steps", "6", "--checkpoint-every", "2", "--plots",
            ])
        #expect(straight.status == 0, "\(straight.standardError)")
        let straightEvaluation = try executable.run(["evaluate", straightOutput, "--episodes", "3", "--json"])
        #expect(straightEvaluation.standardOutput == evaluation.standardOutput)
        let svg = try String(contentsOfFile: straightOutput + "/adaptation.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") || svg.contains("<svg"))
        #expect(FileManager.default.fileExists(atPath: straightOutput + "/training.svg"))
        #expect(
            evaluation.standardOutput.contains("\"method\":\"maml\"")
                && evaluation.standardOutput.contains("\"steps\":10"))

        let input = directory.appendingPathComponent("points.csv")
        try "-2,1.5\n0,0.2\n1,-0.5\n2,?\n3,?\n".write(to: input, atomically: true, encoding: .utf8)
        let prediction = try executable.run(["predict", output, "--input", input.path])
        #expect(prediction.status == 0, "\(prediction.standardError)")
        #expect(prediction.standardOutput.split(separator: "\n").count == 2)

        try "1,2\n1,x\n".write(to: input, atomically: true, encoding: .utf8)
        let bad = try executable.run(["predict", output, "--input", input.path])
        #expect(bad.status == 2 && bad.standardError.contains("points.csv:2:3: error:"), "\(bad.standardError)")
    }

    @Test func digitsPrototypicalNetworkAndUsageErrors() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let digits = directory.appendingPathComponent("digits.csv")
        try Self.writeDigits(to: digits)
        let output = directory.appendingPathComponent("proto").path
        let executable = try MontagueExecutable.locate()
        let result = try executable.run([
            "train", "meta", "--task", "digits:" + digits.path, "--method", "protonet", "--way", "3", "--shots", "1",
            "--query", "2", "--hidden", "8", "--embedding-size", "4", "--meta-batch", "2", "--steps", "2",
            "--eval-episodes", "4", "--output", output,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("accuracy"), "\(result.standardOutput)")
        let evaluation = try executable.run(["evaluate", output, "--episodes", "4"])
        #expect(
            evaluation.status == 0 && evaluation.standardOutput.contains("95% interval"), "\(evaluation.standardError)")

        let unknown = try executable.run(["train", "meta", "--method", "magic", "--output", output])
        #expect(unknown.status == 2)
        let metricOnSinusoid = try executable.run(["train", "meta", "--method", "protonet", "--output", output])
        #expect(metricOnSinusoid.status == 2 && metricOnSinusoid.standardError.contains("digits"))
        let missing = try executable.run([
            "train", "meta", "--task", "digits:" + directory.appendingPathComponent("none.csv").path, "--output",
            output,
        ])
        #expect(missing.status == 2 && missing.standardError.contains("none.csv"), "\(missing.standardError)")
    }

    @Test func metaSGDRatesAreSoftplusByDefaultAndTheirOptionsAreChecked() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let output = directory.appendingPathComponent("metasgd").path
        let common = [
            "train", "meta", "--method", "meta-sgd", "--shots", "5", "--hidden", "8", "--meta-batch", "2",
            "--steps", "3", "--eval-episodes", "3", "--inner-steps", "2",
        ]
        let clipped = try executable.run(common + ["--max-inner-rate", "0.05", "--output", output])
        #expect(clipped.status == 0, "\(clipped.standardError)")
        let manifest = try String(contentsOfFile: output + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("softplus"), "\(manifest)")
        let weights = try FileManager.default.contentsOfDirectory(atPath: output)
        #expect(!weights.isEmpty)
        let unconstrained = try executable.run(
            common + ["--inner-rates", "unconstrained", "--output", directory.appendingPathComponent("raw").path])
        #expect(unconstrained.status == 0, "\(unconstrained.standardError)")
        let clipWithoutSoftplus = try executable.run(
            common + [
                "--inner-rates", "unconstrained", "--max-inner-rate", "0.05", "--output",
                directory.appendingPathComponent("bad").path,
            ])
        #expect(clipWithoutSoftplus.status == 2 && clipWithoutSoftplus.standardError.contains("softplus"))
        let rateOnMAML = try executable.run([
            "train", "meta", "--method", "maml", "--max-inner-rate", "0.05", "--output",
            directory.appendingPathComponent("maml").path,
        ])
        #expect(rateOnMAML.status == 2 && rateOnMAML.standardError.contains("meta-sgd"))
        let belowAlpha = try executable.run(common + ["--max-inner-rate", "0.001", "--output", output + "2"])
        #expect(belowAlpha.status == 2, "\(belowAlpha.standardError)")
    }

    @Test func textSpeakerEpisodesAndTheLSTMOptimizerComparison() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let plays = CorpusCommandTests.packageRoot.appendingPathComponent("corpora/shakespeare").path
        let text = try executable.run([
            "train", "meta", "--task", "text:" + plays, "--method", "protonet", "--way", "3", "--shots", "1",
            "--query", "2", "--hidden", "8", "--embedding-size", "4", "--text-features", "64", "--meta-batch", "2",
            "--steps", "2", "--eval-episodes", "4", "--output", directory.appendingPathComponent("text").path,
        ])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("accuracy"), "\(text.standardOutput)")
        let evaluation = try executable.run([
            "evaluate", directory.appendingPathComponent("text").path, "--episodes", "3",
        ])
        #expect(evaluation.status == 0 && evaluation.standardOutput.contains("accuracy"), "\(evaluation.standardError)")
        let onePlay = try executable.run([
            "train", "meta", "--task", "text:" + plays + "/hamlet.xml", "--method", "protonet", "--output",
            directory.appendingPathComponent("one").path,
        ])
        #expect(onePlay.status == 2 && onePlay.standardError.contains("two plays"), "\(onePlay.standardError)")

        let lstm = try executable.run([
            "train", "meta", "--method", "lstm-optimizer", "--fixed-initialization", "--compare-optimizers", "--plots",
            "--hidden", "4", "--inner-steps", "2", "--test-steps", "3", "--steps", "2", "--eval-episodes", "2",
            "--output", directory.appendingPathComponent("lstm").path,
        ])
        #expect(lstm.status == 0, "\(lstm.standardError)")
        #expect(
            lstm.standardOutput.contains("LSTM optimizer") && lstm.standardOutput.contains("Adam (η ="),
            "\(lstm.standardOutput)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("lstm/optimizers.svg").path))
        let misuse = try executable.run([
            "train", "meta", "--method", "maml", "--compare-optimizers", "--output",
            directory.appendingPathComponent("x").path,
        ])
        #expect(misuse.status == 2)
    }

    @Test func ewcTrainsAndReportsEveryTask() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let digits = directory.appendingPathComponent("digits.csv")
        try Self.writeDigits(to: digits)
        let output = directory.appendingPathComponent("ewc").path
        let executable = try MontagueExecutable.locate()
        let result = try executable.run([
            "train", "ewc", "--tasks", "permuted-digits:2", "--data", digits.path, "--method", "online-ewc",
            "--hidden", "8", "--epochs", "1", "--fisher-samples", "5", "--output", output,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("after task 1:"), "\(result.standardOutput)")
        let again = try executable.run([
            "train", "ewc", "--tasks", "permuted-digits:2", "--data", digits.path, "--method", "online-ewc",
            "--hidden", "8", "--epochs", "1", "--fisher-samples", "5", "--output", output, "--resume",
        ])
        #expect(again.status == 0 && again.standardOutput.contains("resumed from"), "\(again.standardError)")
        #expect(
            again.standardOutput.split(separator: "\n").filter { $0.hasPrefix("after task") }
                == result.standardOutput.split(separator: "\n").filter { $0.hasPrefix("after task") })
        let evaluation = try executable.run(["evaluate", output, "--json"])
        #expect(
            evaluation.status == 0 && evaluation.standardOutput.contains("task_accuracies"),
            "\(evaluation.standardError)")
        // Flags that mean nothing to a continual-learning model are refused, not silently ignored.
        for flag in [["--episodes", "3"], ["--refs", digits.path]] {
            let refused = try executable.run(["evaluate", output] + flag)
            #expect(refused.status == 2 && refused.standardError.contains("\(flag[0]) does not apply to a 'ewc' model"))
        }
        let input = directory.appendingPathComponent("rows.csv")
        try ((0..<64).map { _ in "3" } + ["?"]).joined(separator: ",").write(
            to: input, atomically: true, encoding: .utf8)
        let prediction = try executable.run(["predict", output, "--input", input.path])
        #expect(prediction.status == 0 && prediction.standardOutput.split(separator: "\n").count == 1)
        let badTasks = try executable.run([
            "train", "ewc", "--tasks", "rotated:5", "--data", digits.path, "--output", output,
        ])
        #expect(badTasks.status == 2)
    }
}
