import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `predict DIR --to STYLE` transfers sentences (from --input or standard input); `evaluate DIR` scores the
/// transfer of the held-out sentences, or of `--data STYLE=FILE` with `--refs STYLE=FILE` references, and with
/// `--judge DIR` the target-style accuracy by an independent classifier beside the model's own.
struct StyleTransferKind: ModelKindHandler {
    static let kind = StyleTransferRun.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.data, .refs, .judge]
    static let predictFlags: Set<PredictFlag> = [.input, .to]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let model = try TrainedStyleTransfer.load(from: directory)
        guard let targetName = options.to else {
            throw ValidationError(
                "name the target style with --to (one of \(model.recipe.styles.joined(separator: ", ")))")
        }
        let target = try model.style(named: targetName)
        let lines = try options.inputLines()
        let outputs = try model.transfer(lines.map(model.tokenize), to: target).map(model.render)
        try emitLines(outputs, json: options.json, to: options.output)
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let model = try TrainedStyleTransfer.load(from: directory)
        let judge = try options.judge.map { try StyleJudges.load(from: ModelDirectory(path: $0)) }
        var inputs: [(style: Int, target: Int?, sentences: [[String]], references: [[[String]]])] = []
        if options.data.isEmpty {
            guard options.refs.isEmpty else { throw ValidationError("--refs needs --data STYLE=FILE inputs") }
            for (style, sentences) in try model.validationSentences().enumerated() {
                inputs.append((style, nil, sentences, []))
            }
        } else {
            var references: [String: [String]] = [:]
            for specification in options.refs {
                let (style, path) = try StyleCorpus.parseSpecification(specification)
                _ = try model.style(named: style)
                references[style, default: []].append(path)
            }
            for specification in options.data {
                let (style, path) = try StyleCorpus.parseSpecification(specification)
                let index = try model.style(named: style)
                let lines = try TextScoring.TextFile(contentsOf: path).lines
                var sets: [[[String]]] = []
                for referencePath in references[style] ?? [] {
                    let file = try TextScoring.TextFile(contentsOf: referencePath)
                    guard file.lines.count == lines.count else {
                        throw InputError(
                            "has \(file.lines.count) lines, the inputs (\(path)) \(lines.count)",
                            at: SourceLocation(file: referencePath))
                    }
                    sets.append(file.lines.map(model.tokenize))
                }
                inputs.append((index, nil, lines.map(model.tokenize), sets))
            }
        }
        let report = try model.evaluate(inputs: inputs, judge: judge)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "—" }
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "—" }
        func perplexity(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "—" }
        let judged = judge != nil
        print(
            "direction        sentences  accuracy" + (judged ? "     judge" : "")
                + "  source-BLEU  ref-BLEU  perplexity")
        func row(
            _ name: String, _ sentences: Int, _ accuracy: Double?, _ judgeAccuracy: Double?, _ bleu: Double?,
            _ referenceBLEU: Double?, _ measured: Double?
        ) -> String {
            name.padding(toLength: 17, withPad: " ", startingAt: 0) + String(sentences).leftPadded(9)
                + percent(accuracy).leftPadded(10) + (judged ? percent(judgeAccuracy).leftPadded(10) : "")
                + number(bleu).leftPadded(13) + number(referenceBLEU).leftPadded(10)
                + perplexity(measured).leftPadded(12)
        }
        for direction in report.directions {
            print(
                row(
                    "\(direction.from) → \(direction.to)", direction.sentences, direction.accuracy,
                    direction.judgeAccuracy, direction.sourceBLEU, direction.referenceBLEU, direction.perplexity))
        }
        print(
            row(
                "all", report.directions.reduce(0) { $0 + $1.sentences }, report.accuracy, report.judgeAccuracy,
                report.sourceBLEU, report.referenceBLEU, report.perplexity))
        if let summary = report.judge { print("judge: \(summary)") }
        if let gm = report.geometricMean { print("GM(accuracy, source-BLEU) = \(number(gm))") }
        if let gm = report.judgeGeometricMean { print("GM(judge accuracy, source-BLEU) = \(number(gm))") }
        if let gm = report.referenceGeometricMean { print("GM(accuracy, reference BLEU) = \(number(gm))") }
        for direction in report.directions {
            for sample in direction.samples.prefix(3) {
                print("  [\(direction.from) → \(direction.to)] \(sample.input)\n      → \(sample.output)")
            }
        }
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
