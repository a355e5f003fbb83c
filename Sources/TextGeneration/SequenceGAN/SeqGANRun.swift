import Autodiff
import Foundation
import MontagueSupport
import NeuralNet

/// Trains SeqGAN or its MLE baseline into a model directory — the library entry point of `montague train seqgan`
/// — on samples of SeqGAN's oracle LSTM (Yu et al. 2017's synthetic experiment) or on a file of token-id sequences.
///
/// The directory holds `manifest.json` (kind `seqgan`, the ``Record``, metrics; the record's configuration names
/// the generator's network), `weights.safetensors` (the generator: an LSTM ``LanguageModel`` or a
/// ``TransformerLanguageModel``) and `training-state.safetensors` (generator, rollout network, discriminator,
/// the three Adams, the random generator, the round), written after every `checkpointInterval` rounds and at the
/// end; the same call on the same directory continues the run bit for bit.
public enum SeqGANRun {
    /// The model kind written to manifests.
    public static let kind = "seqgan"

    /// The model directory's hyperparameters.
    public struct Record: Codable, Equatable, Sendable {
        /// The run's settings.
        public var configuration: SeqGANConfiguration
        /// The oracle file the data came from (and NLL_oracle is measured with), if any.
        public var oracle: String?
        /// The file of real sequences, when not sampled from the oracle.
        public var train: String?
        /// The model directory whose generator replaced the MLE pretraining, if any.
        public var initializedFrom: String?

        /// A record.
        public init(
            configuration: SeqGANConfiguration, oracle: String?, train: String?, initializedFrom: String? = nil
        ) {
            self.configuration = configuration
            self.oracle = oracle
            self.train = train
            self.initializedFrom = initializedFrom
        }
    }

    /// What a run reports while it trains.
    public enum Event: Sendable {
        /// Continued from the directory's training state after `round` rounds.
        case resumed(round: Int)
        /// A round ended (1-based count), with its stage, training metrics and seconds.
        case round(Int, SeqGANStage, [String: Double], seconds: Double)
        /// An evaluation after `round` rounds.
        case evaluated(round: Int, [String: Double])
    }

    /// How a run ended.
    public struct Summary: Sendable {
        /// Rounds done in total.
        public var rounds: Int
        /// The last evaluation.
        public var metrics: [String: Double]
        /// Seconds of this session, from the start the time limit counts from (data preparation included).
        public var seconds: Double
        /// `completed`, `time limit` or `interrupted`.
        public var stopReason: String
    }

    /// The real sequences of `record`: `trainingSamples` oracle samples (seeded by the run's seed) or the file's.
    public static func realSequences(of record: Record, oracle: LanguageModel?) throws -> [[Int]] {
        let configuration = record.configuration
        if let train = record.train {
            return try TokenSequenceFile.read(
                path: train, length: configuration.sequenceLength, vocabularySize: configuration.vocabularySize)
        }
        guard let oracle else { throw InputError("give an oracle file or a file of training sequences") }
        var generator = RandomGenerator(seed: configuration.seed)
        return SequenceSampler.sample(
            from: oracle, count: configuration.trainingSamples, length: configuration.sequenceLength,
            startToken: configuration.startToken, using: &generator)
    }

