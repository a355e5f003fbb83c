import Experiments
import Foundation
import MontagueSupport
import Testing

@Suite("Experiment runner: directories trained outside it")
struct ExperimentAdoptionTests {
    static let planJSON = """
        {
          "name": "demo",
          "results": "results/demo.jsonl",
          "defaults": {"arguments": ["train", "demo", "--output", "{output}", "--seed", "{seed}"], "seeds": [1]},
          "runs": [{"id": "a", "arguments": ["--lr", "0.001", "--arch", "transformer", "--data", "{data}/a.txt"]}],
          "columns": [
            {"header": "accuracy", "metric": "test.accuracy", "format": "percent"},
            {"header": "wall (s)", "metric": "seconds", "format": "integer"}
          ]
        }
        """

    /// A plan directory with the fake executable, a 5-byte data file and the run's directory holding `manifest`.
    static func setUp(manifest: String?) throws -> (root: URL, plan: ExperimentPlan, options: ExperimentRunner.Options)
    {
        let root = try ExperimentRunnerTests.temporaryDirectory()
        let planURL = root.appendingPathComponent("demo.json")
        try planJSON.write(to: planURL, atomically: true, encoding: .utf8)
        let data = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "12345".write(to: data.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        if let manifest {
            let directory = root.appendingPathComponent("runs/demo/a-seed1")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try manifest.write(to: directory.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        }
        let options = ExperimentRunner.Options(
            executable: try ExperimentRunnerTests.fakeExecutable(in: root),
            runsRoot: root.appendingPathComponent("runs"),
            dataRoot: data.path)
        return (root, try ExperimentPlan.load(from: planURL), options)
    }

    static func manifest(learningRate: String = "0.0010000000474974513", size: Int = 5) -> String {
        """
        {"kind":"demo","formatVersion":1,"montagueVersion":"0.1.0",\
        "hyperparameters":{"architecture":"transformer","learningRate":\(learningRate),"seed":1,\
        "transformer":{"modelSize":128}},\
        "dataFingerprints":{"a.txt":"\(size) bytes"},"metrics":{"test.accuracy":0.7},"files":{}}
        """
    }

    static func calls(in root: URL) -> [Substring] {
        ((try? String(contentsOf: root.appendingPathComponent("calls.log"), encoding: .utf8)) ?? "")
            .split(separator: "\n")
    }

    @Test("A direct run in the run's directory is refused, then adopted without training when its settings agree")
    func refuseThenAdopt() throws {
        let (root, plan, options) = try Self.setUp(manifest: Self.manifest())
        defer { try? FileManager.default.removeItem(at: root) }

        var runner = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var reasons: [String] = []
        let failures = try runner.run { event in if case .refused(_, _, let reason) = event { reasons.append(reason) } }
        #expect(failures == 1)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("did not start") == true)
        #expect(reasons.first?.contains("--adopt") == true)
        #expect(Self.calls(in: root).isEmpty)
        #expect(runner.results.records.isEmpty)

        var adopting = options
        adopting.adopt = true
        var adopter = try ExperimentRunner(plan: plan, planDirectory: root, options: adopting)
        var finished: [ExperimentRecord] = []
        #expect(try adopter.run { event in if case .finished(let record) = event { finished.append(record) } } == 0)
        let record = try #require(finished.first)
        #expect(record.metrics["test.accuracy"] == 0.7)
        #expect(record.seconds == nil)
        #expect(record.note?.hasPrefix("adopted") == true)
        #expect(record.note?.contains("4 options checked") == true)  // --seed, --lr, --arch and the data file
        #expect(record.command.contains("{data}/a.txt"))
        #expect(Self.calls(in: root).isEmpty)
        let provenance = try #require(
            ExperimentRunProvenance.read(in: root.appendingPathComponent("runs/demo/a-seed1")))
        #expect(provenance.origin == "adopted")
        #expect(provenance.command == record.command)

        // The adopted result stands: the next run skips it, and the table has no wall time for it.
        var again = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var skipped = 0
        #expect(try again.run { event in if case .skipped = event { skipped += 1 } } == 0)
        #expect(skipped == 1)
        let table = ExperimentTable.render(plan: plan, results: again.results)
        #expect(table.contains("| 70.00 % | — |"))
    }

    @Test(
        "A directory whose manifest disagrees with the run is not adopted",
        arguments: [
            (manifest(learningRate: "0.002"), "--lr 0.001 in the plan, learningRate 0.002 in the directory"),
            (manifest(size: 6), "a.txt: 5 bytes here, 6 when trained"),
            (
                manifest().replacingOccurrences(of: "\"architecture\":\"transformer\",", with: ""),
                "records no architecture"
            ),
        ])
    func disagreement(manifest: String, expected: String) throws {
        let (root, plan, options) = try Self.setUp(manifest: manifest)
        defer { try? FileManager.default.removeItem(at: root) }
        var adopting = options
        adopting.adopt = true
        var runner = try ExperimentRunner(plan: plan, planDirectory: root, options: adopting)
        var reasons: [String] = []
        #expect(try runner.run { event in if case .refused(_, _, let reason) = event { reasons.append(reason) } } == 1)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains(expected) == true, "\(reasons)")
        #expect(runner.results.records.isEmpty)
        #expect(Self.calls(in: root).isEmpty)
    }

    @Test("The runner resumes its own interrupted directories: noted before execution, or recorded in the results")
    func ownDirectoriesResume() throws {
        let (root, plan, options) = try Self.setUp(manifest: nil)
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("runs/demo/a-seed1")

        // A fresh run is executed, and its directory carries the command it was started with.
        var runner = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        #expect(try runner.run { _ in } == 0)
        let noted = try #require(ExperimentRunProvenance.read(in: directory))
        #expect(noted.origin == "executed")
        #expect(noted.command == runner.results.records.first?.command)

        // Interrupted (no result recorded yet): executed again in the same directory, not refused.
        let resultsURL = root.appendingPathComponent("results/demo.jsonl")
        try FileManager.default.removeItem(at: resultsURL)
        var resumed = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var refused = 0
        #expect(try resumed.run { event in if case .refused = event { refused += 1 } } == 0)
        #expect(refused == 0)
        #expect(Self.calls(in: root) == ["1", "1"])

        // A directory from before the runner noted its commands is its own when a record names the same command.
        try FileManager.default.removeItem(at: directory.appendingPathComponent(ExperimentRunProvenance.fileName))
        var record = try #require(resumed.results.records.first)
        record.status = "failed"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try (String(decoding: try encoder.encode(record), as: UTF8.self) + "\n").write(
            to: resultsURL, atomically: true, encoding: .utf8)
        var older = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        #expect(try older.run { _ in } == 0)
        #expect(Self.calls(in: root).count == 3)

        // The same directory under a changed command is another model: refused (--force: a result exists).
        var other = plan
        other.runs[0].arguments = plan.runs[0].arguments.map { $0 == "0.001" ? "0.003" : $0 }
        var forcing = options
        forcing.force = true
        var refusing = try ExperimentRunner(plan: other, planDirectory: root, options: forcing)
        var reasons: [String] = []
        #expect(
            try refusing.run { event in if case .refused(_, _, let reason) = event { reasons.append(reason) } } == 1)
        #expect(reasons.first?.contains("another command") == true)
        #expect(Self.calls(in: root).count == 3)
    }

