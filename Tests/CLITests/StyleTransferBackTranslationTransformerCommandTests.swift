import Foundation
import Testing

@Suite("montague train style-transfer --method back-translation --arch transformer")
struct StyleTransferBackTranslationTransformerCommandTests {
    static let tiny = [
        "--method", "back-translation", "--arch", "transformer", "--layers", "1", "--model-size", "8", "--heads",
        "2", "--feed-forward", "16", "--dropout", "0.1", "--min-count", "1", "--batch-size", "4",
        "--validation-sentences", "2", "--valid-fraction", "0.1", "--classifier-epochs", "1", "--lm-steps", "0",
        "--seed", "1", "--eval-every", "2",
    ]

    @Test("Train a few steps, continue, predict, evaluate; cross-aligned and other methods refuse it (exit 2)")
    func trainContinuePredictEvaluate() throws {
        let root = try StyleTransferCommandTests.scratch("bt-transformer-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let two = styles.flatMap { ["--style", $0] }
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let arguments = ["train", "style-transfer"] + two + Self.tiny + ["--output", model]
        let trained = try montague.run(arguments + ["--steps", "3"])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("steps: 3"), "\(trained.standardOutput)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"transformer\"") && manifest.contains("\"modelSize\" : 8"), "\(manifest)")
        #expect(!manifest.contains("\"dualRL\""), "\(manifest)")
        let continued = try montague.run(arguments + ["--steps", "4"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("steps: 4"), "\(continued.standardOutput)")
        #expect(continued.standardError.contains("continuing from step 3"), "\(continued.standardError)")

        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was bad again .\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run(["predict", model, "--to", "pos", "--input", input.path])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("GM(accuracy, source-BLEU)"), "\(evaluated.standardOutput)")

        // Another network size cannot continue the run.
        let wider = try montague.run(arguments.map { $0 == "8" ? "16" : $0 } + ["--steps", "5"])
        #expect(wider.status == 2, "\(wider.standardError)")

        let bad = root.appendingPathComponent("bad").path
        let cases: [(arguments: [String], message: String)] = [
            (["--method", "cross-aligned", "--arch", "transformer"], "an attention decoder has no such bottleneck"),
            (["--method", "cycle", "--arch", "transformer"], "--method back-translation and --method dual-rl only"),
            (Self.tiny.map { $0 == "2" ? "3" : $0 } + ["--steps", "2"], "divisible"),
        ]
        for (extra, message) in cases {
            let result = try montague.run(["train", "style-transfer"] + two + extra + ["--output", bad])
            #expect(result.status == 2, "\(extra): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: bad))
        }
    }
}
