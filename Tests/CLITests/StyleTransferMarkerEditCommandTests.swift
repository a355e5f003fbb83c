import Foundation
import Testing

@Suite("montague train style-transfer --method marker-edit")
struct StyleTransferMarkerEditCommandTests {
    @Test("Train, predict, evaluate; the settings are recorded; no classifier or a stray flag → exit 2")
    func trainPredictEvaluate() throws {
        let root = try StyleTransferCommandTests.scratch("marker-edit-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root).prefix(2)
        let two = styles.flatMap { ["--style", $0] }
        let model = root.appendingPathComponent("model").path
        let montague = try MontagueExecutable.locate()
        let common = [
            "--valid-fraction", "0.1", "--lm-steps", "0", "--seed", "1", "--threshold", "3", "--marker-order", "2",
        ]
        let trained = try montague.run(
            ["train", "style-transfer"] + two + common
                + [
                    "--method", "marker-edit", "--edit-search", "left-to-right", "--classifier-epochs", "2",
                    "--edit-lm-weight", "0.5", "--output", model,
                ])
        #expect(trained.status == 0, "\(trained.standardError)")
        let manifest = try String(contentsOfFile: model + "/manifest.json", encoding: .utf8)
        #expect(
            manifest.contains("\"markerEdit\"") && manifest.contains("\"languageModelWeight\" : 0.5")
                && manifest.contains("\"search\" : \"left-to-right\"")
                && manifest.contains("\"insertionPenalty\" : 0.5"),
            "\(manifest)")
        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was bad again .\n".write(to: input, atomically: true, encoding: .utf8)
        let predicted = try montague.run(["predict", model, "--to", "pos", "--input", input.path])
        #expect(predicted.status == 0, "\(predicted.standardError)")
        let lines = predicted.standardOutput.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { !$0.contains("bad") }, "\(predicted.standardOutput)")
        #expect(lines.first?.hasPrefix("the soup was") == true, "\(predicted.standardOutput)")
        // The minimal-edit search is recorded and predicts.
        let minimal = root.appendingPathComponent("minimal").path
        let trainedMinimal = try montague.run(
            ["train", "style-transfer"] + two + common
                + [
                    "--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "minimal",
                    "--edit-flip-margin", "1.5", "--edit-negation", "--output", minimal,
                ])
        #expect(trainedMinimal.status == 0, "\(trainedMinimal.standardError)")
        let minimalManifest = try String(contentsOfFile: minimal + "/manifest.json", encoding: .utf8)
        #expect(
            minimalManifest.contains("\"search\" : \"minimal\"") && minimalManifest.contains("\"flipMargin\" : 1.5")
                && minimalManifest.contains("\"negation\" : true"),
            "\(minimalManifest)")
        // Without --edit-search the minimal search runs with the setting chosen on validation.
        let defaulted = root.appendingPathComponent("defaulted").path
        let trainedDefault = try montague.run(
            ["train", "style-transfer"] + two + common
                + ["--method", "marker-edit", "--classifier-epochs", "1", "--output", defaulted])
        #expect(trainedDefault.status == 0, "\(trainedDefault.standardError)")
        let defaultManifest = try String(contentsOfFile: defaulted + "/manifest.json", encoding: .utf8)
        #expect(
            defaultManifest.contains("\"search\" : \"minimal\"") && defaultManifest.contains("\"flipMargin\" : 5")
                && defaultManifest.contains("\"negation\" : true")
                && defaultManifest.contains("\"insertionPenalty\" : 1"),
            "\(defaultManifest)")
        let noNegation = root.appendingPathComponent("no-negation").path
        let trainedNoNegation = try montague.run(
            ["train", "style-transfer"] + two + common
                + ["--method", "marker-edit", "--classifier-epochs", "1", "--no-edit-negation", "--output", noNegation])
        #expect(trainedNoNegation.status == 0, "\(trainedNoNegation.standardError)")
        let noNegationManifest = try String(contentsOfFile: noNegation + "/manifest.json", encoding: .utf8)
        #expect(noNegationManifest.contains("\"negation\" : false"), "\(noNegationManifest)")
        let predictedMinimal = try montague.run(["predict", minimal, "--to", "pos", "--input", input.path])
        #expect(predictedMinimal.status == 0, "\(predictedMinimal.standardError)")
        #expect(predictedMinimal.standardOutput.split(separator: "\n").count == 2, "\(predictedMinimal.standardOutput)")
        let evaluated = try montague.run(["evaluate", model])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        #expect(evaluated.standardOutput.contains("GM(accuracy, source-BLEU)"), "\(evaluated.standardOutput)")

        let bad = root.appendingPathComponent("bad").path
        let cases: [(arguments: [String], message: String)] = [
            (["--method", "marker-edit", "--classifier-epochs", "0"], "classifier"),
            (["--method", "template", "--edit-lm-weight", "1"], "apply to --method marker-edit only"),
            (["--method", "marker-edit", "--classifier-epochs", "1", "--edit-insertion-penalty", "-1"], "penalty"),
            (["--method", "template", "--edit-search", "minimal"], "apply to --method marker-edit only"),
            (["--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "sideways"], "sideways"),
            (
                [
                    "--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "minimal",
                    "--edit-flip-margin=-1",
                ],
                "flip margin"
            ),
            (
                [
                    "--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "minimal",
                    "--edit-max-edits", "0",
                ],
                "edited spans"
            ),
            (
                [
                    "--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "left-to-right",
                    "--edit-max-edits", "2",
                ],
                "--edit-search minimal only"
            ),
            (
                [
                    "--method", "marker-edit", "--classifier-epochs", "1", "--edit-search", "left-to-right",
                    "--edit-negation",
                ],
                "--edit-search minimal only"
            ),
        ]
        for (arguments, message) in cases {
            let result = try montague.run(["train", "style-transfer"] + two + common + arguments + ["--output", bad])
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: bad))
        }
    }
}
