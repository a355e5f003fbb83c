import Autodiff
import Foundation
import MontagueSupport

/// The recurrent cell of a ``Seq2SeqExperiment``.
public enum Seq2SeqCellKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// ``GRUCell``.
    case gru
    /// ``LSTMCell``.
    case lstm
    /// ``RNNCell`` (Elman, tanh).
    case rnn
}

/// Train a ``Seq2SeqModel`` or a ``TransformerSeq2SeqModel`` (any ``Seq2SeqTransducer``) on source/target pairs
/// and measure exact-match accuracy on held-out pairs: the library entry point of `montague train seq2seq` (SCAN,
/// Lake & Baroni 2018). With an output directory the run
/// writes a ``ModelDirectory`` (kind `seq2seq`) that ``Seq2SeqPredictor`` loads and that a later run resumes.
public enum Seq2SeqExperiment {
    /// The kind name in a model directory's manifest.
    public static let kind = "seq2seq"

    /// The model and training choices of one run.
    public struct Settings: Sendable, Equatable {
        /// Recurrent encoder–decoder with attention, or Transformer.
        public var architecture: Seq2SeqArchitecture
        /// The Transformer's sizes and choices (used with ``Seq2SeqArchitecture/transformer``).
        public var transformer: Seq2SeqTransformerSettings
        /// The recurrent cell.
        public var cell: Seq2SeqCellKind
        /// Embedding size.
        public var embeddingSize: Int
        /// Hidden size.
        public var hiddenSize: Int
        /// Layers of encoder and decoder (each, for either architecture).
        public var layerCount: Int
        /// Bidirectional encoder.
        public var bidirectional: Bool
        /// Attention score.
        public var attention: Seq2SeqAttentionKind
        /// Where attention enters the decoder.
        public var attentionStyle: Seq2SeqAttentionStyle
        /// Dropout in training (the recurrent model's, or every Transformer dropout).
        public var dropout: Float
        /// Seed of the parameter initialization.
        public var modelSeed: UInt64
        /// Training and evaluation.
        public var training: Seq2SeqTrainingConfiguration
        /// How text became the examples' tokens, recorded for `montague predict`: `whitespace`, `default` (the
        /// rule-based word tokenizer) or `subwords` (a `tokenizer.json` attached to the model directory).
        public var tokenizer: String = "whitespace"
        /// Whether text was lowercased before tokenization.
        public var lowercase: Bool = false
        /// Whether the recurrent decoder copies source tokens (``Seq2SeqConfiguration/copy``, the pointer-generator
        /// of See, Liu & Manning 2017); the run then builds one vocabulary from both sides of the training pairs
        /// and writes it as both vocabulary files. Needs attention; a Transformer ignores it.
        public var copy: Bool = false

        /// Settings; the defaults are a 1-layer GRU with 64 hidden units and Luong dot attention. The recurrent
        /// fields (cell, sizes, attention) are ignored by a Transformer and `transformer` by a recurrent model.
        public init(
            architecture: Seq2SeqArchitecture = .recurrent,
            transformer: Seq2SeqTransformerSettings = Seq2SeqTransformerSettings(), cell: Seq2SeqCellKind = .gru,
            embeddingSize: Int = 32, hiddenSize: Int = 64, layerCount: Int = 1,
            bidirectional: Bool = false, attention: Seq2SeqAttentionKind = .dot,
            attentionStyle: Seq2SeqAttentionStyle = .luong, dropout: Float = 0, modelSeed: UInt64 = 0,
            training: Seq2SeqTrainingConfiguration = Seq2SeqTrainingConfiguration()
        ) {
            self.architecture = architecture
            self.transformer = transformer
            self.cell = cell
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.layerCount = layerCount
            self.bidirectional = bidirectional
            self.attention = attention
            self.attentionStyle = attentionStyle
            self.dropout = dropout
            self.modelSeed = modelSeed
            self.training = training
        }
    }

