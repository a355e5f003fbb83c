import Experiments
import Foundation
import MontagueSupport
import Testing

@Suite("Experiment plans, resumable runner and tables")
struct ExperimentRunnerTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("experiments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A stand-in for `montague`: `fake --output DIR --seed N [--fail-seed M]` writes a manifest whose metric
    /// `test.accuracy` is N/10 (and exits 3 without writing when N = M); it appends each call to `calls.log`.
    static func fakeExecutable(in directory: URL) throws -> URL {
        let script = directory.appendingPathComponent("fake-montague")
        let text = """
            #!/bin/sh
            out=""; seed=0; fail=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --output) out="$2"; shift 2;;
                --seed) seed="$2"; shift 2;;
                --fail-seed) fail="$2"; shift 2;;
                *) shift;;
              esac
            done
            echo "$seed" >> "\(directory.path)/calls.log"
            [ "$seed" = "$fail" ] && exit 3
            mkdir -p "$out"
            printf '{"kind":"demo","formatVersion":1,"montagueVersion":"0.1.0","hyperparameters":{},"dataFingerprints":{},"metrics":{"test.accuracy":0.%s},"files":{}}' "$seed" > "$out/manifest.json"
            """
        try text.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    static let planJSON = """
        {
          "name": "demo",
          "title": "A demo",
          "results": "results/demo.jsonl",
          "defaults": {"arguments": ["train", "demo", "--output", "{output}", "--seed", "{seed}"], "seeds": [1, 3]},
          "runs": [
            {"id": "a", "arguments": ["--data", "{data}/a.txt"], "labels": {"setting": "A | first"}},
            {"id": "b", "arguments": ["--fail-seed", "5"], "seeds": [5, 4], "labels": {"setting": "B"}}
          ],
          "columns": [
            {"header": "setting", "label": "setting"},
            {"header": "accuracy", "metric": "test.accuracy", "format": "percent"},
            {"header": "seeds", "metric": "seeds"}
          ]
        }
        """

    @Test("Runs what has no result, records failures, resumes without repeating, renders mean ± std")
    func runAndResume() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let planURL = root.appendingPathComponent("demo.json")
        try Self.planJSON.write(to: planURL, atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(from: planURL)
        let options = ExperimentRunner.Options(
            executable: try Self.fakeExecutable(in: root), runsRoot: root.appendingPathComponent("runs"),
            dataRoot: "/data")

        var runner = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        #expect(runner.arguments(run: plan.runs[0], seed: 1).suffix(2) == ["--data", "/data/a.txt"])
        var events: [String] = []
        let failures = try runner.run { event in
            if case .finished(let record) = event { events.append("\(record.run)/\(record.seed)/\(record.status)") }
        }
        #expect(failures == 1)
        #expect(events == ["a/1/ok", "a/3/ok", "b/5/failed", "b/4/ok"])

        // Resuming executes only the failed run.
        var again = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var skipped = 0
        _ = try again.run { event in if case .skipped = event { skipped += 1 } }
        #expect(skipped == 3)
        let calls = try String(contentsOf: root.appendingPathComponent("calls.log"), encoding: .utf8)
        #expect(calls.split(separator: "\n") == ["1", "3", "5", "4", "5"])

        let results = try ExperimentResults(url: root.appendingPathComponent("results/demo.jsonl"))
        #expect(results.records.count == 5)
        // The runner measures each run's CPU time (the fake command reports none).
        #expect(results.records.allSatisfy { ($0.metrics["cpu_seconds"] ?? -1) >= 0 || $0.status == "failed" })
        #expect(results.records.filter { $0.status == "ok" }.allSatisfy { $0.metrics["cpu_seconds"] != nil })
        // Records name no directory of the machine: `{data}` and `{output}` stay placeholders.
        let recorded = try #require(results.records.first { $0.run == "a" && $0.seed == 1 }).command
        #expect(
            recorded == ["montague", "train", "demo", "--output", "{output}", "--seed", "1", "--data", "{data}/a.txt"])
        #expect(!recorded.joined().contains(root.path))
        let table = ExperimentTable.render(plan: plan, results: results)
        // Seeds 1 and 3: 0.1 and 0.3 → mean 20.00 %, sample std 14.14 points; run b: only seed 4 finished.
        #expect(table.contains("| A \\| first | 20.00 % ± 14.14 | 2/2 |"))
        #expect(table.contains("| B | 40.00 % | 1/2 |"))
    }

    @Test("A run stopped before its schedule's end is shown as partial and continued by the next execution")
    func stoppedEarlyRunsContinue() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        // A stand-in that stops at step 4 of 10 on its first call into a directory and finishes on the next.
        let script = root.appendingPathComponent("fake-montague")
        try """
        #!/bin/sh
        out=""
        while [ $# -gt 0 ]; do
          case "$1" in --output) out="$2"; shift 2;; *) shift;; esac
        done
        steps=4; score=0.25
        [ -f "$out/manifest.json" ] && steps=10 && score=0.5
        mkdir -p "$out"
        printf '{"kind":"demo","formatVersion":1,"montagueVersion":"0.1.0","hyperparameters":{},"dataFingerprints":{},"metrics":{"test.accuracy":%s,"train.steps":%s,"train.schedule_steps":10},"files":{}}' "$score" "$steps" > "$out/manifest.json"
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let planURL = root.appendingPathComponent("long.json")
        try """
        {"name": "long", "results": "results.jsonl",
         "defaults": {"arguments": ["train", "demo", "--output", "{output}", "--seed", "{seed}"]},
         "runs": [{"id": "long", "arguments": [], "seeds": [1], "labels": {"setting": "L"}}],
         "columns": [{"header": "setting", "label": "setting"},
                     {"header": "accuracy", "metric": "test.accuracy", "format": "percent"},
                     {"header": "seeds", "metric": "seeds"}]}
        """.write(to: planURL, atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(from: planURL)
        let options = ExperimentRunner.Options(
            executable: script, runsRoot: root.appendingPathComponent("runs"), dataRoot: "/data")
        let resultsURL = root.appendingPathComponent("results.jsonl")

        var first = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        #expect(try first.run { _ in } == 0, "a run stopped at its time limit is not a failure")
        var results = try ExperimentResults(url: resultsURL)
        let stopped = try #require(results.latest(run: "long", seed: 1))
        #expect(stopped.succeeded && !stopped.isComplete)
        #expect(stopped.stoppedEarly?.steps == 4 && stopped.stoppedEarly?.scheduled == 10)
        #expect(
            ExperimentTable.render(plan: plan, results: results).contains(
                "| L | 25.00 % | 0/1 (stopped at 4 of 10 steps) |"))

        var second = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var events: [String] = []
        _ = try second.run { event in
            switch event {
            case .skipped: events.append("skipped")
            case .finished(let record): events.append("finished \(record.isComplete)")
            default: break
            }
        }
        #expect(events == ["finished true"])
        results = try ExperimentResults(url: resultsURL)
        #expect(ExperimentTable.render(plan: plan, results: results).contains("| L | 50.00 % | 1/1 |"))

        var third = try ExperimentRunner(plan: plan, planDirectory: root, options: options)
        var skipped = 0
        _ = try third.run { event in if case .skipped = event { skipped += 1 } }
        #expect(skipped == 1)
    }

    @Test("Tables replace the text between their markers only")
    func insertTable() throws {
        let document = "intro\n<!-- experiment-table: demo -->\nold\n<!-- /experiment-table: demo -->\nrest\n"
        let updated = try ExperimentTable.insert("| new |\n", named: "demo", into: document, path: "doc.md")
        #expect(updated == "intro\n<!-- experiment-table: demo -->\n| new |\n<!-- /experiment-table: demo -->\nrest\n")
        #expect(throws: InputError.self) { try ExperimentTable.insert("x", named: "other", into: document, path: "d") }
    }

    @Test(
        "Malformed plans and results are located errors",
        arguments: [
            ("{}", "missing key"),
            (#"{"name":"x","results":"r","runs":[],"columns":[]}"#, "no runs"),
            (
                #"{"name":"x","results":"r","runs":[{"id":"a","arguments":[]},{"id":"a","arguments":[]}],"columns":[{"header":"h","label":"l"}]}"#,
                "two runs"
            ),
            (
                #"{"name":"x","results":"r","runs":[{"id":"a b","arguments":[]}],"columns":[{"header":"h","label":"l"}]}"#,
                "run id"
            ),
            (
                #"{"name":"x","results":"r","runs":[{"id":"a","arguments":[]}],"columns":[{"header":"h"}]}"#,
                "exactly one"
            ),
            (
                #"{"name":"x","results":"r","runs":[{"id":"a","arguments":[],"budget":"5 parsecs"}],"columns":[{"header":"h","label":"l"}]}"#,
                "budget"
            ),
            (
                #"{"name":"x","results":"r","runs":[{"id":"a","arguments":[]}],"columns":[{"header":"h","metric":"m","format":"roman"}]}"#,
                "format"
            ),
        ])
    func malformedPlans(text: String, expected: String) throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let url = root.appendingPathComponent("plan.json")
        try text.write(to: url, atomically: true, encoding: .utf8)
        do {
            _ = try ExperimentPlan.load(from: url)
            Issue.record("expected an error for \(text)")
        } catch let error as InputError {
            #expect(error.description.hasPrefix(url.path + ": error: "))
            #expect(error.description.contains(expected))
        }
        try "{\"run\":\"a\"}\n".write(to: root.appendingPathComponent("r.jsonl"), atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try ExperimentResults(url: root.appendingPathComponent("r.jsonl")) }
    }

    @Test("A run's option replaces the defaults' occurrence of it, value included")
    func runArgumentsOverrideDefaults() {
        let defaults = ["train", "seq2seq", "--epochs", "40", "--cell", "gru", "--bidirectional", "--lr=0.01"]
        #expect(
            ExperimentRunner.merged(defaults: defaults, run: ["--epochs", "200", "--lr", "0.1", "--bidirectional"])
                == ["train", "seq2seq", "--cell", "gru", "--epochs", "200", "--lr", "0.1", "--bidirectional"])
        #expect(ExperimentRunner.merged(defaults: defaults, run: ["--seed", "1"]) == defaults + ["--seed", "1"])
        #expect(
            ExperimentRunner.merged(
                defaults: ["--style", "a=x", "--style", "b=y", "--n", "1"], run: ["--style", "c=z"])
                == ["--n", "1", "--style", "c=z"])
    }

    @Test("Budgets parse as durations")
    func budgets() {
        #expect(WallClockBudget("90s")?.seconds == 90)
        #expect(WallClockBudget("1h30m")?.seconds == 5400)
        #expect(WallClockBudget("2h")?.seconds == 7200)
        #expect(WallClockBudget("600")?.seconds == 600)
        #expect(WallClockBudget("0s") == nil)
        #expect(WallClockBudget("5x") == nil)
        #expect(WallClockBudget("10") != nil)
    }
}

@Suite("Experiment plan mutation fuzz")
struct ExperimentPlanFuzzTests {
    /// Seeded byte mutations of a valid plan and results file: every input loads or throws a located error.
    @Test("Mutated plans and results end in a value or an InputError")
    func mutations() throws {
        let root = try ExperimentRunnerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let seedPlan = Array(ExperimentRunnerTests.planJSON.utf8)
        let seedResults =
            Array(
                #"{"command":["m"],"exitStatus":0,"finished":"2026-01-01T00:00:00Z","metrics":{"a":1},"montagueVersion":"0.1.0","run":"a","seconds":2,"seed":1,"status":"ok"}"#
                    .utf8) + [0x0A]
        var random = SplitMix64(seed: 2026)
        let alphabet = Array("{}[]\":,0123456789.-eE \n\\tnulfr".utf8) + [0, 0xFF, 0xC3]
        let iterations = Int(ProcessInfo.processInfo.environment["MONTAGUE_FUZZ_ITERATIONS"] ?? "") ?? 400
        for iteration in 0..<iterations {
            var bytes = iteration % 2 == 0 ? seedPlan : seedResults
            for _ in 0...random.nextInt(below: 4) {
                let position = random.nextInt(below: bytes.count + 1)
                switch random.nextInt(below: 3) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(alphabet[random.nextInt(below: alphabet.count)], at: position)
                default:
                    if position < bytes.count { bytes[position] = alphabet[random.nextInt(below: alphabet.count)] }
                }
            }
            let url = root.appendingPathComponent("input-\(iteration % 2).json")
            try Data(bytes).write(to: url)
            do {
                if iteration % 2 == 0 {
                    _ = try ExperimentPlan.load(from: url)
                } else {
                    _ = try ExperimentResults(url: url)
                }
            } catch let error as InputError {
                #expect(error.location?.file == url.path)
            }
        }
    }
}

@Suite("Shipped experiment plans")
struct ShippedPlanTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("docs/experiments.md holds exactly the tables its plans render")
    func documentedTablesAreCurrent() throws {
        let documentURL = Self.packageRoot.appendingPathComponent("docs/experiments.md")
        let document = try String(contentsOf: documentURL, encoding: .utf8)
        for name in ["scan", "compgen"] {
            let planURL = Self.packageRoot.appendingPathComponent("experiments/\(name).json")
            let plan = try ExperimentPlan.load(from: planURL)
            let results = try ExperimentResults(
                url: planURL.deletingLastPathComponent().appendingPathComponent(plan.results))
            // Every record belongs to a run of the plan (a plan may list runs not made yet: they render as "—").
            let runIDs = Set(plan.runs.map(\.id))
            #expect(!results.records.isEmpty)
            for record in results.records {
                #expect(runIDs.contains(record.run), "\(name): a result of the unknown run '\(record.run)'")
            }
            let table = ExperimentTable.render(plan: plan, results: results)
            let updated = try ExperimentTable.insert(table, named: plan.name, into: document, path: documentURL.path)
            #expect(
                updated == document,
                "docs/experiments.md: run `montague experiment table experiments/\(name).json --into docs/experiments.md`"
            )
        }
    }
}
