import ArgumentParser
import Experiments
import Foundation
import Grammar

extension MeaningConditionedMethod: ExpressibleByArgument {}

/// `montague experiment conditional GRAMMAR`: meaning-conditioned generation judged by the grammar's semantics.
struct ExperimentConditionalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conditional",
        abstract: "Generate sentences for a given meaning; the grammar decides whether they mean it.",
        discussion: """
            Samples --train-samples (sentence, meaning) pairs from the grammar (its weights block), trains a \
            generator conditioned on the meaning, and every --eval-interval epochs asks it for one sentence per \
            condition of a fresh sample of the grammar's meanings (those seen in training). Reported: accuracy \
            (the generated sentence's meaning, by the grammar, is the condition), validity, novelty (correct and \
            not in the training sample) and distinct correct sentences per condition. Methods: conditional-lm \
            (the meaning's embedding starts the LSTM), conditional-gan (a conditional GAN whose discriminator also \
            rejects real sentences paired with another meaning; trained in batches with every meaning equally \
            often, measured every --eval-interval epochs of ⌈N / batch⌉ steps), conditional-vae (a conditional \
            VAE sampled from its prior) and unconditional-lm (the same network as conditional-lm ignoring the \
            condition: the chance level). With --output: DIR/metrics.jsonl, DIR/quality.svg, DIR/outputs.tsv, \
            DIR/summary.json. See docs/probabilistic-grammars.md.

            Examples:
              montague experiment conditional grammars/weighted-arithmetic.mont --epochs 20 --output runs/cond
              montague experiment conditional grammars/weighted-arithmetic.mont --method conditional-vae --epochs 20
              montague experiment conditional grammars/weighted-arithmetic.mont --method unconditional-lm
            """)

    @Argument(help: "A .mont grammar with a weights block (or an NLTK .fcfg grammar: uniform weights).")
    var file: String

    @OptionGroup(title: "Model and training")
    var network: GrammarModelOptions

    @Option(name: .long, help: "conditional-lm, conditional-gan, conditional-vae or unconditional-lm.")
    var method: MeaningConditionedMethod = .conditionalLM

    @OptionGroup var sample: GrammarSampleOptions

    @Option(name: .customLong("eval-conditions"), help: "Meanings asked for per measurement.")
    var evalConditions = 500

    @Option(name: .long, help: "Training epochs.")
    var epochs = 20

    @Option(name: .long, help: "Sampling temperature of generation.")
    var temperature: Float = 1

    @Option(name: .customLong("eval-interval"), help: "Epochs between measurements.")
    var evalInterval = 2

    @OptionGroup var vae: TextVAEOptions

    @Option(name: .long, help: "Directory for the metrics log, curves, outputs and summary.")
    var output: String?

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(file, valuation: nil)
        let settings = MeaningConditionedSettings(
            method: method, trainingSamples: sample.trainSamples, evaluationConditions: evalConditions,
            maximumLength: network.maxLength, embeddingSize: network.embeddingSize, hiddenSize: network.hiddenSize,
            batchSize: network.batchSize, learningRate: network.lr, epochs: epochs, temperature: temperature,
            evaluationInterval: evalInterval, seed: sample.seed, latentSize: vae.latentSize,
            wordDropout: vae.wordDropout)
        let clock = ContinuousClock()
        let started = clock.now
        let result: MeaningConditionedRun
        var times: [Double] = []
        do {
            result = try MeaningConditionedGeneration.run(grammar, settings: settings) { m in
                times.append((clock.now - started) / .seconds(1))
                guard !sample.json else { return }
                func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
                print(
                    "epoch \(m.epoch): accuracy \(f(m.accuracy)), validity \(f(m.validity)), novelty \(f(m.novelty)), "
                        + "distinct correct per meaning \(f(m.distinctCorrect)), loss \(f(m.loss))")
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        let seconds = (clock.now - started) / .seconds(1)
        let summary = ConditionalSummary(
            grammar: file, settings: settings, seconds: seconds, meanings: result.meanings.count,
            knownConditionFraction: result.knownConditionFraction,
            final: result.measurements.last?.metrics ?? [:])
        if let output {
            let directory = URL(fileURLWithPath: output)
            do {
                try ExperimentArtifacts.write(
                    records: zip(result.measurements, times).map { ($0.epoch, $0.metrics, $1) },
                    curves: [
                        .init(
                            file: "quality.svg", metrics: ["accuracy", "validity", "novelty"],
                            title: "\(method.rawValue): meaning accuracy, validity, novelty")
                    ], to: directory)
                try ExperimentArtifacts.writeLines(
                    result.finalOutputs.map { "\($0.meaning)\t\($0.sentence)" },
                    to: directory.appendingPathComponent("outputs.tsv"))
                try ExperimentArtifacts.writeJSON(summary, to: directory.appendingPathComponent("summary.json"))
            } catch {
                throw GrammarCommandSupport.inputError(error)
            }
        }
        if sample.json {
            GrammarCommandSupport.printJSON(summary)
        } else {
            print(
                "\(result.meanings.count) meanings in training; "
                    + String(
                        format: "%.1f%% of the asked meanings seen in training; %.1f s",
                        100 * result.knownConditionFraction, seconds))
        }
    }
}

/// The summary `experiment conditional` prints with --json and writes to summary.json.
struct ConditionalSummary: Codable {
    var grammar: String
    var settings: MeaningConditionedSettings
    var seconds: Double
    var meanings: Int
    var knownConditionFraction: Double
    var final: [String: Double]
}

/// The network and optimizer options `experiment generate` and `experiment conditional` share.
struct GrammarModelOptions: ParsableArguments {
    @Option(name: .customLong("max-length"), help: "Leave out training sentences longer than this (words).")
    var maxLength = 30

    @Option(name: .customLong("embedding-size"), help: "Embedding width.")
    var embeddingSize = 32

    @Option(name: .customLong("hidden-size"), help: "LSTM width.")
    var hiddenSize = 64

    @Option(name: .customLong("batch-size"), help: "Sentences per batch.")
    var batchSize = 64

    @Option(name: .long, help: "Adam's learning rate (the generator's, for the adversarial methods).")
    var lr: Float = 5e-3
}
