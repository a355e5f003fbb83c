import Foundation
import Testing

/// `montague experiment run` and `experiment table` with a grammar-driven experiment, whose result is its
/// `summary.json` (no model directory manifest): recorded, rendered, and a command that leaves no result is an
/// error with exit status 2.
@Suite("montague experiment run: grammar experiments")
struct ExperimentRunCommandTests {
    static let grammars = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars").path

    /// A fresh scratch directory and the path of the plan to write in it.
    static func scratch() throws -> (root: URL, plan: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("montague-run-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return (root, root.appendingPathComponent("plan.json"))
    }

    /// `montague experiment run PLAN` over the shipped grammars, with its runs under `root/runs`.
    static func runPlan(_ plan: URL, in root: URL, with executable: MontagueExecutable) throws
        -> MontagueExecutable.Result
    {
        try executable.run([
            "experiment", "run", plan.path, "--data", grammars, "--runs", root.appendingPathComponent("runs").path,
        ])
    }

    static func plan(runs: String) -> String {
        """
        {
          "name": "grammar-gen",
          "results": "results.jsonl",
          "runs": [\(runs)],
          "columns": [
            {"header": "method", "label": "method"},
            {"header": "validity", "metric": "final.validity", "format": "percent"},
            {"header": "training-sample coverage", "metric": "trainingSample.coverage"},
            {"header": "seeds", "metric": "seeds"}
          ]
        }
        """
    }

    @Test func recordsAGrammarExperimentAndRendersItsMetrics() throws {
        let (root, planURL) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.plan(
            runs: """
                {"id": "mle", "seeds": [2], "labels": {"method": "MLE"}, "arguments": ["experiment", "generate",
                 "{data}/weighted-arithmetic.mont", "--method", "mle", "--train-samples", "40", "--eval-samples", "20",
                 "--pretrain-epochs", "1", "--max-length", "9", "--embedding-size", "4", "--hidden-size", "8",
                 "--batch-size", "16", "--seed", "{seed}", "--output", "{output}"]}
                """
        ).write(to: planURL, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let run = try Self.runPlan(planURL, in: root, with: executable)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.standardOutput.contains("mle seed 2: ok in "), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("final.validity="), "\(run.standardOutput)")
        // The runner's lines frame the run's own output in order, also when standard output is a pipe.
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.count > 2, "the run's own output is missing: \(run.standardOutput)")
        #expect(lines.first?.hasPrefix("mle seed 2: ") == true && lines.first?.contains("--method mle") == true)
        #expect(lines.last?.hasPrefix("mle seed 2: ok in ") == true, "\(run.standardOutput)")
        let records = try String(contentsOf: root.appendingPathComponent("results.jsonl"), encoding: .utf8)
        let record = try #require(
            JSONSerialization.jsonObject(with: Data(records.split(separator: "\n")[0].utf8)) as? [String: Any])
        let metrics = try #require(record["metrics"] as? [String: Double])
        let validity = try #require(metrics["final.validity"])
        #expect((0...1).contains(validity))
        #expect(metrics["trainingSample.coverage"] != nil)

        let table = try executable.run(["experiment", "table", planURL.path])
        #expect(table.status == 0, "stderr: \(table.standardError)")
        let row = try #require(table.standardOutput.split(separator: "\n").first { $0.hasPrefix("| MLE |") })
        #expect(row.contains(String(format: "%.2f %%", validity * 100)), "\(row)")
        #expect(row.hasSuffix("| 1/1 |"), "\(row)")