    @Test("The settings check maps options to manifest keys, nested ones included, and skips execution options")
    func settingsCheck() {
        let hyperparameters = JSONValue.object([
            "batchSize": .number(32), "bidirectional": .bool(true), "learningRate": .number(0.0005000000237),
            "transformer": .object(["headCount": .number(4), "modelSize": .number(128)]),
            "learningRateSchedule": .string("warmup-cosine"),
        ])
        let agreeing = ModelDirectorySettingsCheck.check(
            arguments: [
                "train", "seq2seq", "--batch-size", "32", "--bidirectional", "--lr=5e-4", "--heads", "4",
                "--model-size", "128", "--lr-schedule", "warmup-cosine", "--time-limit", "5m", "--output", "{output}",
                "--report-every", "200", "--frobnicate", "7",
            ],
            hyperparameters: hyperparameters, dataFingerprints: [:])
        #expect(agreeing.problems.isEmpty)
        #expect(agreeing.checked == 6)
        #expect(agreeing.unchecked == ["--frobnicate"])

        let disagreeing = ModelDirectorySettingsCheck.check(
            arguments: ["--batch-size", "64", "--heads", "8", "--warmup-steps", "500", "--train", "{data}/x.txt"],
            hyperparameters: hyperparameters, dataFingerprints: ["y.txt": "10 bytes"])
        #expect(disagreeing.problems.count == 3)
        #expect(disagreeing.problems.contains("--batch-size 64 in the plan, batchSize 32 in the directory"))
        #expect(disagreeing.problems.contains("--heads 8 in the plan, headCount 4 in the directory"))
        #expect(disagreeing.problems.contains { $0.hasPrefix("--train x.txt: not among the files") })
        #expect(disagreeing.unchecked == ["--warmup-steps"])
    }
}
