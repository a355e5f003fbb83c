import Foundation
import Testing

/// `montague corpus` end to end: statistics of a shipped play, JSONL export, and a broken file's exit code and
/// compiler-style location.
@Suite("montague corpus")
struct CorpusCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let hamlet = packageRoot.appendingPathComponent("corpora/shakespeare/hamlet.xml").path

    /// A fresh temporary directory, removed by the caller.
    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-corpus-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The integer after `label` on its line of the text report (`"units:      4014"` → 4014).
    func reportValue(_ label: String, in report: String) -> Int? {
        for line in report.split(separator: "\n") where line.hasPrefix(label) {
            return Int(line.dropFirst(label.count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    @Test func statsOnHamletCountsTheBosakPlay() throws {
        let result = try MontagueExecutable.locate().run(["corpus", "stats", Self.hamlet])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let report = result.standardOutput
        #expect(reportValue("files:", in: report) == 1)
        #expect(reportValue("documents:", in: report) == 1)
        // One unit per non-empty <LINE> (block granularity, stage directions left out): the Bosak Hamlet has 4014
        // <LINE>s, 7 of which hold only a <STAGEDIR>. Token and type counts follow the default tokenizer.
        #expect(reportValue("units:", in: report) == 4007)
        #expect(reportValue("tokens:", in: report) == 36690)
        #expect(reportValue("types:", in: report) == 5003)
        #expect(report.contains("line: 4007"))
        #expect(report.contains("length histogram"))
    }

    @Test func statsJSONAgreesWithTheTextReport() throws {
        let result = try MontagueExecutable.locate().run(["corpus", "stats", Self.hamlet, "--json"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["units"] as? Int == 4007)
        #expect(object["tokens"] as? Int == 36690)
    }

    @Test func exportToJSONLWritesOneValidObjectPerUnit() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("hamlet.jsonl")
        let result = try MontagueExecutable.locate().run([
            "corpus", "export", Self.hamlet, "--to", "jsonl", "--output", output.path, "--tokenize",
        ])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let text = try String(contentsOf: output, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(!lines.isEmpty)
        var units = 0
        var speakers: Set<String> = []
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            if let text = object["text"] as? String {
                units += 1
                #expect(!text.isEmpty)
                #expect(object["tokens"] is [Any])
                if let metadata = object["metadata"] as? [String: Any], let speaker = metadata["speaker"] as? String {
                    speakers.insert(speaker)
                }
            }
        }
        #expect(units == 4007)
        #expect(speakers.contains("HAMLET"))
        #expect(speakers.contains("OPHELIA"))
    }

    @Test func malformedXMLExitsTwoWithFileLineAndColumn() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.xml")
        // The end tag on line 4 does not match <LINE>: libxml2 stops there.
        try "<?xml version=\"1.0\"?>\n<PLAY>\n<LINE>To be, or not to be\n</SPEECH>\n</PLAY>\n".write(
            to: broken, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run(["corpus", "stats", broken.path])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(broken.path):4:"), "stderr: \(result.standardError)")
        let pattern = try Regex(#"broken\.xml:[0-9]+:[0-9]+: error: "#)
        #expect(result.standardError.contains(pattern), "stderr: \(result.standardError)")
        #expect(result.standardOutput.isEmpty || !result.standardOutput.contains("units:"))
    }

    @Test func entityExpansionCrashFileExitsTwoWithALocatedLimitError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The crash file of the report: one text node of 2.2 GB once the entities expand.
        let prolog =
            "<!DOCTYPE r [<!ENTITY a \"" + String(repeating: "A", count: 1000) + "\"><!ENTITY b \""
            + String(repeating: "&a;", count: 1000) + "\">]>"
        let file = directory.appendingPathComponent("t.xml")
        try (prolog + "<r><p>" + String(repeating: "&b;", count: 2200) + "</p></r>").write(
            to: file, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run(["corpus", "stats", file.path, "--unit", "p"])
        #expect(result.status == 2)
        let pattern = try Regex(#"t\.xml:1:[0-9]+: error: a text node longer than 10000000 bytes"#)
        #expect(result.standardError.contains(pattern), "stderr: \(result.standardError)")
        // Deep nesting: the depth limit, and a raised limit reads the file.
        let deep = directory.appendingPathComponent("deep.xml")
        try ("<r>" + String(repeating: "<p>", count: 300) + "x" + String(repeating: "</p>", count: 300) + "</r>")
            .write(to: deep, atomically: true, encoding: .utf8)
        let tooDeep = try MontagueExecutable.locate().run(["corpus", "stats", deep.path, "--unit", "p"])
        #expect(tooDeep.status == 2)
        #expect(tooDeep.standardError.contains("nested deeper than 256 levels"), "\(tooDeep.standardError)")
        let raised = try MontagueExecutable.locate().run(
            ["corpus", "stats", deep.path, "--unit", "p", "--max-depth", "400"])
        #expect(raised.status == 0, "stderr: \(raised.standardError)")
    }

    @Test func externalEntityIsReportedWithItsNameAndTheFlag() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "inside".write(to: directory.appendingPathComponent("part.txt"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("doc.xml")
        try "<!DOCTYPE r [<!ENTITY part SYSTEM \"part.txt\">]>\n<r><p>a &part; b</p><p>&part;</p></r>".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try MontagueExecutable.locate().run(["corpus", "stats", file.path, "--unit", "p"])
        #expect(result.status == 0, "stderr: \(result.standardError)")
        let lines = result.standardError.split(separator: "\n").filter { $0.contains("external entity 'part'") }
        #expect(lines.count == 1, "stderr: \(result.standardError)")
        #expect(lines.first?.contains("doc.xml:2:") == true)
        #expect(lines.first?.contains("warning:") == true)
        #expect(lines.first?.contains("--allow-local-entities") == true)
    }

    @Test func whitespaceTokenizerAndSkippedTextFilesInADirectory() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "<r><p>it 's _num_ stars</p></r>".write(
            to: directory.appendingPathComponent("a.xml"), atomically: true, encoding: .utf8)
        try "stray notes\n".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        let whitespace = try montague.run(
            ["corpus", "stats", directory.path, "--unit", "p", "--tokenizer", "whitespace", "--json"])
        #expect(whitespace.status == 0, "stderr: \(whitespace.standardError)")
        #expect(whitespace.standardOutput.contains("\"tokens\" : 4"), "\(whitespace.standardOutput)")
        #expect(
            whitespace.standardError.contains("notes.txt: warning: not XML, skipped"), "\(whitespace.standardError)")
        let rules = try montague.run([
            "corpus", "stats", directory.path, "--unit", "p", "--tokenizer", "default", "--json",
        ])
        #expect(rules.status == 0)
        #expect(!rules.standardOutput.contains("\"tokens\" : 4"))
        let unknown = try montague.run(["corpus", "stats", directory.path, "--tokenizer", "bpe"])
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("--tokenizer"))
    }
}