    /// Where a run writes and how often it evaluates and saves.
    public struct RunOptions {
        /// The model directory to write (manifest, weights, vocabularies, training state); a directory that
        /// already holds a training state is resumed. `nil`: nothing is saved.
        public var output: ModelDirectory?
        /// JSON Lines metrics.
        public var metricsURL: URL?
        /// Evaluate exact match on the validation pairs (or, without them, on the test pairs, for the log only)
        /// every this many steps; `nil`: after every epoch when there are validation pairs, else never.
        public var evaluationInterval: Int?
        /// Save the model directory every this many steps (`nil`: after every epoch).
        public var checkpointInterval: Int?
        /// Keep the model with the best validation exact match in `output/best/` (a model directory too).
        public var keepBest: Bool
        /// A step budget replacing `epochs × steps per epoch`.
        public var totalSteps: Int?
        /// Asked before every step; `true` finishes the run there: the model directory is saved and the run
        /// returns with ``Result/interrupted`` set (the CLI sets it on Ctrl-C).
        public var shouldStop: () -> Bool
        /// Fingerprints of the data files for the manifest.
        public var dataFingerprints: [String: String]
        /// Further files written into every saved model directory (and its `best/`) and listed in the manifest,
        /// e.g. a subword tokenizer.
        public var attachments: [Seq2SeqAttachment]
        /// Data-parallel training (e.g. `Distributed`'s `DataParallelSynchronizer` under `mpirun`): the training
        /// batch size is per replica, each replica trains on its part of every global batch, gradients are averaged
        /// over the replicas weighted by their target tokens, replica 0 alone evaluates, decodes the test pairs and
        /// writes the model directory and metrics (see ``GradientSynchronizer``). `nil`: one process.
        public var synchronizer: (any GradientSynchronizer)?

        /// Options.
        public init(
            output: ModelDirectory? = nil, metricsURL: URL? = nil, evaluationInterval: Int? = nil,
            checkpointInterval: Int? = nil, keepBest: Bool = true, totalSteps: Int? = nil,
            shouldStop: @escaping () -> Bool = { false }, dataFingerprints: [String: String] = [:],
            attachments: [Seq2SeqAttachment] = []
        ) {
            self.output = output
            self.metricsURL = metricsURL
            self.evaluationInterval = evaluationInterval
            self.checkpointInterval = checkpointInterval
            self.keepBest = keepBest
            self.totalSteps = totalSteps
            self.shouldStop = shouldStop
            self.dataFingerprints = dataFingerprints
            self.attachments = attachments
        }
    }

    /// What a run reports as it goes.
    public enum Event: Sendable, Equatable {
        /// Vocabularies built and model created.
        case started(sourceVocabulary: Int, targetVocabulary: Int, parameters: Int, trainPairs: Int, testPairs: Int)
        /// Training progress.
        case progress(Seq2SeqTrainingProgress)
        /// Training resumed from a model directory saved after `step` gradient steps.
        case resumed(step: Int, path: String)
        /// A resumed run's step budget differs from the one its learning-rate schedule decayed over before
        /// (`warmup-cosine`): the decay is planned anew over `steps` steps (it was `previousSteps`), so the rate at
        /// the resumed `step` is now `learningRate`.
        case scheduleReplanned(step: Int, previousSteps: Int, steps: Int, learningRate: Float)
        /// Exact match on the validation pairs after `step` steps; `best` when it is the best so far (and saved,
        /// with ``RunOptions/keepBest``).
        case validated(step: Int, accuracy: Double, best: Bool)
        /// Training stopped at the time limit after `step` gradient steps (the model directory is saved).
        case timeLimitReached(step: Int)
        /// Training stopped on request (Ctrl-C) after `step` gradient steps (the model directory is saved).
        case interrupted(step: Int)
        /// The model directory was written after `step` steps.
        case saved(step: Int, path: String)
        /// Exact-match accuracy on the test pairs.
        case evaluated(accuracy: Double, correct: Int, total: Int, seconds: Double)
    }

