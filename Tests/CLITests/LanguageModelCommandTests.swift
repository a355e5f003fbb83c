import Foundation
import Testing

@Suite("montague train lm, predict, evaluate")
struct LanguageModelCommandTests {
    @Test("Train, sample, evaluate; flags that do not apply and missing models exit 2")
    func endToEnd() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lm-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        try (0..<40).map { ["a b c .", "a c b .", "b a c ."][$0 % 3] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run([
            "train", "lm", "--train", train.path, "--output", model, "--steps", "5", "--hidden", "8", "--embedding",
            "4",
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("trained 5 steps on 40 sentences"))
        let sampled = try montague.run(["predict", model, "--n", "4", "--seed", "1", "--json"])
        #expect(sampled.status == 0)
        let sentences = try JSONSerialization.jsonObject(with: Data(sampled.standardOutput.utf8)) as? [String]
        #expect(sentences?.count == 4)
        let again = try montague.run(["predict", model, "--n", "4", "--seed", "1", "--json"])
        #expect(again.standardOutput == sampled.standardOutput)
        let evaluated = try montague.run(["evaluate", model, "--data", train.path])
        #expect(evaluated.status == 0)
        #expect(evaluated.standardOutput.contains("perplexity"))
        let wrongFlag = try montague.run(["predict", model, "--episodes", "2"])
        #expect(wrongFlag.status == 2)
        let missing = try montague.run(["evaluate", root.appendingPathComponent("none").path, "--data", train.path])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("not a model directory"))
        let other = try montague.run([
            "train", "lm", "--train", train.path, "--output", model, "--steps", "5", "--hidden", "9",
        ])
        #expect(other.status == 2)
        #expect(other.standardError.contains("holds a model trained with other settings"))
        let continued = try montague.run([
            "train", "lm", "--train", train.path, "--output", model, "--steps", "8", "--hidden", "8", "--embedding",
            "4",
        ])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("trained 8 steps"))
    }

    @Test("--tokenizer takes the same spellings in train lm and train sentence-vae; a bad size exits 2 naming it")
    func subwordTokenizers() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lm-bpe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        try (0..<30).map { ["the cat sat .", "a dog ran .", "the dog sat ."][$0 % 3] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        for kind in ["lm", "sentence-vae"] {
            let model = root.appendingPathComponent(kind).path
            let trained = try montague.run([
                "train", kind, "--train", train.path, "--output", model, "--steps", "2", "--hidden", "8",
                "--embedding", "4", "--tokenizer", "bpe:270",
            ])
            #expect(trained.status == 0, "\(kind): \(trained.standardError)")
            let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
            #expect(manifest.contains("bpe:270"), "\(kind)")
            #expect(FileManager.default.fileExists(atPath: model + "/tokenizer.json"), "\(kind)")
            let bad = try montague.run([
                "train", kind, "--train", train.path, "--output", model + "-bad", "--tokenizer", "bpe:12",
            ])
            #expect(bad.status == 2 && bad.standardError.contains("bpe:12"), "\(kind): \(bad.standardError)")
            #expect(!FileManager.default.fileExists(atPath: model + "-bad"), "\(kind)")
        }
    }

    @Test("Continuing a warmup-cosine run with a larger budget says that the decay is planned anew")
    func cosineBudgetChange() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lm-cosine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        try (0..<20).map { ["a b c .", "b a c ."][$0 % 2] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        func run(steps: Int) throws -> MontagueExecutable.Result {
            try montague.run([
                "train", "lm", "--train", train.path, "--output", model, "--steps", "\(steps)", "--hidden", "8",
                "--embedding", "4", "--lr-schedule", "warmup-cosine", "--warmup-steps", "2",
            ])
        }
        let first = try run(steps: 4)
        #expect(first.status == 0, "\(first.standardError)")
        #expect(!first.standardOutput.contains("note:"))
        let longer = try run(steps: 8)
        #expect(longer.status == 0, "\(longer.standardError)")
        #expect(longer.standardOutput.contains("note: the warmup-cosine decay was planned over 4 steps"))
        let same = try run(steps: 8)
        #expect(same.status == 0 && !same.standardOutput.contains("note:"))
    }
}
