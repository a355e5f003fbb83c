import Foundation
import Testing

/// `montague experiment meaning-map` end to end: a tiny study, bad flags and unreadable grammars (exit status 2
/// with a located message).
@Suite("montague experiment meaning-map")
struct ExperimentMeaningMapCommandTests {
    static let arithmetic = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars/weighted-arithmetic.mont").path

    static let tiny = [
        "--representation", "meaning", "--representation", "random", "--expressions", "20", "--samples", "200",
        "--dimension", "4", "--epochs", "0", "--chance-draws", "2",
    ]

    @Test func printsTheTableAndWritesItsFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mm-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let result = try executable.run(
            ["experiment", "meaning-map", Self.arithmetic, "--output", directory.path] + Self.tiny)
        #expect(result.status == 0, "stderr: \(result.standardError)")
        #expect(result.standardOutput.contains("| meaning |") && result.standardOutput.contains("| random |"))
        for file in ["meaning-map.md", "meaning-map.json", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        // summary.json: the grammar's own row under `reference`, each representation's under its name, the
        // settings apart (what `experiment run` records: every number outside `settings`).
        let summaryData = try Data(contentsOf: directory.appendingPathComponent("summary.json"))
        let summary = try #require(JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        #expect(summary["grammar"] as? String == Self.arithmetic)
        let settings = try #require(summary["settings"] as? [String: Any])
        #expect(settings["chanceDraws"] as? Int == 2)
        let reference = try #require(summary["reference"] as? [String: Any])
        #expect(reference["source"] == nil)
        #expect(reference["functHolds"] as? Bool == true)
        #expect(reference["functConsistency"] as? Double == 1)
        let representations = try #require(summary["representations"] as? [String: [String: Any]])
        #expect(Set(representations.keys) == ["meaning", "random"])
        for (name, row) in representations {
            #expect(row["source"] as? String == name)
            let consistency = try #require(row["functConsistency"] as? Double, "\(name)")
            #expect((0...1).contains(consistency), "\(name): \(consistency)")
            #expect((row["terms"] as? Int ?? 0) > 0, "\(name)")
        }
        let json = try executable.run(["experiment", "meaning-map", Self.arithmetic, "--json"] + Self.tiny)
        #expect(json.status == 0, "stderr: \(json.standardError)")
        let rows = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
        #expect(rows?.count == 3)  // the grammar's own meanings, then the two representations
    }

    @Test func badFlagsAreUsageErrors() throws {
        let executable = try MontagueExecutable.locate()
        let cases: [([String], String)] = [
            (["--clusters", "0"], "--clusters"), (["--dimension", "0"], "--dimension"),
            (["--expressions", "0"], "--expressions"), (["--samples", "-1"], "--samples"),
            (["--chance-draws", "-1"], "--chance-draws"), (["--representation", "bogus"], "bogus"),
            (["--epochs", "x"], "--epochs"), (["--no-such-flag"], "--no-such-flag"),
        ]
        for (flags, mention) in cases {
            let result = try executable.run(["experiment", "meaning-map", Self.arithmetic] + flags)
            #expect(result.status == 2, "\(flags): \(result.standardError)")
            #expect(result.standardError.contains(mention), "\(flags): \(result.standardError)")
        }
        let none = try executable.run(["experiment", "meaning-map"])
        #expect(none.status == 2 && none.standardError.contains("<file>"), "\(none.standardError)")
    }

    @Test func unreadableAndMalformedGrammarsAreLocated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-mm-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let missing = directory.appendingPathComponent("no-such.mont").path
        let absent = try executable.run(["experiment", "meaning-map", missing] + Self.tiny)
        #expect(absent.status == 2)
        #expect(absent.standardError.hasPrefix("\(missing):1:1: error: "), "\(absent.standardError)")
        let broken = directory.appendingPathComponent("broken.mont")
        try "grammar Broken ;\nstart S ;\ncat S : [str] ;\nrules {\n  R : S -> \"a\" => ;\n}\n".write(
            to: broken, atomically: true, encoding: .utf8)
        let malformed = try executable.run(["experiment", "meaning-map", broken.path] + Self.tiny)
        #expect(malformed.status == 2)
        #expect(malformed.standardError.hasPrefix("\(broken.path):5:19: error: "), "\(malformed.standardError)")
    }
}
