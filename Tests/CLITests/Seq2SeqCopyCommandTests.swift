import Foundation
import Testing

/// `montague train seq2seq --copy`: the pointer-generator decoder (See, Liu & Manning 2017) from the command line.
@Suite("montague train seq2seq --copy")
struct Seq2SeqCopyCommandTests {
    @Test("--copy writes a copying model with one shared vocabulary; it needs attention and a recurrent model")
    func copyFlagIsRecordedAndChecked() throws {
        let root = try StyleTransferCommandTests.scratch("seq2seq-copy-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let pairs = try Seq2SeqContinueCommandTests.twelveSCANPairs(in: root)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let base = ["train", "seq2seq", "--train", pairs.path, "--output", model, "--report-every", "1000"]
        let small = ["--hidden", "8", "--embedding", "8", "--batch-size", "4"]
        let first = try montague.run(base + small + ["--copy", "--epochs", "1"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("copy"), "\(first.standardOutput)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"copy\" : true"), "\(manifest)")
        let source = try String(contentsOfFile: model + "/source-vocabulary.txt", encoding: .utf8)
        let target = try String(contentsOfFile: model + "/target-vocabulary.txt", encoding: .utf8)
        #expect(source == target && source.contains("jump") && source.contains("I_JUMP"))

        // Continuing keeps copying without the flag; a plain model cannot be continued as a copying one.
        let continued = try montague.run(base + ["--epochs", "2"])
        #expect(continued.status == 0, "\(continued.standardError)")
        let plain = root.appendingPathComponent("plain").path
        let plainBase = ["train", "seq2seq", "--train", pairs.path, "--output", plain, "--report-every", "1000"]
        #expect(try montague.run(plainBase + small + ["--epochs", "1"]).status == 0)
        let refused = try montague.run(plainBase + ["--copy", "--epochs", "2"])
        #expect(refused.status == 2, "\(refused.standardError)")
        #expect(refused.standardError.contains("--copy"), "\(refused.standardError)")

        for flags in [["--attention", "none"], ["--arch", "transformer"]] {
            let other = root.appendingPathComponent("other").path
            let result = try montague.run(
                ["train", "seq2seq", "--train", pairs.path, "--output", other, "--copy", "--steps", "1"] + flags)
            #expect(result.status == 2, "\(flags): \(result.standardError)")
            #expect(result.standardError.contains("--copy"), "\(flags): \(result.standardError)")
        }
    }
}
