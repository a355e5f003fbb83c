import Foundation
import Testing

/// `train seq2seq` and `evaluate` on TSV files with more than two columns (COGS's `source<TAB>target<TAB>category`):
/// `--columns S,T` and the per-category exact match of `evaluate --group-column N`.
@Suite("montague train seq2seq / evaluate: TSV columns and groups")
struct Seq2SeqColumnsCommandTests {
    static let rows = [
        ("A cat smiled .", "smile ( agent = cat )", "in_distribution"),
        ("A dog smiled .", "smile ( agent = dog )", "in_distribution"),
        ("Emma smiled .", "smile ( agent = Emma )", "in_distribution"),
        ("A cat ran .", "run ( agent = cat )", "primitive"),
        ("Emma ran .", "run ( agent = Emma )", "primitive"),
    ]

    private func executable() throws -> MontagueExecutable { try MontagueExecutable.locate() }

    private func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-columns-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func trainsOnThreeColumnsAndBreaksDownExactMatchByCategory() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tsv = try write(
            Self.rows.map { "\($0.0)\t\($0.1)\t\($0.2)" }.joined(separator: "\n") + "\n", "cogs.tsv", in: directory)
        let output = directory.appendingPathComponent("model").path
        let trained = try executable().run([
            "train", "seq2seq", "--train", tsv, "--test", tsv, "--hidden", "8", "--embedding", "4", "--steps", "2",
            "--seed", "1", "--max-length", "8", "--report-every", "1000", "--output", output,
        ])
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        #expect(trained.standardOutput.contains("train pairs: 5"), "\(trained.standardOutput)")
        let recorded = try String(contentsOfFile: output + "/parallel-data.json", encoding: .utf8)
        #expect(recorded.contains("\"columns\""), "\(recorded)")

        let json = try executable().run(["evaluate", output, "--data", tsv, "--group-column", "3", "--json"])
        #expect(json.status == 0, "stderr: \(json.standardError)")
        let scores = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Double])
        #expect(scores[tsv + ".group.in_distribution.total"] == 3)
        #expect(scores[tsv + ".group.primitive.total"] == 2)
        let correct = try #require(scores[tsv + ".correct"])
        let groupCorrect =
            (scores[tsv + ".group.in_distribution.correct"] ?? -1) + (scores[tsv + ".group.primitive.correct"] ?? -1)
        #expect(groupCorrect == correct)
        #expect(scores[tsv + ".mean_group_exact_match"] != nil)

        let text = try executable().run(["evaluate", output, "--data", tsv, "--group-column", "3"])
        #expect(text.status == 0, "stderr: \(text.standardError)")
        #expect(text.standardOutput.contains("per group (column 3, 2 groups"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("in_distribution  exact match: "))
        #expect(text.standardOutput.contains("primitive        exact match: "))
    }

    @Test func badColumnChoicesAreUsageErrorsOrLocated() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tsv = try write("a b\tA B\tx\nc\tC\n", "short.tsv", in: directory)
        // The second line has no third column: located at its end.
        let missing = try executable().run(["train", "seq2seq", "--train", tsv, "--columns", "1,3", "--steps", "1"])
        #expect(missing.status == 2)
        #expect(missing.standardError.hasPrefix("\(tsv):2:4: error: expected at least 3"), "\(missing.standardError)")
        for bad in ["1,1", "0,2", "1", "x,y"] {
            let result = try executable().run(["train", "seq2seq", "--train", tsv, "--columns", bad])
            #expect(result.status == 2, "--columns \(bad): \(result.standardError)")
        }
        let scan = try write("IN: walk OUT: I_WALK\n", "scan.txt", in: directory)
        let notTSV = try executable().run(["train", "seq2seq", "--train", scan, "--columns", "2,1"])
        #expect(notTSV.status == 2 && notTSV.standardError.contains("tab-separated"), "\(notTSV.standardError)")

        let good = try write("walk\tI_WALK\tp\njump\tI_JUMP\tp\n", "good.tsv", in: directory)
        let output = directory.appendingPathComponent("model").path
        let trained = try executable().run([
            "train", "seq2seq", "--train", good, "--hidden", "4", "--embedding", "4", "--steps", "1", "--seed", "1",
            "--output", output,
        ])
        #expect(trained.status == 0, "stderr: \(trained.standardError)")
        let sameAsTarget = try executable().run(["evaluate", output, "--data", good, "--group-column", "2"])
        #expect(sameAsTarget.status == 2 && sameAsTarget.standardError.contains("group column"))
        let zero = try executable().run(["evaluate", output, "--data", good, "--group-column", "0"])
        #expect(zero.status == 2)
        // Resuming with other columns than the directory was trained on is refused.
        let resumed = try executable().run([
            "train", "seq2seq", "--train", good, "--columns", "3,1", "--output", output,
        ])
        #expect(resumed.status == 2 && resumed.standardError.contains("--columns 1,2"), "\(resumed.standardError)")
    }
}
