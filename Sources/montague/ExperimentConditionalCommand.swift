import ArgumentParser
import Experiments
import Foundation
import Grammar
import NeuralNet

extension MeaningConditionedMethod: ExpressibleByArgument {}
extension MeaningConditionKind: ExpressibleByArgument {}

/// `montague experiment conditional GRAMMAR`: meaning-conditioned generation judged by the grammar's semantics.
struct ExperimentConditionalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conditional",
        abstract: "Generate sentences for a given meaning; the grammar decides whether they mean it.",
        discussion: """
            Samples --train-samples (sentence, meaning) pairs from the grammar (its weights block), trains a \
            generator conditioned on the meaning, and every --eval-interval epochs asks it for one sentence per \
            condition of a fresh sample of the grammar's meanings. Reported: accuracy (the generated sentence's \
            meaning, by the grammar, is the condition), validity, novelty (correct and not in the training sample) \
            and distinct correct sentences per condition, for the asked meanings seen in training, and accuracy and \
            validity for those absent from training (accuracy_unseen, validity_unseen). --condition says how the \
            meaning is read: class (one learned vector per meaning seen in training) or sequence (the meaning's \
            tokens, e.g. a SCAN action sequence, read by an LSTM encoder: conditional-lm becomes a \
            meaning-to-sentence seq2seq model with --attention over the meaning, conditional-vae's condition \
            vector is the LSTM's final state); the default is class when every meaning is an integer or the \
            method is conditional-gan, else sequence. --held-out-fraction of the sampled meanings are left out of \
            training with all their sentences (default 0.2 when the meanings are not integers, else 0). Methods: \
            conditional-lm (the meaning's vector or encoding starts the LSTM), conditional-gan (a conditional GAN whose discriminator also \
            rejects real sentences paired with another meaning; trained in batches with every meaning equally \
            often, measured every --eval-interval epochs of ⌈N / batch⌉ steps), conditional-vae (a conditional \
            VAE sampled from its prior) and unconditional-lm (the same network as conditional-lm ignoring the \
            condition: the chance level). With --output: DIR/metrics.jsonl, DIR/quality.svg, DIR/outputs.tsv \
            (and DIR/outputs-unseen.tsv), DIR/summary.json. See docs/probabilistic-grammars.md and \
            docs/experiments.md.

            Examples:
              montague experiment conditional grammars/weighted-arithmetic.mont --epochs 20 --output runs/cond
              montague experiment conditional grammars/weighted-arithmetic.mont --method conditional-vae --epochs 20
              montague experiment conditional grammars/weighted-arithmetic.mont --method unconditional-lm
              montague experiment conditional grammars/scan.mont --condition sequence --epochs 10 --output runs/scan
            """)

    @Argument(help: "A .mont grammar (its weights block; without one, uniform rule weights) or an NLTK .fcfg grammar.")
    var file: String

    @OptionGroup(title: "Model and training")
    var network: GrammarModelOptions

    @Option(name: .long, help: "conditional-lm, conditional-gan, conditional-vae or unconditional-lm.")
    var method: MeaningConditionedMethod = .conditionalLM

    @Option(name: .long, help: "How the meaning is read: class or sequence (default: see above).")
    var condition: MeaningConditionKind?

    @Option(
        name: .customLong("held-out-fraction"),
        help: "Fraction of the sampled meanings kept out of training (default: 0.2, or 0 for integer meanings).")
    var heldOutFraction: Double?

    @Option(
        name: .long, help: "Attention of the sequence-conditioned LM over the meaning: none, dot, general, additive.")
    var attention: Seq2SeqAttentionKind?

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
            wordDropout: vae.wordDropout, condition: condition, heldOutFraction: heldOutFraction,
            attention: attention)
        let clock = ContinuousClock()
        let started = clock.now
        let result: MeaningConditionedRun
        var times: [Double] = []
        do {
            result = try MeaningConditionedGeneration.run(grammar, settings: settings) { m in
                times.append((clock.now - started) / .seconds(1))
                guard !sample.json else { return }
                func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
                let unseen =
                    m.unseenAccuracy.map { _ in
                        ", unseen meanings: accuracy \(f(m.unseenAccuracy)), validity \(f(m.unseenValidity))"
                    } ?? ""
                print(
                    "epoch \(m.epoch): accuracy \(f(m.accuracy)), validity \(f(m.validity)), novelty \(f(m.novelty)), "
                        + "distinct correct per meaning \(f(m.distinctCorrect)), loss \(f(m.loss))" + unseen)
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        let seconds = (clock.now - started) / .seconds(1)
        let summary = ConditionalSummary(
            grammar: file, settings: settings, condition: result.condition, seconds: seconds,
            meanings: result.meanings.count, heldOutMeanings: result.heldOutMeanings.count,
            knownConditionFraction: result.knownConditionFraction, unseenConditions: result.unseenConditionCount,
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
                if !result.finalUnseenOutputs.isEmpty {
                    try ExperimentArtifacts.writeLines(
                        result.finalUnseenOutputs.map { "\($0.meaning)\t\($0.sentence)" },
                        to: directory.appendingPathComponent("outputs-unseen.tsv"))
                }
                try ExperimentArtifacts.writeJSON(summary, to: directory.appendingPathComponent("summary.json"))
            } catch {
                throw GrammarCommandSupport.inputError(error)
            }
        }
        if sample.json {
            GrammarCommandSupport.printJSON(summary)
        } else {
            print(
                "condition \(result.condition.rawValue); \(result.meanings.count) meanings in training "
                    + "(\(result.heldOutMeanings.count) held out); "
                    + String(
                        format: "%.1f%% of the asked meanings seen in training (%ld unseen); %.1f s",
                        100 * result.knownConditionFraction, result.unseenConditionCount, seconds))
        }
    }
}

/// The summary `experiment conditional` prints with --json and writes to summary.json.
struct ConditionalSummary: Codable {
    var grammar: String
    var settings: MeaningConditionedSettings
    /// How the meaning was read (the setting, or its default resolved).
    var condition: MeaningConditionKind
    var seconds: Double
    var meanings: Int
    var heldOutMeanings: Int
    var knownConditionFraction: Double
    var unseenConditions: Int
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
