import Foundation
import Testing

@Suite("montague train style-judge, evaluate --judge")
struct StyleJudgeCommandTests {
    static let template = [
        "--method", "template", "--threshold", "3", "--marker-order", "2", "--min-count", "1",
        "--classifier-epochs", "1", "--lm-steps", "0", "--valid-fraction", "0.1", "--seed", "1",
    ]

    @Test("A judge is trained, classifies, and scores a template model beside its classifier (text and JSON)")
    func judgeATemplateModel() throws {
        let root = try StyleTransferCommandTests.scratch("judge-cli")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root)
        let two = Array(styles.prefix(2)).flatMap { ["--style", $0] }
        let montague = try MontagueExecutable.locate()
        let model = root.appendingPathComponent("model").path
        let judge = root.appendingPathComponent("judge").path
        let trained = try montague.run(["train", "style-transfer"] + two + Self.template + ["--output", model])
        #expect(trained.status == 0, "\(trained.standardError)")
        let judged = try montague.run(["train", "style-judge"] + two + ["--seed", "7", "--output", judge])
        #expect(judged.status == 0, "\(judged.standardError)")
        #expect(judged.standardOutput.contains("held-out accuracy"), "\(judged.standardOutput)")

        let input = root.appendingPathComponent("input.txt")
        try "the soup was bad today .\nthe tea was good again .\n".write(to: input, atomically: true, encoding: .utf8)
        let labels = try montague.run(["predict", judge, "--input", input.path])
        #expect(labels.status == 0, "\(labels.standardError)")
        #expect(labels.standardOutput == "neg\npos\n", "\(labels.standardOutput)")
        let accuracy = try montague.run(["evaluate", judge, "--data", "neg=\(input.path)"])
        #expect(accuracy.status == 0, "\(accuracy.standardError)")
        #expect(accuracy.standardOutput.contains("50.0 %"), "\(accuracy.standardOutput)")

        let text = try montague.run(["evaluate", model, "--judge", judge])
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("judge: bag-of-2-grams"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("GM(judge accuracy, source-BLEU)"), "\(text.standardOutput)")
        let json = try montague.run(["evaluate", model, "--judge", judge, "--json"])
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(report["judgeAccuracy"] is Double && report["accuracy"] is Double)
        // Another style-transfer model's TextCNN can judge too.
        let other = try montague.run(["evaluate", model, "--judge", model, "--json"])
        #expect(other.status == 0, "\(other.standardError)")
        let otherReport = try #require(
            try JSONSerialization.jsonObject(with: Data(other.standardOutput.utf8)) as? [String: Any])
        #expect(otherReport["judgeAccuracy"] as? Double == otherReport["accuracy"] as? Double)
    }

    @Test("Bad judges and judge flags exit 2 with a message")
    func badJudges() throws {
        let root = try StyleTransferCommandTests.scratch("judge-cli-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let styles = try StyleTransferCommandTests.writeStyles(to: root)
        let two = Array(styles.prefix(2)).flatMap { ["--style", $0] }
        let montague = try MontagueExecutable.locate()
        let model = root.appendingPathComponent("model").path
        let noClassifier = root.appendingPathComponent("plain").path
        let otherStyles = root.appendingPathComponent("other-judge").path
        #expect(try montague.run(["train", "style-transfer"] + two + Self.template + ["--output", model]).status == 0)
        // The template settings with `--classifier-epochs 0` (an option is given once).
        let untrained = Self.template.indices.map { index in
            index > 0 && Self.template[index - 1] == "--classifier-epochs" ? "0" : Self.template[index]
        }
        #expect(
            try montague.run(["train", "style-transfer"] + two + untrained + ["--output", noClassifier]).status == 0)
        let judgeOther = try montague.run(
            ["train", "style-judge", "--style", styles[0], "--style", styles[2], "--output", otherStyles])
        #expect(judgeOther.status == 0, "\(judgeOther.standardError)")
        let cases: [(arguments: [String], message: String)] = [
            (["evaluate", model, "--judge", root.appendingPathComponent("missing").path], "not a model directory"),
            (["evaluate", model, "--judge", noClassifier], "no style classifier"),
            (["evaluate", model, "--judge", otherStyles], "the judge knows the styles"),
            (["evaluate", otherStyles, "--judge", otherStyles], "--judge does not apply"),
            (["evaluate", otherStyles], "--data"),
            (
                ["train", "style-judge"] + two + ["--order", "0", "--output", root.appendingPathComponent("j").path],
                "order"
            ),
            (
                ["train", "style-judge", "--style", styles[0], "--output", root.appendingPathComponent("j").path],
                "two styles"
            ),
            (["train", "style-judge"] + two + ["--output", model], "holds a 'style-transfer' model"),
        ]
        for (arguments, message) in cases {
            let result = try montague.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.standardError)")
            #expect(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
    }
}
