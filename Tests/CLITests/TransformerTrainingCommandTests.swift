import Foundation
import Testing

/// `montague train seqgan --arch transformer` and `--lr-schedule` of `train seq2seq` / `train lm`.
@Suite("montague train seqgan --arch transformer; learning-rate schedules")
struct TransformerTrainingCommandTests {
    static func scratch(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    @Test(
        "SeqGAN with a Transformer generator: train, continue, sample, evaluate; LSTM-only and Transformer-only flags exit 2"
    )
    func seqGANTransformer() throws {
        let root = try Self.scratch("seqgan-transformer-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("real.txt")
        try (0..<40).map { i in (0..<4).map { String((i + $0) % 6) }.joined(separator: " ") }.joined(separator: "\n")
            .write(to: data, atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        func common(_ output: String) -> [String] {
            [
                "train", "seqgan", "--train", data.path, "--vocabulary", "6", "--length", "4", "--arch", "transformer",
                "--layers", "1", "--model-size", "8", "--heads", "2", "--feed-forward", "16", "--batch-size", "8",
                "--pretrain-epochs", "1", "--d-pretrain", "1", "--negatives", "8", "--filter-scale", "0.01",
                "--rollouts", "2", "--d-steps", "1", "--eval-samples", "16", "--output", output, "--quiet",
            ]
        }
        let model = root.appendingPathComponent("model").path
        let trained = try montague.run(common(model) + ["--rounds", "1"])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("completed after 3 rounds"), "\(trained.standardOutput)")
        let continued = try montague.run(common(model) + ["--rounds", "2"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("completed after 4 rounds"), "\(continued.standardOutput)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("transformer"), "\(manifest)")
        let sampled = try montague.run(["predict", model, "--n", "3", "--seed", "2"])
        #expect(sampled.status == 0, "\(sampled.standardError)")
        let lines = sampled.standardOutput.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.split(separator: " ").count == 4 })
        let evaluated = try montague.run(["evaluate", model, "--json"])
        #expect(evaluated.status == 0 && evaluated.standardOutput.contains("distinct_1"), "\(evaluated.standardError)")
        // The run continues only with its own settings.
        let other = try montague.run(common(model).map { $0 == "16" ? "32" : $0 } + ["--rounds", "2"])
        #expect(other.status == 2 && other.standardError.contains("other settings"), "\(other.standardError)")
        for method in ["mle", "scheduled-sampling", "gumbel"] {
            let output = root.appendingPathComponent(method).path
            let run = try montague.run(common(output) + ["--rounds", "1", "--method", method, "--dropout", "0.1"])
            #expect(run.status == 0, "\(method): \(run.standardError)")
        }
        // Transformer-only flags with the LSTM, LSTM-only flags with the Transformer: exit 2, named.
        let lstm = [
            "train", "seqgan", "--train", data.path, "--vocabulary", "6", "--length", "4", "--output",
            root.appendingPathComponent("x").path,
        ]
        for flags in [
            ["--heads", "2"], ["--layers", "2"], ["--dropout", "0.1"], ["--no-tie"], ["--model-size", "8"],
        ] {
            let wrong = try montague.run(lstm + flags)
            #expect(wrong.status == 2, "\(flags)")
            #expect(
                wrong.standardError.contains("\(flags[0]) applies only to --arch transformer"), "\(wrong.standardError)"
            )
        }
        for flags in [["--hidden", "4"], ["--embedding", "4"], ["--init-std", "0.1"]] {
            let wrong = try montague.run(lstm + ["--arch", "transformer"] + flags)
            #expect(wrong.status == 2, "\(flags)")
            #expect(wrong.standardError.contains("\(flags[0]) applies only to --arch lstm"), "\(wrong.standardError)")
        }
        let indivisible = try montague.run(lstm + ["--arch", "transformer", "--model-size", "10", "--heads", "4"])
        #expect(indivisible.status == 2 && indivisible.standardError.contains("not divisible"))
        let badArch = try montague.run(lstm + ["--arch", "gru"])
        #expect(badArch.status == 2)
    }

    @Test("--lr-schedule: recorded in seq2seq and lm model directories, resumed; bad values exit 2")
    func learningRateSchedules() throws {
        let root = try Self.scratch("lr-schedule-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let pairs = root.appendingPathComponent("pairs.txt")
        try (0..<16).map { i in
            let word = ["jump", "walk", "run", "look"][i % 4]
            return "IN: \(word) twice OUT: I_\(word.uppercased()) I_\(word.uppercased())"
        }.joined(separator: "\n").write(to: pairs, atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        let model = root.appendingPathComponent("s2s").path
        let seq2seq = [
            "train", "seq2seq", "--train", pairs.path, "--test", pairs.path, "--arch", "transformer", "--layers", "1",
            "--model-size", "8", "--heads", "2", "--batch-size", "4", "--lr-schedule", "warmup-inverse-sqrt",
            "--warmup-steps", "3", "--output", model, "--metrics", root.appendingPathComponent("m.jsonl").path,
        ]
        let first = try montague.run(seq2seq + ["--epochs", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("warmup-inverse-sqrt") && manifest.contains("warmupSteps"), "\(manifest)")
        // Resumed without the schedule flags: the saved schedule continues (its learning rates in the log).
        let resumed = try montague.run([
            "train", "seq2seq", "--train", pairs.path, "--test", pairs.path, "--epochs", "2", "--output", model,
            "--metrics", root.appendingPathComponent("m.jsonl").path, "--report-every", "1",
        ])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let log = try String(contentsOfFile: root.appendingPathComponent("m.jsonl").path, encoding: .utf8)
        #expect(log.contains("learning_rate"), "\(log)")
        let lm = try montague.run([
            "train", "lm", "--train", data(root).path, "--steps", "4", "--lr-schedule", "warmup-cosine",
            "--warmup-steps", "2", "--output", root.appendingPathComponent("lm").path,
        ])
        #expect(lm.status == 0, "\(lm.standardError)")
        let lmManifest = try String(
            contentsOfFile: root.appendingPathComponent("lm/manifest.json").path, encoding: .utf8)
        #expect(lmManifest.contains("warmup-cosine"), "\(lmManifest)")
        for flags in [
            ["--lr-schedule", "linear"], ["--warmup-steps", "-1"],
            ["--lr-schedule", "constant", "--warmup-steps", "5"],
        ] {
            let bad = try montague.run(
                [
                    "train", "seq2seq", "--train", pairs.path, "--output", root.appendingPathComponent("bad").path,
                ] + flags)
            #expect(bad.status == 2, "\(flags): \(bad.standardError)")
            let badLM = try montague.run(
                [
                    "train", "lm", "--train", data(root).path, "--output", root.appendingPathComponent("bad-lm").path,
                ] + flags)
            #expect(badLM.status == 2, "\(flags): \(badLM.standardError)")
        }
        let warmupAlone = try montague.run([
            "train", "lm", "--train", data(root).path, "--output", root.appendingPathComponent("bad-lm").path,
            "--warmup-steps", "5",
        ])
        #expect(warmupAlone.status == 2 && warmupAlone.standardError.contains("--warmup-steps needs"))
    }

    private func data(_ root: URL) throws -> URL {
        let url = root.appendingPathComponent("sentences.txt")
        if !FileManager.default.fileExists(atPath: url.path) {
            try (0..<12).map { ["a b c .", "a c b .", "b a c ."][$0 % 3] }.joined(separator: "\n")
                .write(to: url, atomically: true, encoding: .utf8)
        }
        return url
    }
}
