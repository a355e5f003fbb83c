import Experiments
import Foundation
import MontagueSupport
import Testing

/// The runner's results from commands that write `summary.json` (the grammar-driven experiments) instead of a model
/// directory's `manifest.json`.
@Suite("Experiment runner: results from summary.json")
struct ExperimentSummaryResultTests {
    static let summary = """
        {"grammar": "g.mont", "settings": {"seed": 7, "rounds": 2}, "seconds": 1.5, "meanings": 12,
         "final": {"validity": 0.75, "overall": {"meaning_preservation": 0.5, "source_bleu": null}},
         "trainingSentences": [3, 4], "stoppedByTimeLimit": false}
        """

    static func directory(summary: String?, manifestMetric: Double? = nil) throws -> URL {
        let url = try ExperimentRunnerTests.temporaryDirectory()
        if let summary {
            try summary.write(to: url.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
        }
        if let manifestMetric {
            let manifest = """
                {"kind":"demo","formatVersion":1,"montagueVersion":"0.1.0","hyperparameters":{},\
                "dataFingerprints":{},"metrics":{"test.accuracy":\(manifestMetric)},"files":{}}
                """
            try manifest.write(to: url.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        }
        return url
    }

    @Test("Every number outside settings, named by its dotted path; arrays, strings, booleans, nulls left out")
    func flattensTheSummary() throws {
        let url = try Self.directory(summary: Self.summary)
        defer { try? FileManager.default.removeItem(at: url) }
        let metrics = try ExperimentRunner.resultMetrics(in: url)
        #expect(
            metrics == [
                "seconds": 1.5, "meanings": 12, "final.validity": 0.75, "final.overall.meaning_preservation": 0.5,
            ])
    }

    @Test("A model directory's manifest takes precedence over a summary")
    func manifestFirst() throws {
        let url = try Self.directory(summary: Self.summary, manifestMetric: 0.25)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try ExperimentRunner.resultMetrics(in: url) == ["test.accuracy": 0.25])
    }

    @Test(
        "Missing or malformed summaries are errors naming the file",
        arguments: [
            (nil, "neither manifest.json nor summary.json"),
            ("{\"final\": ", "malformed summary"),
            ("[1, 2]", "not a JSON object"),
            (#"{"settings": {"seed": 1}, "grammar": "g.mont"}"#, "no number outside 'settings'"),
        ] as [(String?, String)])
    func unreadable(summary: String?, expected: String) throws {
        let url = try Self.directory(summary: summary)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try ExperimentRunner.resultMetrics(in: url)
            Issue.record("no error for \(summary ?? "no summary")")
        } catch let error as InputError {
            #expect(error.description.contains(expected), "\(error)")
            #expect(error.description.contains(url.path))
        }
    }

    /// `fake --output DIR --seed N --summary KIND`: exits 0 after writing DIR/summary.json with `final.validity`
    /// N/10 (KIND `good`), a truncated summary (`bad`), or nothing (`none`).
    static func fakeExecutable(in directory: URL) throws -> URL {
        let script = directory.appendingPathComponent("fake-montague")
        let text = """
            #!/bin/sh
            out=""; seed=0; kind=good
            while [ $# -gt 0 ]; do
              case "$1" in
                --output) out="$2"; shift 2;;
                --seed) seed="$2"; shift 2;;
                --summary) kind="$2"; shift 2;;
                *) shift;;
              esac
            done
            mkdir -p "$out"
            case "$kind" in
              good) printf '{"settings":{"seed":%s},"seconds":2,"final":{"validity":0.%s}}' "$seed" "$seed" > "$out/summary.json";;
              bad) printf '{"final":' > "$out/summary.json";;
            esac
            exit 0
            """
        try text.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    @Test("The runner records a summary's metrics, tables render them, and unreadable results fail with the reason")
    func runnerRecordsSummaries() throws {
        let root = try ExperimentRunnerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let planURL = root.appendingPathComponent("gen.json")
        try """
        {
          "name": "gen", "results": "results/gen.jsonl",
          "defaults": {"arguments": ["experiment", "generate", "g.mont", "--output", "{output}", "--seed", "{seed}"],
                       "seeds": [2, 4]},
          "runs": [
            {"id": "good", "arguments": [], "labels": {"method": "mle"}},
            {"id": "bad", "arguments": ["--summary", "bad"], "seeds": [1], "labels": {"method": "bad"}},
            {"id": "none", "arguments": ["--summary", "none"], "seeds": [1], "labels": {"method": "none"}}
          ],
          "columns": [
            {"header": "method", "label": "method"},
            {"header": "validity", "metric": "final.validity", "format": "percent"},
            {"header": "seeds", "metric": "seeds"}
          ]
        }
        """.write(to: planURL, atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(from: planURL)
        var runner = try ExperimentRunner(
            plan: plan, planDirectory: root,
            options: .init(
                executable: try Self.fakeExecutable(in: root), runsRoot: root.appendingPathComponent("runs")))
        var finished: [String] = []
        do {
            _ = try runner.run { event in
                if case .finished(let record) = event { finished.append("\(record.run)/\(record.status)") }
            }
            Issue.record("runs without a readable result did not make the runner fail")
        } catch let error as InputError {
            #expect(error.message.contains("2 run(s) exited with status 0 but left no readable result"))
            #expect(error.message.contains("bad seed 1: no result recorded: ") && error.message.contains("malformed"))
            #expect(error.message.contains("none seed 1: no result recorded: ") && error.message.contains("neither"))
        }
        // Every run was executed and recorded before the error.
        #expect(finished == ["good/ok", "good/ok", "bad/failed", "none/failed"])
        let results = try ExperimentResults(url: root.appendingPathComponent("results/gen.jsonl"))
        let good = try #require(results.latest(run: "good", seed: 2))
        #expect(good.metrics["final.validity"] == 0.2 && good.metrics["seconds"] == 2)
        #expect(good.metrics["settings.seed"] == nil)
        #expect(results.latest(run: "bad", seed: 1)?.note?.contains("summary.json") == true)
        let table = ExperimentTable.render(plan: plan, results: results)
        // Seeds 2 and 4: 0.2 and 0.4 → mean 30.00 %, sample std 14.14 points.
        #expect(table.contains("| mle | 30.00 % ± 14.14 | 2/2 |"), "\(table)")
        #expect(table.contains("| bad | — | 0/1 |"), "\(table)")
    }
}