    /// The outcome of a run.
    public struct Result: Sendable, Equatable {
        /// Exact-match accuracy on the test pairs (0 when there are none).
        public let testAccuracy: Double
        /// Number of test pairs decoded exactly.
        public let correct: Int
        /// Number of test pairs.
        public let total: Int
        /// Gradient steps taken.
        public let steps: Int
        /// Seconds spent training.
        public let trainingSeconds: Double
        /// Seconds spent decoding the test pairs.
        public let evaluationSeconds: Double
        /// Up to five test pairs decoded wrongly: source, reference and prediction as space-separated tokens.
        public let errors: [(source: String, reference: String, prediction: String)]
        /// Whether the run stopped on ``RunOptions/shouldStop`` (then the test pairs were not decoded).
        public let interrupted: Bool
        /// The best validation exact match, when there were validation pairs.
        public let bestValidationAccuracy: Double?

        /// Equal when every field is.
        public static func == (a: Result, b: Result) -> Bool {
            a.testAccuracy == b.testAccuracy && a.correct == b.correct && a.total == b.total && a.steps == b.steps
                && a.trainingSeconds == b.trainingSeconds && a.evaluationSeconds == b.evaluationSeconds
                && a.errors.elementsEqual(b.errors) { $0 == $1 } && a.interrupted == b.interrupted
                && a.bestValidationAccuracy == b.bestValidationAccuracy
        }
    }

    /// Builds vocabularies from `train` (or reads them from a model directory being resumed), trains a model with
    /// `settings` on ``TrainingLoop`` (terminal progress, JSON Lines metrics, periodic evaluation, saves that
    /// resume bit for bit), and decodes `test`.
    ///
    /// - Metrics: a `"config"` record (step 0), `"train"` records every `reportEvery` steps with `batch_loss`
    ///   (the last step's batch) and `running_loss` (the mean since the previous record, the value the terminal
    ///   shows) and `gold_probability`, `"eval"` records at each evaluation (`valid.exact_match`, or
    ///   `test.exact_match` when there are no validation pairs), and a final `"test"` record (`exact_match`,
    ///   `correct`, `total`). Epochs are 0-based everywhere (records, progress).
    /// - Early stopping is deliberately not offered; keep-best (on validation pairs, never on the test pairs)
    ///   selects the model instead.
    ///
    /// - Throws: ``ModelDirectoryError`` or ``TrainingError`` for unwritable outputs, a model directory of another
    ///   kind or whose checkpoint does not fit the settings.
    public static func run(
        train: [Seq2SeqExample], valid: [Seq2SeqExample] = [], test: [Seq2SeqExample], settings: Settings,
        options: RunOptions = RunOptions(), report: (Event) -> Void = { _ in }
    ) throws -> Result {
        precondition(!train.isEmpty, "Seq2SeqExperiment.run: no training pairs")
        let resuming = options.output.map { FileManager.default.fileExists(atPath: $0.trainingStateURL.path) } ?? false
        var vocabularies = Vocabularies(
            source: SequenceVocabulary(train.flatMap(\.source)), target: SequenceVocabulary(train.flatMap(\.target)))
        if copies(settings) {
            let shared = SequenceVocabulary(train.flatMap { $0.source + $0.target })
            vocabularies = Vocabularies(source: shared, target: shared)
        }
        if resuming, let output = options.output {
            _ = try output.readManifest(expecting: kind)
            (vocabularies.source, vocabularies.target) = try Seq2SeqPredictor.readVocabularies(output)
        }
        let data = Pairs(train: train, valid: valid, test: test, vocabularies: vocabularies)
        return try withoutActuallyEscaping(report) { report in
            var generator = RandomGenerator(seed: settings.modelSeed)
            switch settings.architecture {
            case .transformer:
                let model = TransformerSeq2SeqModel(
                    transformerConfiguration(settings, vocabularies: vocabularies), using: &generator)
                return try run(model, data, settings, options, resuming, report)
            case .recurrent:
                let configuration = recurrentConfiguration(settings, vocabularies: vocabularies)
                switch settings.cell {
                case .gru:
                    return try run(
                        Seq2SeqModel<GRUCell>(configuration, using: &generator), data, settings, options, resuming,
                        report)
                case .lstm:
                    return try run(
                        Seq2SeqModel<LSTMCell>(configuration, using: &generator), data, settings, options, resuming,
                        report)
                case .rnn:
                    return try run(
                        Seq2SeqModel<RNNCell>(configuration, using: &generator), data, settings, options, resuming,
                        report)
                }
            }
        }
    }

