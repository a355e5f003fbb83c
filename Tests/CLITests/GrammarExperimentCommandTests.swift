import Foundation
import Testing

/// `montague experiment generate`, `experiment tre` and `experiment conditional` end to end (tiny settings).
@Suite("montague experiment generate / tre / conditional")
struct GrammarExperimentCommandTests {
    static let grammars = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars")

    func grammar(_ name: String) -> String { Self.grammars.appendingPathComponent(name).path }

    static let tiny = [
        "--train-samples", "40", "--max-length", "9", "--embedding-size", "4", "--hidden-size", "8",
        "--batch-size", "16", "--eval-interval", "1", "--seed", "2",
    ]

    @Test func generateWritesMetricsCurvesAndSamples() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-gen-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try MontagueExecutable.locate().run(
            [
                "experiment", "generate", grammar("weighted-arithmetic.mont"), "--method", "seqgan", "--reward",
                "grammar-validity", "--eval-samples", "20", "--pretrain-epochs", "1", "--rounds", "1", "--rollouts",
                "1",
                "--output", directory.path, "--json",
            ] + Self.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let final = summary?["final"] as? [String: Any]
        #expect(final?["validity"] != nil && final?["mean_reward"] != nil)
        for file in ["metrics.jsonl", "quality.svg", "nll.svg", "samples.txt", "train.txt", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        let log = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        #expect(log.split(separator: "\n").count == 3)
        #expect(log.contains("\"validity\""))
    }

    @Test func grammarRewardWithTheGumbelGANIsAUsageError() throws {
        let result = try MontagueExecutable.locate().run([
            "experiment", "generate", grammar("weighted-arithmetic.mont"), "--method", "gumbel", "--reward",
            "grammar-probability",
        ])
        #expect(result.status == 2)
        #expect(result.standardError.contains("error: a grammar reward needs --method seqgan"))
        let missing = try MontagueExecutable.locate().run(["experiment", "generate", "no-such.mont"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("no-such.mont"))
    }

    @Test func trePrintsTheTable() throws {
        let result = try MontagueExecutable.locate().run([
            "experiment", "tre", grammar("weighted-arithmetic.mont"), "--representation", "additive",
            "--representation", "random", "--expressions", "30", "--samples", "300", "--dimension", "8",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.hasPrefix("| representation | TRE (operations)"))
        #expect(result.standardOutput.contains("| additive | 0.0000"))
        #expect(result.standardOutput.contains("| random |"))
    }

    @Test func conditionalReportsAccuracy() throws {
        let result = try MontagueExecutable.locate().run(
            [
                "experiment", "conditional", grammar("weighted-arithmetic.mont"), "--epochs", "1", "--eval-conditions",
                "20", "--json",
            ] + Self.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        let final = summary?["final"] as? [String: Any]
        let accuracy = try #require(final?["accuracy"] as? Double)
        #expect((0...1).contains(accuracy))
    }
}