    /// Trains per `record` into `output` (see the type's documentation), stopping after `configuration.totalRounds`
    /// rounds, when `shouldStop` returns true, or once `timeLimit` seconds have passed since `start`.
    ///
    /// The time limit covers this session's whole call: reading the oracle, drawing its training samples, restoring
    /// the training state, the first evaluation and the rounds. It is checked before each round, so a run ends at
    /// most one round (plus the final evaluation and save) after the limit. `start` defaults to the moment of the
    /// call; the command line passes the moment the command started.
    ///
    /// - Throws: ``InputError`` for invalid settings or data; ``ModelDirectoryError`` when `output` holds another
    ///   kind of model or a run with other settings, or cannot be written; `SafetensorsError` for a bad oracle.
    public static func train(
        _ record: Record, output: ModelDirectory, metricsURL: URL? = nil, timeLimit: Double? = nil,
        start: ContinuousClock.Instant? = nil, checkpointInterval: Int = 10, shouldStop: () -> Bool = { false },
        report: (Event) -> Void = { _ in }
    ) throws -> Summary {
        let clock = ContinuousClock()
        let started = start ?? clock.now
        func elapsed() -> Double {
            let duration = clock.now - started
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        try record.configuration.validate()
        let oracle = try record.oracle.map { try SeqGANOracle.load(from: URL(fileURLWithPath: $0)) }
        if let oracle {
            guard oracle.vocabularySize == record.configuration.vocabularySize else {
                throw InputError(
                    "the oracle has \(oracle.vocabularySize) tokens, the run \(record.configuration.vocabularySize)",
                    at: record.oracle.map { SourceLocation(file: $0) })
            }
        }
        let real = try realSequences(of: record, oracle: oracle)
        func run<Generator>(_ trainer: SequenceGANTrainer<Generator>) throws -> Summary {
            try train(
                trainer, record, output: output, metricsURL: metricsURL, timeLimit: timeLimit, elapsed: elapsed,
                checkpointInterval: checkpointInterval, shouldStop: shouldStop, report: report)
        }
        switch record.configuration.generatorArchitecture {
        case .lstm:
            return try run(SeqGANTrainer(record.configuration, realSequences: real, oracle: oracle))
        case .transformer:
            return try run(
                SequenceGANTrainer<TransformerLanguageModel>(record.configuration, realSequences: real, oracle: oracle))
        }
    }

    private static func train<Generator>(
        _ trainer: SequenceGANTrainer<Generator>, _ record: Record, output: ModelDirectory, metricsURL: URL?,
        timeLimit: Double?, elapsed: () -> Double, checkpointInterval: Int, shouldStop: () -> Bool,
        report: (Event) -> Void
    ) throws -> Summary {
        var record = record
        var resumed = false
        if output.exists {
            let previous = try output.readManifest(expecting: kind)
            let stored: Record
            do {
                stored = try previous.hyperparameters(as: Record.self)
            } catch {
                throw ModelDirectoryError(path: output.manifestURL.path, "malformed hyperparameters: \(error)")
            }
            var comparable = stored
            comparable.configuration = stored.configuration.withoutBudget
            var given = record
            given.configuration = record.configuration.withoutBudget
            if given.initializedFrom == nil { given.initializedFrom = stored.initializedFrom }
            guard comparable == given else {
                throw ModelDirectoryError(
                    path: output.manifestURL.path,
                    "holds a run with other settings; give the same flags to continue it, or another --output")
            }
            record.initializedFrom = stored.initializedFrom
            if let state = try output.loadTrainingState() {
                try trainer.restore(from: state)
                resumed = true
                report(.resumed(round: trainer.round))
            }
        }
        if !resumed, let source = record.initializedFrom {
            let (loaded, _) = try load(ModelDirectory(path: source))
            guard let pretrained = loaded as? Generator else {
                throw ModelDirectoryError(path: source, "its generator is another network than this run's (--arch)")
            }
            guard
                pretrained.namedParameters.map(\.parameter.shape)
                    == trainer.generator.namedParameters.map(\.parameter.shape)
            else {
                throw ModelDirectoryError(path: source, "its generator has other sizes than this run's")
            }
            trainer.startAfterPretraining(from: pretrained)
        }
        try output.create()
        let logger = try metricsURL.map {
            try MetricsLogger(url: $0, keepingRecordsThrough: resumed ? trainer.round : nil)
        }
        func save(metrics: [String: Double]) throws {
            try output.saveWeights(of: trainer.generator)
            try output.saveTrainingState(trainer.archive())
            try output.writeManifest(
                ModelManifest(
                    kind: kind, hyperparameters: record, dataFingerprints: fingerprints(record), metrics: metrics,
                    files: [:]))
        }
        var lastEvaluation: [String: Double] = [:]
        var lastEvaluatedRound = -1
        func evaluate() throws {
            lastEvaluation = trainer.evaluate()
            lastEvaluatedRound = trainer.round
            report(.evaluated(round: trainer.round, lastEvaluation))
            try logger?.log(
                MetricsRecord(
                    phase: "eval", step: trainer.round, epoch: trainer.round, wallTime: elapsed(),
                    metrics: lastEvaluation))
        }
        if !resumed && (trainer.round == 0 || record.initializedFrom != nil) { try evaluate() }
        try save(metrics: lastEvaluation)
        var stopReason = "completed"
        let total = record.configuration.totalRounds
        while trainer.round < total {
            if shouldStop() {
                stopReason = "interrupted"
                break
            }
            if let timeLimit, elapsed() >= timeLimit {
                stopReason = "time limit"
                break
            }
            let stage = trainer.nextStage
            let roundStart = elapsed()
            let metrics = trainer.runRound()
            let seconds = elapsed() - roundStart
            report(.round(trainer.round, stage, metrics, seconds: seconds))
            try logger?.log(
                MetricsRecord(
                    phase: "train", step: trainer.round, epoch: trainer.round, wallTime: elapsed(),
                    metrics: metrics.merging(["seconds": seconds]) { a, _ in a }))
            if trainer.round % record.configuration.evaluationInterval == 0 || trainer.round == total {
                try evaluate()
            }
            if trainer.round % checkpointInterval == 0 { try save(metrics: lastEvaluation) }
        }
        if lastEvaluatedRound != trainer.round { try evaluate() }
        try save(metrics: lastEvaluation)
        return Summary(rounds: trainer.round, metrics: lastEvaluation, seconds: elapsed(), stopReason: stopReason)
    }

    /// The generator of a `seqgan` model directory and its record.
    ///
    /// - Throws: ``ModelDirectoryError`` for a missing or foreign directory, `CheckpointError` for weights that do
    ///   not fit the record.
    public static func load(_ directory: ModelDirectory) throws -> (any SequenceGenerator, Record) {
        let manifest = try directory.readManifest(expecting: kind)
        let record: Record
        do {
            record = try manifest.hyperparameters(as: Record.self)
            try record.configuration.validate()
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        var generator = RandomGenerator(seed: 0)
        let model: any SequenceGenerator =
            switch record.configuration.generatorArchitecture {
            case .lstm: record.configuration.makeLSTMGenerator(using: &generator)
            case .transformer: record.configuration.makeTransformerGenerator(using: &generator)
            }
        try directory.loadWeights(into: model)
        return (model, record)
    }

    /// `count` sequences from the directory's generator.
    public static func sample(
        _ model: some SequenceGenerator, record: Record, count: Int, temperature: Float = 1, seed: UInt64
    ) -> [[Int]] {
        var generator = RandomGenerator(seed: seed)
        return SequenceSampler.sample(
            from: model, count: count, length: record.configuration.sequenceLength,
            startToken: record.configuration.startToken, temperature: temperature, using: &generator)
    }

    /// NLL_oracle of `count` samples (when the record names an oracle that can be read) and their diversity:
    /// distinct-n for n = 1…4 and diversity self-BLEU-4 of the first 500 samples (Zhu et al. 2018, Texygen).
    ///
    /// - Throws: when the record's oracle file cannot be read.
    public static func evaluate(_ model: some SequenceGenerator, record: Record, count: Int, seed: UInt64) throws
        -> [String: Double]
    {
        let samples = sample(model, record: record, count: count, seed: seed)
        var metrics: [String: Double] = ["samples": Double(count)]
        if let path = record.oracle {
            let oracle = try SeqGANOracle.load(from: URL(fileURLWithPath: path))
            metrics["nll_oracle"] = SeqGANOracle.meanTokenNLL(
                of: samples, under: oracle, startToken: record.configuration.startToken)
        }
        let texts = samples.map { $0.map(String.init).joined(separator: " ") }
        for n in 1...4 { metrics["distinct_\(n)"] = DiversityMetrics.distinct(texts, n: n) }
        if texts.count >= 2 {
            metrics["diversity_self_bleu_4"] = try DiversityMetrics.selfBLEU(Array(texts.prefix(500)))
        }
        return metrics
    }

    private static func fingerprints(_ record: Record) -> [String: String] {
        var result: [String: String] = [:]
        for path in [record.oracle, record.train].compactMap({ $0 }) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            result[(path as NSString).lastPathComponent] = "\(size ?? 0) bytes"
        }
        return result
    }
}
