import Foundation
import Testing

/// The dropout of `train style-transfer --arch transformer`.
@Suite("montague train style-transfer --arch transformer: dropout")
struct StyleTransferTransformerDropoutCommandTests {
    @Test("Without --dropout a Transformer trains with 0.1, recorded; a continued run keeps its recorded dropout")
    func transformerDefaultDropout() throws {
        let root = try StyleTransferCommandTests.scratch("bt-transformer-dropout-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let two = styles.flatMap { ["--style", $0] }
        let montague = try MontagueExecutable.locate()
        let tiny = StyleTransferBackTranslationTransformerCommandTests.tiny
        let index = try #require(tiny.firstIndex(of: "--dropout"))
        let withoutDropout = Array(tiny[..<index] + tiny[(index + 2)...])
        #expect(!withoutDropout.contains("--dropout") && withoutDropout.contains("transformer"))

        let model = root.appendingPathComponent("default").path
        let trained = try montague.run(
            ["train", "style-transfer"] + two + withoutDropout + ["--steps", "1", "--output", model])
        #expect(trained.status == 0, "\(trained.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"dropout\" : 0.1,"), "\(manifest)")

        // A run recorded with another dropout continues without the flag (its recorded value is kept) ...
        let older = root.appendingPathComponent("older").path
        let first = try montague.run(
            ["train", "style-transfer"] + two + withoutDropout + [
                "--dropout", "0.5", "--steps", "1", "--output", older,
            ])
        #expect(first.status == 0, "\(first.standardError)")
        let continued = try montague.run(
            ["train", "style-transfer"] + two + withoutDropout + ["--steps", "2", "--output", older])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("steps: 2"), "\(continued.standardOutput)")
        let olderManifest = try String(contentsOfFile: older + "/manifest.json", encoding: .utf8)
        #expect(olderManifest.contains("\"dropout\" : 0.5,"), "\(olderManifest)")
        // ... and refuses another one.
        let other = try montague.run(
            ["train", "style-transfer"] + two + withoutDropout + [
                "--dropout", "0.2", "--steps", "3", "--output", older,
            ])
        #expect(other.status == 2, "\(other.standardError)")

        let help = try montague.run(["train", "style-transfer", "--help"])
        #expect(help.standardOutput.contains("--arch transformer: 0.1"), "\(help.standardOutput)")
    }
}