    /// The recurrent model's configuration for `settings` and the vocabularies.
    static func recurrentConfiguration(_ settings: Settings, vocabularies: Vocabularies) -> Seq2SeqConfiguration {
        Seq2SeqConfiguration(
            sourceVocabularySize: vocabularies.source.count, targetVocabularySize: vocabularies.target.count,
            embeddingSize: settings.embeddingSize, hiddenSize: settings.hiddenSize, layerCount: settings.layerCount,
            bidirectional: settings.bidirectional, attention: settings.attention,
            attentionStyle: settings.attentionStyle, dropout: settings.dropout, copy: copies(settings))
    }

    /// Whether `settings` describe a copying recurrent model.
    static func copies(_ settings: Settings) -> Bool {
        settings.copy && settings.architecture == .recurrent && settings.attention != .none
    }

    /// The Transformer's configuration for `settings` and the vocabularies (positions up to the longer of 512 and
    /// the longest decoded output).
    static func transformerConfiguration(_ settings: Settings, vocabularies: Vocabularies)
        -> TransformerSeq2SeqConfiguration
    {
        settings.transformer.configuration(
            sourceVocabularySize: vocabularies.source.count, targetVocabularySize: vocabularies.target.count,
            layerCount: settings.layerCount, dropout: settings.dropout,
            maximumLength: max(512, settings.training.maxDecodeLength + 1))
    }

    /// Source and target vocabularies of a run.
    struct Vocabularies {
        var source: SequenceVocabulary
        var target: SequenceVocabulary
    }

    /// The pairs of a run and their vocabularies.
    private struct Pairs {
        let train: [Seq2SeqExample]
        let valid: [Seq2SeqExample]
        let test: [Seq2SeqExample]
        let vocabularies: Vocabularies
    }

    /// Thrown by the step closure to leave the loop before the step starts.
    private enum StopRequest: Error {
        case timeLimit, interrupted
    }

    /// One data-parallel step on this replica's part of the global batch: loss, gradients, their average over
    /// the replicas weighted by target tokens (`<eos>` included, as the loss counts them), clipping and the
    /// optimizer step — the step one process makes on the whole global batch. The loss rides along the exchange as
    /// a last one-element "gradient", so the returned loss is the global batch's. An empty part (a last global
    /// batch smaller than the replica count) contributes zero gradients with weight 0.
    private static func dataParallelStep<Model: Seq2SeqTransducer>(
        _ model: Model, sources: [[Int]], targets: [[Int]], goldProbability: Float,
        configuration: Seq2SeqTrainingConfiguration, optimizer: any Optimizer, step: inout TrainingStep
    ) throws -> Float {
        var local: [Tensor]
        let weight = Double(targets.reduce(0) { $0 + $1.count + 1 })
        if targets.isEmpty {
            local = model.parameterValues.map { Tensor.zeros(like: $0) } + [Tensor.zeros([1])]
        } else {
            let loss = model.loss(
                sources: sources, targets: targets, goldProbability: goldProbability,
                mode: configuration.teacherForcingMode, choice: configuration.samplingChoice,
                using: &step.generator)
            local = gradients(of: loss, wrt: model.parameterValues) + [Tensor(shape: [1], scalars: [loss.item])]
        }
        var averaged = try step.averageAcrossReplicas(local, weight: weight)
        let loss = averaged.removeLast().scalars.first ?? .nan
        if let norm = configuration.gradientClipNorm { averaged = clipByGlobalNorm(averaged, maxNorm: norm).clipped }
        optimizer.step(averaged)
        return loss
    }

