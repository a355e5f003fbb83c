import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `predict JUDGE` names the style of each input line; `evaluate JUDGE --data STYLE=FILE` measures its accuracy.
struct StyleJudgeKind: ModelKindHandler {
    static let kind = NgramStyleJudge.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.data]
    static let predictFlags: Set<PredictFlag> = [.input]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let judge = try NgramStyleJudge.load(from: directory)
        let lines = try options.inputLines()
        let names = judge.predict(lines).map { judge.styles[$0] }
        try emitLines(names, json: options.json, to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        guard !options.data.isEmpty else {
            throw ValidationError("give the sentences to classify with --data STYLE=FILE")
        }
        let judge = try NgramStyleJudge.load(from: directory)
        var rows: [(style: String, sentences: Int, correct: Int)] = []
        for specification in options.data {
            let (style, path) = try StyleCorpus.parseSpecification(specification)
            guard let index = judge.styles.firstIndex(of: style) else {
                throw InputError(
                    "unknown style '\(Escaping.visible(style))' (this judge knows \(judge.styles.joined(separator: ", ")))"
                )
            }
            let lines = try TextScoring.TextFile(contentsOf: path).lines
            rows.append((style, lines.count, judge.predict(lines).filter { $0 == index }.count))
        }
        let total = rows.reduce(0) { $0 + $1.sentences }
        let correct = rows.reduce(0) { $0 + $1.correct }
        func accuracy(_ hits: Int, _ count: Int) -> Double { count > 0 ? Double(hits) / Double(count) : 0 }
        if options.json {
            let styles = rows.map {
                "{\"style\":\(Escaping.jsonString($0.style)),\"sentences\":\($0.sentences),\"accuracy\":"
                    + "\(accuracy($0.correct, $0.sentences))}"
            }
            print("{\"accuracy\":\(accuracy(correct, total)),\"styles\":[\(styles.joined(separator: ","))]}")
            return
        }
        print("style            sentences  accuracy")
        for row in rows + [("all", total, correct)] {
            print(
                row.style.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + String(format: "%9d  %6.1f %%", row.sentences, accuracy(row.correct, row.sentences) * 100))
        }
    }
}
