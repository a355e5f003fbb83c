import ArgumentParser
import Experiments
import Foundation
import Grammar
import MontagueSupport
import TextGeneration

/// `montague experiment transfer GRAMMAR_A GRAMMAR_B --method …`: style transfer between two grammars over the
/// same meanings, judged exactly by the grammars next to the classifier and BLEU proxies.
struct ExperimentTransferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Style transfer between two grammars over the same meanings, judged exactly by the grammars.",
        discussion: """
            The two grammars are two styles (e.g. active and passive voice). Samples --train-samples sentences \
            from each (independently: non-parallel data), trains a style-transfer method of `montague train \
            style-transfer` on them with its TextCNN style classifier, and every --eval-every steps transfers \
            --test-sentences fresh sentences of each style into the other. The grammars decide: target validity \
            (the target grammar derives the output), meaning preservation (and one of its readings means what the \
            input meant), grammar style accuracy (the target grammar derives it and the source grammar does not). \
            Next to them the proxies: classifier accuracy, the fraction the classifier calls the target style \
            although the target grammar rejects it, and source-BLEU; and the same figures for copying the input. \
            With --output: DIR/metrics.jsonl, DIR/exact.svg, DIR/bleu.svg, DIR/transfers.jsonl, DIR/summary.json, \
            the training files DIR/data/ and the model directory DIR/model (usable with `montague predict` and \
            `montague evaluate`). See docs/probabilistic-grammars.md and docs/experiments.md.

            Examples:
              montague experiment transfer grammars/voice-active.mont grammars/voice-passive.mont --method cross-aligned --output runs/voice-ca
              montague experiment transfer grammars/voice-active.mont grammars/voice-passive.mont --method retrieve-only --output runs/voice-ro
            """)

    @Argument(help: "The first style's grammar (.mont with a weights block, or an NLTK .fcfg grammar).")
    var first: String

    @Argument(help: "The second style's grammar, over the same meanings.")
    var second: String

    @Option(name: .long, help: "The style names, comma-separated (default: the grammar files' base names).")
    var styles: String?

    @Option(
        name: .long,
        help: "cross-aligned, back-translation, cycle, common-space, stargan, conditional, template or retrieve-only.")
    var method: StyleTransferMethod = .crossAligned

    @OptionGroup var sample: GrammarSampleOptions

    @Option(name: .customLong("test-sentences"), help: "Fresh sentences per style transferred per measurement.")
    var testSentences = 200

    @Option(name: .customLong("max-length"), help: "Leave out sentences longer than this (words).")
    var maxLength = 30

    @Option(name: .long, help: "Optimizer steps of the neural methods.")
    var steps = 1500

    @Option(name: .customLong("eval-every"), help: "Steps between measurements (and checkpoints).")
    var evalEvery = 250

    @Option(name: .customLong("batch-size"), help: "Sentences per batch, split evenly between the styles.")
    var batchSize = 32

    @Option(name: .customLong("learning-rate"), help: "Adam's learning rate (β₁ = 0.5).")
    var learningRate: Float = 1e-3

    @Option(name: .customLong("embedding-size"), help: "Word embedding width.")
    var embeddingSize = 32

    @Option(name: .customLong("content-size"), help: "Width of the content vector.")
    var contentSize = 64

    @Option(name: .customLong("style-size"), help: "Width of the style part of the decoder state.")
    var styleSize = 32

    @Option(name: .customLong("classifier-epochs"), help: "Epochs of the TextCNN style classifier (the proxy).")
    var classifierEpochs = 2

    @Option(name: .customLong("time-limit"), help: "Stop training after this wall-clock time: 90s, 45m, 2h.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Directory for the data, the model directory, metrics, curves and summary.")
    var output: String

    func run() throws {
        let grammars = [
            try WeightedGrammarSupport.load(first, valuation: nil),
            try WeightedGrammarSupport.load(second, valuation: nil),
        ]
        let names: [String]
        if let styles {
            names = styles.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard names.count == 2 else { throw ValidationError("--styles: expected two names, got '\(styles)'") }
        } else {
            names = [first, second].map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            guard names[0] != names[1] else {
                throw ValidationError("the grammar files have the same base name: name the styles with --styles A,B")
            }
        }
        var network = GrammarStyleTransferSettings.smallNetwork(
            steps: steps, evaluationInterval: evalEvery, seed: sample.seed)
        network.embeddingSize = embeddingSize
        network.contentSize = contentSize
        network.styleSize = styleSize
        network.training.batchSize = batchSize
        network.training.learningRate = learningRate
        let settings = GrammarStyleTransferSettings(
            method: method, trainingSamples: sample.trainSamples, testSentences: testSentences,
            maximumLength: maxLength, network: network, classifierEpochs: classifierEpochs, seed: sample.seed)
        let directory = URL(fileURLWithPath: output)
        let clock = ContinuousClock()
        let started = clock.now
        let result: GrammarStyleTransferRun
        var records: [(step: Int, metrics: [String: Double], seconds: Double)] = []
        do {
            result = try GrammarStyleTransferExperiment.run(
                grammars, styles: names, settings: settings, directory: directory, timeLimit: timeLimit?.seconds,
                log: sample.json ? nil : { print($0) }
            ) { measurement in
                records.append((measurement.step, measurement.metrics, (clock.now - started) / .seconds(1)))
                if !sample.json { print(Self.line(measurement)) }
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        let seconds = (clock.now - started) / .seconds(1)
        let summary = TransferSummary(
            grammars: [first, second], styles: names, settings: settings, seconds: seconds,
            trainingSentences: result.trainingSentences, classifierHeldOutAccuracy: result.classifierAccuracy,
            stoppedByTimeLimit: result.stoppedByTimeLimit, final: result.measurements.last,
            copyBaseline: result.copyBaseline)
        do {
            try ExperimentArtifacts.write(
                records: records.map { (round: $0.step, metrics: $0.metrics, seconds: $0.seconds) },
                curves: [
                    .init(
                        file: "exact.svg",
                        metrics: [
                            "target_validity", "meaning_preservation", "grammar_style_accuracy", "classifier_accuracy",
                        ],
                        title: "\(method.rawValue): exact measures and the classifier proxy"),
                    .init(file: "bleu.svg", metrics: ["source_bleu"], title: "\(method.rawValue): source-BLEU"),
                ], xLabel: "step", to: directory)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try ExperimentArtifacts.writeLines(
                try result.finalRecords.map { String(decoding: try encoder.encode($0), as: UTF8.self) },
                to: directory.appendingPathComponent("transfers.jsonl"))
            try ExperimentArtifacts.writeJSON(summary, to: directory.appendingPathComponent("summary.json"))
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if sample.json {
            GrammarCommandSupport.printJSON(summary)
        } else {
            print("copy the input: " + Self.line(result.copyBaseline))
            if let accuracy = result.classifierAccuracy {
                print(String(format: "style classifier, held-out accuracy %.4f", accuracy))
            }
            print(String(format: "%.1f s", seconds))
        }
    }

    static func line(_ m: GrammarStyleTransferMeasurement) -> String {
        func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        let s = m.overall
        return "step \(m.step): target validity \(f(s.targetValidity)), meaning preservation "
            + "\(f(s.meaningPreservation)), grammar style accuracy \(f(s.grammarStyleAccuracy)), classifier accuracy "
            + "\(f(s.classifierAccuracy)) (of which rejected by the grammar \(f(s.classifierAcceptsInvalid))), "
            + "source-BLEU \(s.sourceBLEU.map { String(format: "%.2f", $0) } ?? "-"), unchanged \(f(s.unchanged))"
    }
}

/// The summary `experiment transfer` prints with --json and writes to summary.json.
struct TransferSummary: Codable {
    var grammars: [String]
    var styles: [String]
    var settings: GrammarStyleTransferSettings
    var seconds: Double
    var trainingSentences: [Int]
    var classifierHeldOutAccuracy: Double?
    var stoppedByTimeLimit: Bool
    var final: GrammarStyleTransferMeasurement?
    var copyBaseline: GrammarStyleTransferMeasurement
}
