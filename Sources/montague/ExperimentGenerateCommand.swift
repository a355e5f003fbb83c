import ArgumentParser
import Experiments
import Foundation
import Grammar
import NeuralNet

extension GrammarGeneratorMethod: ExpressibleByArgument {}
extension GrammarGeneratorReward: ExpressibleByArgument {}

/// `montague experiment generate GRAMMAR --method …`: a text generator trained on a weighted grammar's sample and
/// measured exactly by the grammar.
struct ExperimentGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Train a text generator on a weighted grammar's sample; measure it exactly with the grammar.",
        discussion: """
            Samples --train-samples sentences from the grammar's distribution (its weights block), trains the \
            generator and, every --eval-interval rounds, generates --eval-samples sentences and measures them with \
            the grammar: validity (fraction in the language), NLL_oracle (exact −log P(s) by the inside \
            algorithm, per sentence and per token), novelty (valid and not in the training sample), coverage (the \
            grammar probability of the distinct valid sentences) and diversity self-BLEU-4. Methods: mle, \
            scheduled-sampling, sentence-vae, seqgan (with --reward discriminator, grammar-validity or \
            grammar-probability: policy gradient from the grammar itself) and gumbel. A round is an epoch \
            (pretraining and mle, scheduled-sampling, sentence-vae) or an adversarial round. With --output: \
            DIR/metrics.jsonl, DIR/quality.svg, DIR/nll.svg, DIR/samples.txt, DIR/train.txt, DIR/summary.json and \
            the generator as a model directory DIR/model (`lm`, or `sentence-vae` for the sentence VAE; usable \
            with `montague predict` and `montague evaluate`). \
            See docs/probabilistic-grammars.md and docs/experiments.md.

            Examples:
              montague experiment generate grammars/weighted-arithmetic.mont --method mle --output runs/mle
              montague experiment generate grammars/weighted-arithmetic.mont --method seqgan --reward grammar-validity --output runs/pg-grammar
            """)

    @Argument(help: "A .mont grammar with a weights block (or an NLTK .fcfg grammar: uniform weights).")
    var file: String

    @OptionGroup(title: "Model and training")
    var network: GrammarModelOptions

    @Option(name: .long, help: "mle, scheduled-sampling, sentence-vae, seqgan or gumbel.")
    var method: GrammarGeneratorMethod = .mle

    @Option(name: .long, help: "seqgan's reward: discriminator, grammar-validity or grammar-probability.")
    var reward: GrammarGeneratorReward = .discriminator

    @OptionGroup var sample: GrammarSampleOptions

    @Option(name: .customLong("eval-samples"), help: "Sentences generated per measurement.")
    var evalSamples = 500

    @Option(name: .customLong("pretrain-epochs"), help: "MLE epochs before the adversarial phase.")
    var pretrainEpochs = 20

    @Option(name: .long, help: "Rounds after pretraining (epochs, or adversarial rounds).")
    var rounds = 20

    @Option(name: .customLong("discriminator-pretrain"), help: "Discriminator rounds before the adversarial phase.")
    var discriminatorPretrain = 5

    @Option(name: .customLong("generator-steps"), help: "Generator steps per adversarial round.")
    var generatorSteps = 1

    @Option(name: .customLong("discriminator-steps"), help: "Discriminator steps per adversarial round.")
    var discriminatorSteps = 3

    @Option(name: .long, help: "Monte Carlo rollouts per prefix (seqgan).")
    var rollouts = 8

    @OptionGroup var vae: TextVAEOptions

    @Option(
        name: .customLong("sampling-floor"), help: "Last probability of reading the gold token (scheduled-sampling).")
    var samplingFloor: Float = 0.5

    @Option(name: .customLong("eval-interval"), help: "Rounds between measurements.")
    var evalInterval = 2

    @Option(name: .long, help: "Directory for the metrics log, curves, samples and summary.")
    var output: String?

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(file, valuation: nil)
        let settings = GrammarGeneratorSettings(
            method: method, reward: reward, trainingSamples: sample.trainSamples, evaluationSamples: evalSamples,
            maximumLength: network.maxLength, embeddingSize: network.embeddingSize, hiddenSize: network.hiddenSize,
            latentSize: vae.latentSize,
            batchSize: network.batchSize, learningRate: network.lr, pretrainEpochs: pretrainEpochs, rounds: rounds,
            discriminatorPretrainRounds: discriminatorPretrain, generatorSteps: generatorSteps,
            discriminatorSteps: discriminatorSteps, rolloutCount: rollouts, scheduledSamplingFloor: samplingFloor,
            wordDropout: vae.wordDropout, evaluationInterval: evalInterval, seed: sample.seed)
        let clock = ContinuousClock()
        let started = clock.now
        let result: GrammarGeneratorRun
        var times: [Double] = []
        do {
            result = try GrammarGeneratorExperiment.run(grammar, settings: settings) { measurement in
                times.append((clock.now - started) / .seconds(1))
                if !sample.json { print(Self.line(measurement)) }
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        let seconds = (clock.now - started) / .seconds(1)
        let summary = GeneratorSummary(
            grammar: file, settings: settings, seconds: seconds, final: result.measurements.last?.metrics ?? [:],
            trainingSample: Self.metrics(of: result.trainingReport))
        if let output {
            let directory = URL(fileURLWithPath: output)
            do {
                try ExperimentArtifacts.write(
                    records: zip(result.measurements, times).map { ($0.round, $0.metrics, $1) },
                    curves: [
                        .init(
                            file: "quality.svg", metrics: ["validity", "novelty", "coverage", "self_bleu"],
                            title: "\(method.rawValue): validity, novelty, coverage, self-BLEU"),
                        .init(
                            file: "nll.svg", metrics: ["nll_oracle_per_token"],
                            title: "\(method.rawValue): NLL_oracle per token (nats)"),
                    ], to: directory)
                try ExperimentArtifacts.writeLines(
                    result.finalSamples, to: directory.appendingPathComponent("samples.txt"))
                try ExperimentArtifacts.writeLines(
                    result.trainingSentences, to: directory.appendingPathComponent("train.txt"))
                try ExperimentArtifacts.writeJSON(summary, to: directory.appendingPathComponent("summary.json"))
                if let model = result.languageModel {
                    try GrammarModelExport.saveLanguageModel(
                        model, vocabulary: result.vocabulary,
                        to: ModelDirectory(url: directory.appendingPathComponent("model")),
                        maximumLength: network.maxLength, batchSize: network.batchSize, learningRate: network.lr,
                        seed: sample.seed, metrics: summary.final)
                }
                if let model = result.sentenceVAE {
                    try GrammarModelExport.saveSentenceVAE(
                        model, vocabulary: result.vocabulary,
                        to: ModelDirectory(url: directory.appendingPathComponent("model")),
                        maximumLength: network.maxLength, batchSize: network.batchSize, learningRate: network.lr,
                        wordDropout: vae.wordDropout, seed: sample.seed, metrics: summary.final)
                }
            } catch {
                throw GrammarCommandSupport.inputError(error)
            }
        }
        if sample.json {
            GrammarCommandSupport.printJSON(summary)
        } else {
            print(
                "training sample: "
                    + Self.metrics(of: result.trainingReport).keys.sorted().map {
                        "\($0) \(String(format: "%.4f", Self.metrics(of: result.trainingReport)[$0] ?? .nan))"
                    }.joined(separator: ", "))
            print(String(format: "%.1f s", seconds))
        }
    }

    static func metrics(of report: GrammarOracle.Report) -> [String: Double] {
        var values: [String: Double] = ["validity": report.validity, "coverage": report.coverage]
        if let v = report.oracleNLLPerToken { values["nll_oracle_per_token"] = v }
        if let v = report.oracleNLL { values["nll_oracle"] = v }
        return values
    }

    static func line(_ m: GrammarGeneratorMeasurement) -> String {
        func f(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        return "round \(m.round) (\(m.stage)): validity \(f(m.oracle.validity)), NLL_oracle/token "
            + "\(f(m.oracle.oracleNLLPerToken)), novelty \(f(m.oracle.novelty)), coverage \(f(m.oracle.coverage)), "
            + "self-BLEU \(f(m.selfBLEU))"
            + m.training.keys.sorted().map { ", \($0) \(f(m.training[$0]))" }.joined()
    }
}

/// The summary `experiment generate` prints with --json and writes to summary.json.
struct GeneratorSummary: Codable {
    var grammar: String
    var settings: GrammarGeneratorSettings
    var seconds: Double
    var final: [String: Double]
    var trainingSample: [String: Double]
}
