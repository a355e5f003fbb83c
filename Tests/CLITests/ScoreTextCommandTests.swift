import Foundation
import Testing

@Suite("montague score-text and experiment")
struct ScoreTextCommandTests {
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("score-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("BLEU, chrF and source-BLEU as JSON; a perfect hypothesis scores 100")
    func scores() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let reference = "the food was great .\nthe staff were friendly and quick .\n"
        try reference.write(to: root.appendingPathComponent("ref.txt"), atomically: true, encoding: .utf8)
        try reference.write(to: root.appendingPathComponent("hyp.txt"), atomically: true, encoding: .utf8)
        try "the food was bad .\nthe staff were rude and slow .\n".write(
            to: root.appendingPathComponent("src.txt"), atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        let result = try montague.run([
            "score-text", "--hyp", root.appendingPathComponent("hyp.txt").path, "--ref",
            root.appendingPathComponent("ref.txt").path, "--source", root.appendingPathComponent("src.txt").path,
            "--tokenize", "none", "--json",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect((report?["bleu"] as? Double).map { abs($0 - 100) < 1e-9 } == true)
        #expect((report?["chrf"] as? Double).map { abs($0 - 100) < 1e-9 } == true)
        let sourceBLEU = try #require(report?["sourceBLEU"] as? Double)
        #expect(sourceBLEU > 20 && sourceBLEU < 100)
    }

    @Test("Bad input: mismatched lines, missing file, unknown metric → exit 2 with a located message")
    func badInput() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let hyp = root.appendingPathComponent("hyp.txt")
        let ref = root.appendingPathComponent("ref.txt")
        try "a\nb\n".write(to: hyp, atomically: true, encoding: .utf8)
        try "a\n".write(to: ref, atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        let mismatched = try montague.run(["score-text", "--hyp", hyp.path, "--ref", ref.path])
        #expect(mismatched.status == 2)
        #expect(mismatched.standardError.hasPrefix(ref.path + ": error: has 1 lines"))
        let missing = try montague.run(["score-text", "--hyp", root.appendingPathComponent("nope.txt").path])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nope.txt: error: cannot read the file"))
        let unknown = try montague.run(["score-text", "--hyp", hyp.path, "--metric", "rouge"])
        #expect(unknown.status == 2)
        try Data([0x61, 0x0A, 0xFF, 0x0A]).write(to: ref)
        let invalid = try montague.run(["score-text", "--hyp", hyp.path, "--ref", ref.path])
        #expect(invalid.status == 2)
        #expect(invalid.standardError.hasPrefix(ref.path + ":2: error: not valid UTF-8"))
    }

    @Test("experiment table renders a plan's results; a malformed plan exits 2")
    func experimentTable() throws {
        let root = try Self.directory()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = root.appendingPathComponent("plan.json")
        try
            #"{"name":"p","results":"r.jsonl","runs":[{"id":"a","arguments":[],"labels":{"x":"A"}}],"columns":[{"header":"x","label":"x"},{"header":"m","metric":"m","format":"fixed:2"}]}"#
            .write(to: plan, atomically: true, encoding: .utf8)
        try
            #"{"command":["m"],"exitStatus":0,"finished":"t","metrics":{"m":0.5},"montagueVersion":"0.1.0","run":"a","seconds":1,"seed":0,"status":"ok"}"#
            .write(to: root.appendingPathComponent("r.jsonl"), atomically: true, encoding: .utf8)
        let montague = try MontagueExecutable.locate()
        let table = try montague.run(["experiment", "table", plan.path])
        #expect(table.status == 0)
        #expect(table.standardOutput.contains("| A | 0.50 |"))
        try "{".write(to: plan, atomically: true, encoding: .utf8)
        let malformed = try montague.run(["experiment", "table", plan.path])
        #expect(malformed.status == 2)
        #expect(malformed.standardError.hasPrefix(plan.path + ": error: malformed plan"))
    }
}
