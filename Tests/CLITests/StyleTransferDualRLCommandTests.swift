import Foundation
import Testing

@Suite("montague train style-transfer --method dual-rl")
struct StyleTransferDualRLCommandTests {
    static let tiny = [
        "--method", "dual-rl", "--embedding-size", "8", "--style-size", "4", "--content-size", "12", "--dropout", "0",
        "--min-count", "1", "--batch-size", "4", "--validation-sentences", "2", "--valid-fraction", "0.1",
        "--classifier-epochs", "1", "--lm-steps", "0", "--seed", "1", "--threshold", "3", "--marker-order", "2",
    ]

    @Test("Train a few steps, predict, evaluate; the same command with more steps continues")
    func trainPredictEvaluate() throws {
        let root = try StyleTransferCommandTests.scratch("dual-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let arguments =
            ["train", "style-transfer"] + styles.flatMap { ["--style", $0] } + Self.tiny
            + ["--pretrain-steps", "2", "--pseudo-pairs", "20", "--eval-every", "2", "--output", model]
        let trained = try montague.run(arguments + ["--steps", "3"])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("steps: 3"), "\(trained.standardOutput)")
        let continued = try montague.run(arguments + ["--steps", "4"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("steps: 4"), "\(continued.standardOutput)")

        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was bad again .\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run(["predict", model, "--to", "pos", "--input", input.path])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n").count == 2)
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("GM(accuracy, source-BLEU)"), "\(evaluated.standardOutput)")
    }

    @Test("--pseudo-pair-source marker-edit is recorded; a continued run naming other flags is refused by flag")
    func pseudoPairSource() throws {
        let root = try StyleTransferCommandTests.scratch("dual-cli-source")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let arguments =
            ["train", "style-transfer"] + styles.flatMap { ["--style", $0] } + Self.tiny
            + ["--pretrain-steps", "2", "--pseudo-pairs", "20", "--eval-every", "2", "--output", model]
        let source = ["--pseudo-pair-source", "marker-edit"]
        let trained = try montague.run(arguments + source + ["--steps", "2"])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardError.contains("marker-edit transfers"), "\(trained.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"pseudoPairSource\" : \"marker-edit\""), "\(manifest)")
        let cases: [(arguments: [String], message: String)] = [
            (arguments + ["--steps", "3"], "--pseudo-pair-source template given, marker-edit stored"),
            (
                arguments + ["--pseudo-pair-source", "template", "--steps", "3"],
                "--pseudo-pair-source template given, marker-edit stored"
            ),
            (
                arguments + source + ["--steps", "3", "--learning-rate", "1e-3"],
                "--learning-rate 0.001 given, 0.0005 stored"
            ),
            (
                arguments + source + ["--steps", "3", "--rl-learning-rate", "1e-3"],
                "--rl-learning-rate 0.001 given, 0.0001 stored"
            ),
        ]
        for (arguments, message) in cases {
            let refused = try montague.run(arguments)
            #expect(refused.status == 2, "\(arguments): \(refused.standardError)")
            #expect(refused.standardError.contains(message), "\(refused.standardError)")
        }
        let continued = try montague.run(arguments + source + ["--steps", "3"])
        #expect(continued.status == 0, "\(continued.standardError)")
        #expect(continued.standardOutput.contains("steps: 3"), "\(continued.standardOutput)")
        let bad = try montague.run(arguments + ["--pseudo-pair-source", "retrieve-only", "--steps", "3"])
        #expect(bad.status == 2 && bad.standardError.contains("pseudo-pair-source"), "\(bad.standardError)")
    }

    @Test("--arch transformer: train a few steps, predict, evaluate; its flags are checked (exit 2)")
    func transformer() throws {
        let root = try StyleTransferCommandTests.scratch("dual-cli-transformer")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let two = styles.flatMap { ["--style", $0] }
        let arguments =
            ["train", "style-transfer"] + two + Self.tiny
            + ["--pretrain-steps", "2", "--pseudo-pairs", "20", "--eval-every", "2", "--steps", "3"]
        let trained = try montague.run(
            arguments + [
                "--arch", "transformer", "--layers", "1", "--model-size", "8", "--heads", "2", "--output", model,
            ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("steps: 3"), "\(trained.standardOutput)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"transformer\"") && manifest.contains("\"modelSize\" : 8"), "\(manifest)")
        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was bad again .\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run(["predict", model, "--to", "pos", "--input", input.path])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        #expect(predicted.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("GM(accuracy, source-BLEU)"), "\(evaluated.standardOutput)")

        let bad = root.appendingPathComponent("bad").path
        let cases: [(arguments: [String], message: String)] = [
            (
                ["train", "style-transfer"] + two + ["--method", "cross-aligned", "--arch", "transformer"],
                "dual-rl only"
            ),
            (arguments + ["--heads", "2"], "--heads applies only to --arch transformer"),
            (arguments + ["--arch", "transformer", "--model-size", "10", "--heads", "4"], "divisible"),
        ]
        for (arguments, message) in cases {
            let result = try montague.run(arguments + ["--output", bad])
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: bad))
        }
    }

    @Test("Bad inputs exit 2 with a message: three styles, no classifier, no pseudo pairs, a bad learning rate")
    func badInputs() throws {
        let root = try StyleTransferCommandTests.scratch("dual-cli-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root)
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let two = Array(styles.prefix(2)).flatMap { ["--style", $0] }
        let cases: [(arguments: [String], message: String)] = [
            (styles.flatMap { ["--style", $0] } + Self.tiny, "exactly two styles"),
            (
                two + Self.tiny.enumerated().map { $0 > 0 && Self.tiny[$0 - 1] == "--classifier-epochs" ? "0" : $1 },
                "rewards the target style by the style classifier"
            ),
            (two + Self.tiny + ["--pseudo-pairs", "0"], "pseudo-parallel pair"),
            (two + Self.tiny + ["--rl-learning-rate", "-1"], "learning rate"),
            (two + Self.tiny + ["--anneal-steps=-3"], "annealing"),
        ]
        for (arguments, message) in cases {
            let result = try montague.run(
                ["train", "style-transfer"] + arguments + ["--steps", "2", "--output", model])
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: model))
        }
    }
}
