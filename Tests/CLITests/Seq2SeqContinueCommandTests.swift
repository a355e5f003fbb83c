import Foundation
import Testing

/// `montague train seq2seq` continuing a model directory: a flag given again must repeat the stored setting.
@Suite("montague train seq2seq: the settings check when continuing")
struct Seq2SeqContinueCommandTests {
    /// `root/pairs.txt`: twelve SCAN-style `IN: … OUT: …` pairs over four verbs, the corpus of the seq2seq CLI tests.
    static func twelveSCANPairs(in root: URL) throws -> URL {
        let pairs = root.appendingPathComponent("pairs.txt")
        try (0..<12).map { i in
            let word = ["jump", "walk", "run", "look"][i % 4]
            return "IN: \(word) twice OUT: I_\(word.uppercased()) I_\(word.uppercased())"
        }.joined(separator: "\n").write(to: pairs, atomically: true, encoding: .utf8)
        return pairs
    }

    @Test("A changed setting exits 2 naming the flag and both values; budgets and repeated flags continue with a note")
    func changedSettingsAreRefused() throws {
        let root = try StyleTransferCommandTests.scratch("seq2seq-continue-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let pairs = try Seq2SeqContinueCommandTests.twelveSCANPairs(in: root)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let base = ["train", "seq2seq", "--train", pairs.path, "--output", model, "--report-every", "1000"]
        let first = try montague.run(
            base + ["--hidden", "8", "--embedding", "8", "--batch-size", "4", "--epochs", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)

        for (flags, message) in [
            (["--dropout", "0.3"], "--dropout 0.3 given, 0.0 stored"),
            (["--cell", "lstm", "--hidden", "16"], "--hidden 16 given, 8 stored; --cell lstm given, gru stored"),
            (["--lr", "0.01"], "--lr 0.01 given, 0.001 stored"),
            (["--seed", "3"], "--seed 3 given, 0 stored"),
        ] {
            let refused = try montague.run(base + flags + ["--epochs", "2"])
            #expect(refused.status == 2, "\(flags): \(refused.standardError)")
            #expect(refused.standardError.contains("other settings"), "\(refused.standardError)")
            #expect(refused.standardError.contains(message), "\(refused.standardError)")
            #expect(!refused.standardOutput.contains("resumed from"), "\(refused.standardOutput)")
        }
        // Nothing was trained or rewritten by the refused runs.
        #expect(try String(contentsOfFile: model + "/manifest.json", encoding: .utf8) == manifest)

        // The same values again, and a larger budget: continued, with a note for the budget.
        let continued = try montague.run(base + ["--hidden", "8", "--batch-size", "4", "--epochs", "2"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(
            continued.standardOutput.contains("note: continuing with --epochs 2 (the run was started with 1)"),
            "\(continued.standardOutput)")
        #expect(continued.standardOutput.contains("resumed from"), "\(continued.standardOutput)")
        // Decoding flags may change too, and the batch size (per rank: a data-parallel run may continue on
        // another number of ranks).
        let decoding = try montague.run(base + ["--beam", "2", "--max-length", "10", "--batch-size", "2"])
        #expect(decoding.status == 0, "\(decoding.standardError)")
        #expect(decoding.standardOutput.contains("note: continuing with --beam 2 (the run was started with 1)"))
        #expect(decoding.standardOutput.contains("note: continuing with --max-length 10 (the run was started with 60)"))
        #expect(decoding.standardOutput.contains("note: continuing with --batch-size 2 (the run was started with 4)"))
    }
}
