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

    @Test("--word-vectors starts the embeddings from a word2vec/GloVe file; a bad file or width exits 2")
    func wordVectors() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lm-vectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let train = root.appendingPathComponent("train.txt")
        try (0..<20).map { ["a b c .", "b a c ."][$0 % 2] }.joined(separator: "\n")
            .write(to: train, atomically: true, encoding: .utf8)
        let vectors = root.appendingPathComponent("vectors.txt")
        try "2 4\na 0.1 0.2 0.3 0.4\nzebra 1 2 3 4\n".write(to: vectors, atomically: true, encoding: .utf8)
        let broken = root.appendingPathComponent("broken.txt")
        try "a 0.1 0.2 0.3 0.4\nb 1 x 3 4\n".write(to: broken, atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        func trainWith(_ file: URL, embedding: Int, output: String) throws -> MontagueExecutable.Result {
            try montague.run([
                "train", "lm", "--train", train.path, "--output", root.appendingPathComponent(output).path,
                "--steps", "2", "--hidden", "8", "--embedding", "\(embedding)", "--word-vectors", file.path,
            ])
        }
        let trained = try trainWith(vectors, embedding: 4, output: "model")
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("embeddings: 1 of"), "\(trained.standardOutput)")
        let narrow = try trainWith(vectors, embedding: 6, output: "narrow")
        #expect(narrow.status == 2 && narrow.standardError.contains("4 dimensions"), "\(narrow.standardError)")
        let bad = try trainWith(broken, embedding: 4, output: "bad")
        #expect(bad.status == 2 && bad.standardError.contains("broken.txt:2:"), "\(bad.standardError)")
        // The style classifier (TextCNN) of train style-transfer takes the same files.
        let good = root.appendingPathComponent("good.txt")
        try (0..<30).map { ["the a was good .", "a b good ."][$0 % 2] }.joined(separator: "\n")
            .write(to: good, atomically: true, encoding: .utf8)
        let styles = ["--style", "neg=\(train.path)", "--style", "pos=\(good.path)", "--lm-steps", "0"]
        let styled = try montague.run(
            ["train", "style-transfer"] + styles + [
                "--classifier-epochs", "1", "--classifier-word-vectors", vectors.path, "--output",
                root.appendingPathComponent("style").path,
            ])
        #expect(styled.status == 0, "\(styled.standardError)")
        let manifest = try String(
            contentsOfFile: root.appendingPathComponent("style/manifest.json").path, encoding: .utf8)
        #expect(manifest.contains("\"embeddingSize\" : 4"), "\(manifest)")
        let reused = try montague.run(
            ["train", "style-transfer"] + styles + [
                "--classifier-from", root.appendingPathComponent("style").path, "--classifier-word-vectors",
                vectors.path, "--output", root.appendingPathComponent("style2").path,
            ])
        #expect(reused.status == 2 && reused.standardError.contains("--classifier-word-vectors"))
    }
}
