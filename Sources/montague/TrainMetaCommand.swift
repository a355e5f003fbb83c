import ArgumentParser
import Autodiff
import Foundation
import MetaLearning
import MontagueSupport
import NeuralNet

/// The task family of `train meta`: `sinusoid`, `digits:PATH` or `text:PATH`.
struct MetaTaskArgument: ExpressibleByArgument, Equatable {
    var family: MetaTaskFamily
    var path: String?

    /// The sinusoid task family.
    static let sinusoid = MetaTaskArgument(family: .sinusoid, path: nil)

    init(family: MetaTaskFamily, path: String?) {
        self.family = family
        self.path = path
    }

    init?(argument: String) {
        if argument == "sinusoid" {
            family = .sinusoid
            path = nil
        } else if argument.hasPrefix("digits:"), argument.count > "digits:".count {
            family = .digits
            path = String(argument.dropFirst("digits:".count))
        } else if argument.hasPrefix("text:"), argument.count > "text:".count {
            family = .text
            path = String(argument.dropFirst("text:".count))
        } else {
            return nil
        }
    }

    static var defaultValueDescription: String { "sinusoid" }
}

/// `montague train meta`: meta-learning on sinusoid regression or rotated-digit few-shot classification.
struct TrainMetaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta",
        abstract: "Meta-learn few-shot regression or classification (MAML, Reptile, prototypical networks, …).",
        discussion: """
            Tasks: `sinusoid` (Finn et al. 2017: y = A sin(x − φ), A in [0.1, 5], φ in [0, π], x in [−5, 5], \
            K = --shots support points) or `digits:PATH` (the UCI 8×8 digits, each digit in four rotations as its \
            own class, 40 classes split by digit: 0–6 meta-train, 7–9 meta-test; N-way K-shot episodes) or \
            `text:PATH` (plays in XML, e.g. Bosak's Shakespeare: each speaker of a play with enough speeches is a \
            class, "who speaks this?" from K speeches per speaker; the plays are split, the last quarter by title \
            held out for meta-testing; speeches are encoded as hashed word and word-pair bags, --text-features \
            buckets, under a bag-of-embeddings MLP). \
            Methods: maml (exact second-order meta-gradient), fomaml, meta-sgd (learned inner rates), reptile, \
            pretrained (one network trained on all tasks, the baseline), protonet, matching, siamese, \
            lstm-optimizer (an LSTM whose cell state is the parameters). After training, prints the held-out \
            few-shot result after 0, 1, 5 and --test-steps gradient steps with 95% intervals, and writes the model \
            directory (manifest.json, weights.safetensors, training-state.safetensors for --resume). The training \
            state is saved atomically every --checkpoint-every meta-steps, so an interrupted run continues with \
            --resume exactly as if it had not stopped. Meta-SGD's learned rates are trained for --inner-steps \
            steps; test-time steps beyond that are marked, and episodes whose loss diverges are counted and left \
            out of the means instead of printing NaN. --plots writes adaptation.svg and training.svg (and \
            optimizers.svg with --compare-optimizers) to the model directory.

            Examples:
              montague train meta --task sinusoid --method maml --shots 10 --steps 20000 --output runs/maml
              montague train meta --task digits:digits.csv.gz --method protonet --way 5 --shots 1 --output runs/proto
              montague train meta --task text:corpora/shakespeare --method protonet --way 5 --shots 5 --output runs/text
              montague train meta --method lstm-optimizer --fixed-initialization --compare-optimizers --plots \
            --output runs/lstmopt
              montague evaluate runs/maml --episodes 600
            """)

    @Option(name: .long, help: "sinusoid, digits:PATH or text:PATH.")
    var task: MetaTaskArgument = .sinusoid

    @Option(
        name: .long, help: "maml, fomaml, meta-sgd, reptile, pretrained, protonet, matching, siamese, lstm-optimizer.")
    var method: MetaMethod = .maml

    @Option(name: .long, help: "Write the model directory here.")
    var output: String

    @Option(name: .long, help: "K: support examples per task (sinusoid) or per class (digits).")
    var shots = 10

    @Option(name: .long, help: "N: classes per episode (digits).")
    var way = 5

    @Option(name: .long, help: "Query examples per task (sinusoid) or per class (digits) in training.")
    var query = 10

    @Option(name: .long, help: "Hidden layer widths, comma-separated.")
    var hidden = "40,40"

    @Option(name: .customLong("embedding-size"), help: "Embedding width of metric methods.")
    var embeddingSize = 64

    @Option(
        name: .customLong("inner-steps"), help: "Inner gradient steps in meta-training (unroll for lstm-optimizer).")
    var innerSteps = 1

    @Option(name: .customLong("inner-lr"), help: "Inner and test-time learning rate α.")
    var innerLR: Float = 0.01

    @Option(
        name: .customLong("inner-rates"),
        help: "meta-sgd: softplus (α = softplus(ρ), always positive) or unconstrained (α = ρ, Li et al. 2017).")
    var innerRates: InnerRateParameterization = .softplus

    @Option(name: .customLong("max-inner-rate"), help: "meta-sgd: clip the learned rates at this value.")
    var maxInnerRate: Float?

    @Option(name: .customLong("meta-lr"), help: "Adam learning rate of the meta-update.")
    var metaLR: Float = 1e-3

    @Option(name: .customLong("outer-step"), help: "Reptile's outer step size ε.")
    var outerStep: Float = 0.1

    @Option(name: .customLong("meta-batch"), help: "Tasks per meta-update.")
    var metaBatch = 25

    @Option(
        name: .customLong("input-lstm"),
        help: "lstm-optimizer: hidden size of a second LSTM that reads the gradients (0: none).")
    var inputLSTM = 0

    @Option(name: .customLong("test-steps"), help: "Test-time gradient steps reported besides 0, 1 and 5.")
    var testSteps = 10

    @Option(name: .long, help: "Meta-updates to take in total.")
    var steps = 1000

    @Option(name: .customLong("time-limit"), help: "Wall-clock budget (90s, 45m, 2h); stops early and saves.")
    var timeLimit: WallClockBudget?

    @Option(name: .customLong("eval-episodes"), help: "Held-out episodes in the final evaluation.")
    var evalEpisodes = 600

    @Option(name: .long, help: "Seed of initialization and task sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    @Option(name: .customLong("report-every"), help: "Print and log the training loss every this many steps.")
    var reportEvery = 100

    @Option(name: .customLong("text-features"), help: "Text tasks: hash buckets of the word and word-pair bag.")
    var textFeatures = 1024

    @Flag(
        name: .customLong("fixed-initialization"),
        help: "lstm-optimizer: start every task from the same random θ₀ instead of learning it.")
    var fixedInitialization = false

    @Flag(
        name: .customLong("compare-optimizers"),
        help: "lstm-optimizer: after training, compare with SGD and Adam from the same θ₀ on held-out tasks.")
    var compareOptimizers = false

    @Option(
        name: .customLong("checkpoint-every"),
        help: "Save the training state every this many meta-steps (0: at the end).")
    var checkpointEvery = 1000

    @Flag(name: .long, help: "Write adaptation.svg and training.svg (and optimizers.svg) to --output.")
    var plots = false

    @Flag(name: .long, help: "Continue from the training state in --output.")
    var resume = false

    @Flag(name: .long, help: "Print the final evaluation as JSON.")
    var json = false

    var hiddenSizes: [Int]? {
        let parts = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.compactMap { $0 }
    }

    var runConfiguration: MetaTrainingConfiguration {
        MetaTrainingConfiguration(
            task: task.family, method: method, shots: shots, way: way, queryCount: query,
            hiddenSizes: hiddenSizes ?? [40, 40], embeddingSize: embeddingSize, innerSteps: innerSteps,
            innerLearningRate: innerLR, metaLearningRate: metaLR, outerStepSize: outerStep, metaBatchSize: metaBatch,
            inputLSTMHiddenSize: inputLSTM, seed: seed, textFeatures: task.family == .text ? textFeatures : nil,
            learnsInitialization: method == .lstmOptimizer && fixedInitialization ? false : nil,
            innerRateParameterization: innerRates, maximumInnerRate: maxInnerRate)
    }

    func validate() throws {
        guard hiddenSizes != nil else { throw ValidationError("--hidden must be positive widths, e.g. 40,40") }
        if let problem = runConfiguration.problems.first { throw ValidationError(problem) }
        guard steps >= 0, evalEpisodes > 0, reportEvery > 0, testSteps >= 1, checkpointEvery >= 0 else {
            throw ValidationError(
                "--steps and --checkpoint-every must be ≥ 0; --eval-episodes, --report-every, --test-steps positive")
        }
        if (maxInnerRate != nil || innerRates != .softplus) && method != .metaSGD {
            throw ValidationError("--inner-rates and --max-inner-rate need --method meta-sgd")
        }
        if (compareOptimizers || fixedInitialization) && method != .lstmOptimizer {
            throw ValidationError("--compare-optimizers and --fixed-initialization need --method lstm-optimizer")
        }
    }

    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func run() throws {
        let configuration = runConfiguration
        let record = MetaModelRecord(configuration: configuration, dataPath: task.path, testSteps: testSteps)
        let sampler = try metaEpisodes(
            family: task.family, path: task.path, configuration: configuration, forTesting: false)
        let directory = ModelDirectory(path: output)
        try directory.create()
        let training = MetaTraining(configuration: configuration)
        let parameters = NamedParameterList(namedParameters: training.namedParameters)
        if resume, let state = try directory.loadTrainingState() {
            let manifest = try directory.readManifest(expecting: "meta")
            let saved = try manifest.hyperparameters(as: MetaModelRecord.self)
            guard saved.configuration == configuration else {
                throw ValidationError("--resume: the flags differ from the saved run's configuration")
            }
            if !MetaTraining.archiveHoldsParameters(state) { try directory.loadWeights(into: parameters) }
            try training.restore(from: state)
            say("resumed from \(directory.trainingStateURL.path) after step \(training.stepCount)")
        }
        say(
            "task: \(task.family.rawValue)  method: \(method.rawValue)  seed: \(seed)  parameters: "
                + "\(parameters.parameterCount)")
        let logger = try metrics.map {
            try MetricsLogger(url: URL(fileURLWithPath: $0), keepingRecordsThrough: resume ? training.stepCount : nil)
        }
        let fingerprints = task.path.map { [$0: Self.fingerprint($0)] } ?? [:]
        /// The training state first (one atomic file, the source of truth for --resume), then weights and manifest.
        func checkpoint(metrics: [String: Double]) throws {
            try directory.saveTrainingState(training.trainingState())
            try directory.saveWeights(of: parameters)
            try directory.writeManifest(
                ModelManifest(
                    kind: "meta", hyperparameters: record, dataFingerprints: fingerprints, metrics: metrics))
        }
        let start = Date()
        var runningLoss = 0.0
        var runningCount = 0
        var curve: [(step: Int, loss: Double)] = []
        while training.stepCount < steps {
            if let timeLimit, Date().timeIntervalSince(start) >= timeLimit.seconds {
                say("time limit reached after step \(training.stepCount)")
                break
            }
            let loss = training.step(sampler: sampler)
            if loss.isFinite {
                runningLoss += loss
                runningCount += 1
            }
            if training.stepCount % reportEvery == 0 || training.stepCount == steps {
                let mean = runningCount > 0 ? runningLoss / Double(runningCount) : .nan
                let seconds = Date().timeIntervalSince(start)
                var line = String(format: "step %d  loss %.4f  %.0fs", training.stepCount, mean, seconds)
                if training.skippedMetaSteps > 0 {
                    line += "  (\(training.skippedMetaSteps) meta-steps skipped so far: non-finite meta-gradient)"
                }
                say(line)
                if mean.isFinite {
                    curve.append((step: training.stepCount, loss: mean))
                    try logger?.log(
                        MetricsRecord(
                            phase: "train", step: training.stepCount, epoch: 0, wallTime: seconds,
                            metrics: ["loss": mean]))
                }
                runningLoss = 0
                runningCount = 0
            }
            if checkpointEvery > 0 && training.stepCount % checkpointEvery == 0 && training.stepCount < steps {
                try checkpoint(metrics: [:])
            }
        }
        if let rates = training.innerRateSummary {
            say(
                String(
                    format: "learned inner rates: min %.4g  mean %.4g  max %.4g  negative %.1f%% of %d",
                    rates.minimum, rates.mean, rates.maximum, 100 * rates.negativeFraction, rates.count))
        }
        let results = try evaluateMetaRun(
            training, record: record, dataPath: task.path, episodes: evalEpisodes, seed: seed &+ 1,
            everyStep: plots)
        var metricValues: [String: Double] = [:]
        // Diverged episodes are counted, not averaged; JSON cannot hold a non-finite mean.
        for result in results where result.loss.mean.isFinite && result.loss.count > 0 {
            metricValues["test.loss.after_\(result.steps)_steps"] = result.loss.mean
            if let accuracy = result.accuracy, accuracy.mean.isFinite {
                metricValues["test.accuracy.after_\(result.steps)_steps"] = accuracy.mean
            }
            if result.divergedEpisodes > 0 {
                metricValues["test.diverged.after_\(result.steps)_steps"] = Double(result.divergedEpisodes)
            }
        }
        try logger?.log(
            MetricsRecord(
                phase: "test", step: training.stepCount, epoch: 0, wallTime: Date().timeIntervalSince(start),
                metrics: metricValues))
        try checkpoint(metrics: metricValues)
        say(describeMetaResults(results, configuration: configuration, json: json, testSteps: testSteps))
        let lossName = configuration.task == .sinusoid ? "MSE" : "cross-entropy"
        if plots {
            let adaptation = MetaLearningCharts.adaptationChart(
                [(name: method.rawValue, results: results)], title: "\(method.rawValue) on \(task.family.rawValue)",
                lossName: lossName)
            try AtomicFile.write(adaptation.svg(), to: directory.file("adaptation.svg"))
            let chart = MetaLearningCharts.trainingChart(
                [(name: method.rawValue, points: curve)], title: "\(method.rawValue): meta-training loss")
            try AtomicFile.write(chart.svg(), to: directory.file("training.svg"))
        }
        if compareOptimizers {
            let tuning = try metaEpisodes(
                family: task.family, path: task.path, configuration: configuration, forTesting: false)
            let heldOut = try metaEpisodes(
                family: task.family, path: task.path, configuration: configuration, forTesting: true)
            if let comparison = training.compareOptimizers(
                sampler: heldOut, tuningSampler: tuning, episodeCount: evalEpisodes, tuningEpisodes: 50,
                steps: testSteps, seed: seed &+ 2)
            {
                say(describeOptimizerComparison(comparison))
                if plots {
                    try AtomicFile.write(
                        MetaLearningCharts.optimizerChart(comparison, title: "held-out tasks from the same θ₀").svg(),
                        to: directory.file("optimizers.svg"))
                }
            }
        }
        say(
            String(
                format: "trained %d steps in %.1fs; wrote %@", training.stepCount, Date().timeIntervalSince(start),
                output))
    }

    /// Size and modification time of a data file.
    static func fingerprint(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "size \(size), modified \(Int(modified))"
    }
}
