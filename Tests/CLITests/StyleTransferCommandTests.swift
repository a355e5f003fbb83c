import Foundation
import Testing

@Suite("montague train style-transfer, predict, evaluate")
struct StyleTransferCommandTests {
    static func scratch(_ name: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// Three small corpora that differ in one word.
    static func writeStyles(to root: URL) throws -> [String] {
        let words = [("neg", "bad"), ("pos", "good"), ("old", "goodly")]
        return try words.map { name, word in
            let url = root.appendingPathComponent("\(name).txt")
            let nouns = ["soup", "bread", "tea", "room", "view", "staff", "price", "host"]
            try (0..<24).map { "the \(nouns[$0 % nouns.count]) was \(word) \($0 % 2 == 0 ? "today" : "again") ." }
                .joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return "\(name)=\(url.path)"
        }
    }

    @Test("A three-style StarGAN model: train, predict, evaluate every direction (text and JSON); refs need a target")
    func threeStyleStarGAN() throws {
        let root = try Self.scratch("stargan-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try Self.writeStyles(to: root)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let trained = try montague.run(
            ["train", "style-transfer"] + styles.flatMap { ["--style", $0] } + [
                "--method", "stargan", "--attention", "--pretrain-steps", "1", "--embedding-size", "8",
                "--style-size", "4", "--content-size", "12", "--filter-widths", "1,2", "--filter-count", "4",
                "--dropout", "0", "--min-count", "1", "--batch-size", "6", "--steps", "3", "--eval-every", "3",
                "--validation-sentences", "2", "--valid-fraction", "0.1", "--classifier-epochs", "1",
                "--lm-steps", "2", "--seed", "1", "--output", model,
            ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("steps: 3"))

        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was bad again .\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run(["predict", model, "--to", "old", "--input", input.path])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 3)

        // Held-out sentences: each style goes to both others, six directions.
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        for direction in ["neg → pos", "neg → old", "pos → neg", "pos → old", "old → neg", "old → pos"] {
            #expect(evaluated.standardOutput.contains(direction), "\(evaluated.standardOutput)")
        }
        #expect(evaluated.standardOutput.contains("GM(accuracy, source-BLEU)"))

        let json = try montague.run(["evaluate", model, "--data", "pos=\(input.path)", "--json"])
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let directions = try #require(report["directions"] as? [[String: Any]])
        #expect(directions.compactMap { $0["to"] as? String }.sorted() == ["neg", "old"])
        #expect(directions.allSatisfy { ($0["sentences"] as? Int) == 2 })
        #expect(report["accuracy"] is Double && report["sourceBLEU"] is Double)

        // References are per target: with three styles they need one, so this is a user error (exit 2).
        let refs = try montague.run(["evaluate", model, "--data", "pos=\(input.path)", "--refs", "pos=\(input.path)"])
        #expect(refs.status == 2)
        #expect(refs.standardError.contains("references need a target style"), "\(refs.standardError)")

        // A bad rollout count is refused before training.
        let bad = try montague.run(
            ["train", "style-transfer"] + styles.flatMap { ["--style", $0] } + [
                "--method", "cycle", "--generator-training", "policy-gradient", "--rollouts", "-1", "--output",
                root.appendingPathComponent("bad").path,
            ])
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("rollouts"), "\(bad.standardError)")
    }
}