    private static func run<Model: Seq2SeqTransducer>(
        _ model: Model, _ data: Pairs, _ settings: Settings, _ options: RunOptions, _ resuming: Bool,
        _ report: @escaping (Event) -> Void
    ) throws -> Result {
        let (train, valid, test) = (data.train, data.valid, data.test)
        let (sourceVocabulary, targetVocabulary) = (data.vocabularies.source, data.vocabularies.target)
        let output = options.output
        let trainPairs = Seq2SeqEncodedPairs(train, source: sourceVocabulary, target: targetVocabulary)
        let validPairs = Seq2SeqEncodedPairs(valid, source: sourceVocabulary, target: targetVocabulary)
        let testPairs = Seq2SeqEncodedPairs(test, source: sourceVocabulary, target: targetVocabulary)
        report(
            .started(
                sourceVocabulary: sourceVocabulary.count, targetVocabulary: targetVocabulary.count,
                parameters: model.parameterCount, trainPairs: train.count, testPairs: test.count))

        let t = settings.training
        let synchronizer = options.synchronizer.flatMap { $0.shard.count > 1 ? $0 : nil }
        let shard = synchronizer?.shard ?? .whole
        let writes = shard.index == 0
        if trainPairs.count < shard.count {
            throw TrainingError.tooFewExamples(examples: trainPairs.count, replicas: shard.count)
        }
        let globalBatchSize = t.batchSize * shard.count
        let stepsPerEpoch = (trainPairs.count + globalBatchSize - 1) / globalBatchSize
        let totalSteps = options.totalSteps ?? t.epochs * stepsPerEpoch
        let evaluationInterval = options.evaluationInterval ?? (valid.isEmpty ? nil : stepsPerEpoch)
        if let output, writes { try output.create() }
        let optimizer = Adam(model.parameters, learningRate: t.learningRate)
        let loop = TrainingLoop(
            model: model, optimizer: optimizer,
            configuration: TrainingConfiguration(
                totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch, seed: t.seed, logInterval: t.reportEvery,
                evaluationInterval: evaluationInterval, checkpointInterval: options.checkpointInterval ?? stepsPerEpoch,
                checkpointURL: output?.trainingStateURL),
            learningRateSchedule: t.learningRateSchedule.schedule(
                learningRate: t.learningRate, warmupSteps: t.warmupSteps, totalSteps: totalSteps))
        loop.synchronizer = synchronizer
        var bestValidation: Double?
        var metrics: [String: Double] = [:]
        func saveDirectory(_ directory: ModelDirectory, withState: Bool) throws {
            try directory.create()
            metrics["train.steps"] = Double(loop.state.step)
            metrics["train.epochs"] = Double(loop.state.step) / Double(stepsPerEpoch)
            if t.learningRateSchedule == .warmupCosine { metrics["train.schedule_steps"] = Double(totalSteps) }
            if withState { try loop.saveCheckpoint(to: directory.trainingStateURL) }
            try Seq2SeqPredictor.save(
                model: model, settings: settings, source: sourceVocabulary, target: targetVocabulary,
                metrics: metrics, dataFingerprints: options.dataFingerprints, attachments: options.attachments,
                to: directory)
            report(.saved(step: loop.state.step, path: directory.url.path))
        }
        if let output {
            loop.didSaveCheckpoint = { try saveDirectory(output, withState: false) }
        }
        defer { loop.didSaveCheckpoint = nil }
        if resuming, let output {
            do {
                try loop.resume(from: output.trainingStateURL)
            } catch let error as CheckpointError {
                throw ModelDirectoryError(
                    path: output.trainingStateURL.path,
                    "does not fit these settings (train with the settings it was made with, or another --output): "
                        + error.problems.prefix(3).map(\.description).joined(separator: "; "))
            }
            let previous = try? output.readManifest().metrics
            if let best = previous?["valid.best_exact_match"] { bestValidation = best }
            report(.resumed(step: loop.state.step, path: output.url.path))
            if t.learningRateSchedule == .warmupCosine, let recorded = previous?["train.schedule_steps"],
                Int(recorded) != totalSteps, let schedule = loop.learningRateSchedule
            {
                report(
                    .scheduleReplanned(
                        step: loop.state.step, previousSteps: Int(recorded), steps: totalSteps,
                        learningRate: schedule.learningRate(atStep: loop.state.step)))
            }
        }
        let logger = try options.metricsURL.flatMap { writes ? $0 : nil }.map {
            try MetricsLogger(url: $0, keepingRecordsThrough: resuming ? loop.state.step : nil)
        }
        loop.metricsLogger = logger
        if !resuming {
            var configuration: [String: Double] = [
                "seed": Double(t.seed), "model_seed": Double(settings.modelSeed),
                "layers": Double(settings.layerCount), "epochs": Double(t.epochs),
                "batch_size": Double(t.batchSize), "learning_rate": Double(t.learningRate),
                "dropout": Double(settings.dropout), "beam": Double(t.beamWidth),
                "parameters": Double(model.parameterCount), "train_pairs": Double(train.count),
                "valid_pairs": Double(valid.count), "test_pairs": Double(test.count),
            ]
            if t.learningRateSchedule != .constant { configuration["warmup_steps"] = Double(t.warmupSteps) }
            switch settings.architecture {
            case .recurrent:
                configuration["hidden"] = Double(settings.hiddenSize)
                configuration["embedding"] = Double(settings.embeddingSize)
            case .transformer:
                configuration["model_size"] = Double(settings.transformer.modelSize)
                configuration["heads"] = Double(settings.transformer.headCount)
                configuration["feed_forward"] = Double(settings.transformer.feedForwardSize)
            }
            try logger?.log(
                MetricsRecord(phase: "config", step: 0, epoch: 0, wallTime: 0, metrics: configuration))
        }

        let trainingStart = Date()
        let elapsedBefore = loop.state.elapsedSeconds
        var batchesEpoch = -1
        var batches: [[Int]] = []
        var windowLoss: Float = 0
        var windowSteps = 0
        var epochLoss: Float = 0
        var epochSteps = 0
        var stop: StopRequest?
        do {
            try loop.run(
                step: { step in
                    // The limit is this session's budget (as in `train lm`): a resumed run trains for it again.
                    let seconds = Date().timeIntervalSince(trainingStart)
                    var request: StopRequest?
                    if let limit = t.timeLimit, seconds >= limit { request = .timeLimit }
                    if request == nil, options.shouldStop() { request = .interrupted }
                    if let synchronizer {  // replica 0's clock and signals decide for every replica
                        let code = request == nil ? 0 : request == .timeLimit ? 1 : 2
                        let agreed = try synchronizer.broadcastFromFirstReplica([UInt8(code)]).first ?? 0
                        request = agreed == 0 ? nil : agreed == 1 ? .timeLimit : .interrupted
                    }
                    if let request { throw request }
                    if step.epoch != batchesEpoch {
                        batches = Seq2SeqTrainer.epochBatches(
                            targets: trainPairs.targets, size: globalBatchSize, epoch: step.epoch, seed: t.seed)
                        batchesEpoch = step.epoch
                    }
                    let batch = Array(batches[step.indexInEpoch][shard.part(of: batches[step.indexInEpoch].indices)])
                    let epsilon = t.sampling.goldProbability(atStep: step.index)
                    let loss: Float
                    if synchronizer != nil {
                        loss = try dataParallelStep(
                            model, sources: batch.map { trainPairs.sources[$0] },
                            targets: batch.map { trainPairs.targets[$0] }, goldProbability: epsilon,
                            configuration: t, optimizer: optimizer, step: &step)
                    } else {
                        loss = Seq2SeqTransducerTraining.trainStep(
                            model, sources: batch.map { trainPairs.sources[$0] },
                            targets: batch.map { trainPairs.targets[$0] }, goldProbability: epsilon,
                            configuration: t, optimizer: optimizer, using: &step.generator)
                    }
                    windowLoss += loss
                    windowSteps += 1
                    epochLoss += loss
                    epochSteps += 1
                    let running = windowLoss / Float(windowSteps)
                    let done = step.index + 1
                    let now = elapsedBefore + Date().timeIntervalSince(trainingStart)
                    metrics["train.running_loss"] = Double(running)
                    if done % t.reportEvery == 0 {
                        loop.progress?.clearLine()
                        report(
                            .progress(
                                Seq2SeqTrainingProgress(
                                    epoch: step.epoch, step: done, loss: running, goldProbability: epsilon,
                                    endOfEpoch: false, seconds: now)))
                        windowLoss = 0
                        windowSteps = 0
                    }
                    if step.indexInEpoch == stepsPerEpoch - 1 {
                        loop.progress?.clearLine()
                        report(
                            .progress(
                                Seq2SeqTrainingProgress(
                                    epoch: step.epoch, step: done, loss: epochLoss / Float(max(1, epochSteps)),
                                    goldProbability: epsilon, endOfEpoch: true, seconds: now)))
                        epochLoss = 0
                        epochSteps = 0
                    }
                    return [
                        "batch_loss": Double(loss), "running_loss": Double(running),
                        "gold_probability": Double(epsilon),
                    ]
                },
                evaluate: evaluationInterval == nil
                    ? nil
                    : {
                        let pairs = valid.isEmpty ? testPairs : validPairs
                        let accuracy = Seq2SeqTransducerTraining.exactMatchAccuracy(
                            model, on: pairs, maxLength: t.maxDecodeLength, beamWidth: t.beamWidth,
                            lengthPenalty: t.lengthPenalty
                        ).accuracy
                        guard !valid.isEmpty else { return ["test.exact_match": accuracy] }
                        metrics["valid.exact_match"] = accuracy
                        let isBest = accuracy > (bestValidation ?? -1)
                        if isBest {
                            bestValidation = accuracy
                            metrics["valid.best_exact_match"] = accuracy
                            if options.keepBest, let output {
                                try saveDirectory(ModelDirectory(url: output.file("best")), withState: false)
                            }
                        }
                        loop.progress?.clearLine()
                        report(.validated(step: loop.state.step, accuracy: accuracy, best: isBest))
                        return ["valid.exact_match": accuracy]
                    })
        } catch let request as StopRequest {
            stop = request
            report(
                request == .timeLimit ? .timeLimitReached(step: loop.state.step) : .interrupted(step: loop.state.step))
            if writes, let output { try saveDirectory(output, withState: true) }
        }
        let trainingSeconds = Date().timeIntervalSince(trainingStart)
        if stop == .interrupted || test.isEmpty || !writes {
            return Result(
                testAccuracy: 0, correct: 0, total: 0, steps: loop.state.step, trainingSeconds: trainingSeconds,
                evaluationSeconds: 0, errors: [], interrupted: stop == .interrupted,
                bestValidationAccuracy: bestValidation)
        }
        let evaluationStart = Date()
        let (accuracy, predictions) = Seq2SeqTransducerTraining.exactMatchAccuracy(
            model, on: testPairs, maxLength: t.maxDecodeLength, beamWidth: t.beamWidth,
            lengthPenalty: t.lengthPenalty)
        let evaluationSeconds = Date().timeIntervalSince(evaluationStart)
        let correct = zip(predictions, testPairs.targets).filter { $0 == $1 }.count
        try logger?.log(
            MetricsRecord(
                phase: "test", step: loop.state.step, epoch: loop.epoch(ofStep: max(0, loop.state.step - 1)),
                wallTime: elapsedBefore + trainingSeconds + evaluationSeconds,
                metrics: ["exact_match": accuracy, "correct": Double(correct), "total": Double(test.count)]))
        metrics["test.exact_match"] = accuracy
        if let output { try saveDirectory(output, withState: true) }
        report(.evaluated(accuracy: accuracy, correct: correct, total: test.count, seconds: evaluationSeconds))
        let errors = zip(test, predictions).filter { targetVocabulary.encode($0.target) != $1 }.prefix(5).map {
            (
                source: $0.source.joined(separator: " "), reference: $0.target.joined(separator: " "),
                prediction: targetVocabulary.decode($1).joined(separator: " ")
            )
        }
        return Result(
            testAccuracy: accuracy, correct: correct, total: test.count, steps: loop.state.step,
            trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds, errors: Array(errors),
            interrupted: false, bestValidationAccuracy: bestValidation)
    }
}