        // Resuming skips the recorded run.
        let again = try Self.runPlan(planURL, in: root, with: executable)
        #expect(again.status == 0 && again.standardOutput.contains("mle seed 2: done before, skipped"))
    }

    @Test func aCommandWithoutSummaryIsAnErrorWithStatus2() throws {
        let (root, planURL) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        // `experiment splits --output` writes train.txt and test.txt, no summary.json.
        try Self.plan(
            runs: """
                {"id": "split", "labels": {"method": "random split"}, "arguments": ["experiment", "splits",
                 "{data}/arithmetic.mont", "--split", "random", "--seed", "{seed}", "--output", "{output}"]}
                """
        ).write(to: planURL, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let run = try Self.runPlan(planURL, in: root, with: executable)
        #expect(run.status == 2, "stdout: \(run.standardOutput) stderr: \(run.standardError)")
        #expect(
            run.standardError.hasPrefix(
                "error: 1 run(s) exited with status 0 but left no readable result: split seed 0"),
            "\(run.standardError)")
        #expect(run.standardError.contains("neither manifest.json nor summary.json"))
        #expect(run.standardOutput.contains("split seed 0: failed in "))
        let table = try executable.run(["experiment", "table", planURL.path])
        #expect(
            table.status == 0 && table.standardOutput.contains("| random split | — | — | 0/1 |"),
            "\(table.standardOutput)")
    }

    @Test func recordsTheMeaningMapPerRepresentation() throws {
        let (root, planURL) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try """
        {"name": "mm", "results": "results.jsonl",
         "runs": [{"id": "mm", "labels": {"grammar": "arithmetic"}, "arguments": ["experiment", "meaning-map",
                   "{data}/weighted-arithmetic.mont", "--representation", "meaning", "--representation", "random",
                   "--expressions", "10", "--samples", "100", "--dimension", "4", "--epochs", "0",
                   "--chance-draws", "1", "--output", "{output}"]}],
         "columns": [{"header": "grammar", "label": "grammar"},
                     {"header": "grammar's meanings", "metric": "reference.functConsistency"},
                     {"header": "meaning", "metric": "representations.meaning.functConsistency"},
                     {"header": "random", "metric": "representations.random.functConsistency"}]}
        """.write(to: planURL, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let run = try Self.runPlan(planURL, in: root, with: executable)
        #expect(run.status == 0, "stdout: \(run.standardOutput) stderr: \(run.standardError)")
        #expect(run.standardOutput.contains("mm seed 0: ok in "), "\(run.standardOutput)")
        let records = try String(contentsOf: root.appendingPathComponent("results.jsonl"), encoding: .utf8)
        let record = try #require(
            JSONSerialization.jsonObject(with: Data(records.split(separator: "\n")[0].utf8)) as? [String: Any])
        let metrics = try #require(record["metrics"] as? [String: Double])
        // The grammar's own assignment is compositional on its terms; the settings are not metrics.
        #expect(metrics["reference.functConsistency"] == 1)
        #expect(metrics["representations.random.functConsistency"] != nil)
        #expect(metrics["representations.meaning.purity"] != nil)
        #expect(metrics["settings.chanceDraws"] == nil && metrics["chanceDraws"] == nil)
        let table = try executable.run(["experiment", "table", planURL.path])
        #expect(table.status == 0, "stderr: \(table.standardError)")
        let row = try #require(table.standardOutput.split(separator: "\n").first { $0.hasPrefix("| arithmetic |") })
        #expect(row.hasPrefix("| arithmetic | 1.0000 | "), "\(row)")
        #expect(!row.contains("—"), "\(row)")
    }

    @Test func recordsTREPerRepresentation() throws {
        let (root, planURL) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try """
        {"name": "tre", "results": "results.jsonl",
         "runs": [{"id": "tre", "labels": {"grammar": "arithmetic"}, "arguments": ["experiment", "tre",
                   "{data}/weighted-arithmetic.mont", "--representation", "additive", "--representation", "random",
                   "--expressions", "10", "--samples", "100", "--dimension", "4", "--output", "{output}"]}],
         "columns": [{"header": "grammar", "label": "grammar"},
                     {"header": "TRE additive", "metric": "representations.additive.treOperations"},
                     {"header": "TRE random", "metric": "representations.random.treOperations"}]}
        """.write(to: planURL, atomically: true, encoding: .utf8)
        let executable = try MontagueExecutable.locate()
        let run = try Self.runPlan(planURL, in: root, with: executable)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let table = try executable.run(["experiment", "table", planURL.path])
        #expect(table.status == 0, "stderr: \(table.standardError)")
        // Additive representations are exactly compositional (TRE 0); random ones are not.
        let row = try #require(table.standardOutput.split(separator: "\n").first { $0.hasPrefix("| arithmetic |") })
        #expect(row.hasPrefix("| arithmetic | 0.0000 | "), "\(row)")
        #expect(!row.hasSuffix("| 0.0000 |") && !row.hasSuffix("| — |"), "\(row)")
    }
}
