import Autodiff
import Foundation

/// The recurrent cell of a ``Seq2SeqExperiment``.
public enum Seq2SeqCellKind: String, Sendable, Equatable, CaseIterable {
    /// ``GRUCell``.
    case gru
    /// ``LSTMCell``.
    case lstm
    /// ``RNNCell`` (Elman, tanh).
    case rnn
}

/// Train a ``Seq2SeqModel`` on source/target pairs and measure exact-match accuracy on held-out pairs: the
/// library entry point of `montague train seq2seq` (SCAN, Lake & Baroni 2018).
public enum Seq2SeqExperiment {
    /// The model and training choices of one run.
    public struct Settings: Sendable, Equatable {
        /// The recurrent cell.
        public var cell: Seq2SeqCellKind
        /// Embedding size.
        public var embeddingSize: Int
        /// Hidden size.
        public var hiddenSize: Int
        /// Layers of encoder and decoder.
        public var layerCount: Int
        /// Bidirectional encoder.
        public var bidirectional: Bool
        /// Attention score.
        public var attention: Seq2SeqAttentionKind
        /// Where attention enters the decoder.
        public var attentionStyle: Seq2SeqAttentionStyle
        /// Dropout in training.
        public var dropout: Float
        /// Seed of the parameter initialization.
        public var modelSeed: UInt64
        /// Training and evaluation.
        public var training: Seq2SeqTrainingConfiguration
        /// Recurrent (``cell``, ``embeddingSize``, ``bidirectional``, ``attention``) or Transformer (``hiddenSize`` is
        /// the model size, ``layerCount`` the layers of each stack, ``headCount`` the heads).
        public var architecture: Seq2SeqArchitecture
        /// Attention heads of a Transformer.
        public var headCount: Int

        /// Settings; the defaults are a 1-layer GRU with 64 hidden units and Luong dot attention.
        public init(
            cell: Seq2SeqCellKind = .gru, embeddingSize: Int = 32, hiddenSize: Int = 64, layerCount: Int = 1,
            bidirectional: Bool = false, attention: Seq2SeqAttentionKind = .dot,
            attentionStyle: Seq2SeqAttentionStyle = .luong, dropout: Float = 0, modelSeed: UInt64 = 0,
            training: Seq2SeqTrainingConfiguration = Seq2SeqTrainingConfiguration(),
            architecture: Seq2SeqArchitecture = .recurrent, headCount: Int = 4
        ) {
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
            self.architecture = architecture
            self.headCount = headCount
        }
    }

    /// What a run reports as it goes.
    public enum Event: Sendable, Equatable {
        /// Vocabularies built and model created.
        case started(sourceVocabulary: Int, targetVocabulary: Int, parameters: Int, trainPairs: Int, testPairs: Int)
        /// Training progress.
        case progress(Seq2SeqTrainingProgress)
        /// Training resumed from a checkpoint written after `step` gradient steps.
        case resumed(step: Int, path: String)
        /// Training stopped at the time limit after `step` gradient steps (a checkpoint is written if requested).
        case timeLimitReached(step: Int)
        /// Exact-match accuracy on the test pairs.
        case evaluated(accuracy: Double, correct: Int, total: Int, seconds: Double)
    }

    /// The outcome of a run.
    public struct Result: Sendable, Equatable {
        /// Exact-match accuracy on the test pairs.
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

        /// Equal when every field is.
        public static func == (a: Result, b: Result) -> Bool {
            a.testAccuracy == b.testAccuracy && a.correct == b.correct && a.total == b.total && a.steps == b.steps
                && a.trainingSeconds == b.trainingSeconds && a.evaluationSeconds == b.evaluationSeconds
                && a.errors.elementsEqual(b.errors) { $0 == $1 }
        }
    }

    /// Builds vocabularies from `train`, trains a model with `settings` on ``TrainingLoop`` (terminal progress,
    /// JSON Lines metrics, periodic evaluation, checkpoints that resume bit for bit), and decodes `test`.
    ///
    /// - `checkpointDirectory`: `seq2seq.safetensors` there is written after every epoch (parameters, Adam state,
    ///   the loop's state) and training resumes from it when it exists.
    /// - `metricsURL`: JSON Lines of ``MetricsRecord``s: a `"config"` record (step 0), `"train"` records (`loss`,
    ///   `gold_probability`) every `reportEvery` steps, `"eval"` records (`exact_match` on `test`) every
    ///   `evaluationInterval` steps, and a final `"test"` record (`exact_match`, `correct`, `total`).
    /// - Early stopping is deliberately not offered: SCAN files have no validation split, and stopping on the test
    ///   file would select the model on the test set.
    public static func run(
        train: [Seq2SeqExample], test: [Seq2SeqExample], settings: Settings, checkpointDirectory: URL? = nil,
        metricsURL: URL? = nil, evaluationInterval: Int? = nil, report: (Event) -> Void = { _ in }
    ) throws -> Result {
        let options = RunOptions(
            checkpointDirectory: checkpointDirectory, metricsURL: metricsURL, evaluationInterval: evaluationInterval)
        if settings.architecture == .transformer {
            return try run(train: train, test: test, settings, options, report) { source, target, generator in
                TransformerSeq2SeqModel(
                    TransformerSeq2SeqConfiguration(
                        sourceVocabularySize: source, targetVocabularySize: target, modelSize: settings.hiddenSize,
                        headCount: settings.headCount, encoderLayerCount: settings.layerCount,
                        decoderLayerCount: settings.layerCount, dropout: settings.dropout),
                    using: &generator)
            }
        }
        switch settings.cell {
        case .gru: return try run(GRUCell.self, train: train, test: test, settings, options, report)
        case .lstm: return try run(LSTMCell.self, train: train, test: test, settings, options, report)
        case .rnn: return try run(RNNCell.self, train: train, test: test, settings, options, report)
        }
    }

    private struct RunOptions {
        let checkpointDirectory: URL?
        let metricsURL: URL?
        let evaluationInterval: Int?
    }

    /// Thrown by the step closure to leave the loop at the time limit, before the step starts.
    private struct TimeLimitReached: Error {}

    private static func run<Cell: Seq2SeqCell>(
        _: Cell.Type, train: [Seq2SeqExample], test: [Seq2SeqExample], _ settings: Settings, _ options: RunOptions,
        _ report: (Event) -> Void
    ) throws -> Result {
        try run(train: train, test: test, settings, options, report) { source, target, generator in
            Seq2SeqModel<Cell>(
                Seq2SeqConfiguration(
                    sourceVocabularySize: source, targetVocabularySize: target,
                    embeddingSize: settings.embeddingSize, hiddenSize: settings.hiddenSize,
                    layerCount: settings.layerCount, bidirectional: settings.bidirectional,
                    attention: settings.attention, attentionStyle: settings.attentionStyle, dropout: settings.dropout),
                using: &generator)
        }
    }

    /// A run with the model `makeModel(sourceVocabularySize, targetVocabularySize, generator)` builds.
    private static func run<Model: Seq2SeqTransducer>(
        train: [Seq2SeqExample], test: [Seq2SeqExample], _ settings: Settings, _ options: RunOptions,
        _ report: (Event) -> Void, makeModel: (Int, Int, inout RandomGenerator) -> Model
    ) throws -> Result {
        precondition(!train.isEmpty, "Seq2SeqExperiment.run: no training pairs")
        let sourceVocabulary = SequenceVocabulary(train.flatMap(\.source))
        let targetVocabulary = SequenceVocabulary(train.flatMap(\.target))
        var generator = RandomGenerator(seed: settings.modelSeed)
        let model = makeModel(sourceVocabulary.count, targetVocabulary.count, &generator)
        let trainPairs = Seq2SeqEncodedPairs(train, source: sourceVocabulary, target: targetVocabulary)
        let testPairs = Seq2SeqEncodedPairs(test, source: sourceVocabulary, target: targetVocabulary)
        report(
            .started(
                sourceVocabulary: sourceVocabulary.count, targetVocabulary: targetVocabulary.count,
                parameters: model.parameterCount, trainPairs: train.count, testPairs: test.count))

        let t = settings.training
        let stepsPerEpoch = (trainPairs.count + t.batchSize - 1) / t.batchSize
        let totalSteps = t.epochs * stepsPerEpoch
        let checkpoint = options.checkpointDirectory?.appendingPathComponent("seq2seq.safetensors")
        if let directory = options.checkpointDirectory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let optimizer = Adam(model.parameters, learningRate: t.learningRate)
        let loop = TrainingLoop(
            model: model, optimizer: optimizer,
            configuration: TrainingConfiguration(
                totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch, seed: t.seed, logInterval: t.reportEvery,
                evaluationInterval: options.evaluationInterval, checkpointInterval: stepsPerEpoch,
                checkpointURL: checkpoint))
        var resumed = false
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint.path) {
            try loop.resume(from: checkpoint)
            resumed = true
            report(.resumed(step: loop.state.step, path: checkpoint.path))
        }
        let logger = try options.metricsURL.map {
            try MetricsLogger(url: $0, keepingRecordsThrough: resumed ? loop.state.step : nil)
        }
        loop.metricsLogger = logger
        if !resumed {
            try logger?.log(
                MetricsRecord(
                    phase: "config", step: 0, epoch: 0, wallTime: 0,
                    metrics: [
                        "seed": Double(t.seed), "model_seed": Double(settings.modelSeed),
                        "hidden": Double(settings.hiddenSize), "embedding": Double(settings.embeddingSize),
                        "layers": Double(settings.layerCount), "epochs": Double(t.epochs),
                        "batch_size": Double(t.batchSize), "learning_rate": Double(t.learningRate),
                        "dropout": Double(settings.dropout), "beam": Double(t.beamWidth),
                        "parameters": Double(model.parameterCount), "train_pairs": Double(train.count),
                        "test_pairs": Double(test.count),
                    ]))
        }

        let trainingStart = Date()
        let elapsedBefore = loop.state.elapsedSeconds
        var batchesEpoch = -1
        var batches: [[Int]] = []
        var windowLoss: Float = 0
        var windowSteps = 0
        var epochLoss: Float = 0
        var epochSteps = 0
        do {
            try loop.run(
                step: { step in
                    let seconds = elapsedBefore + Date().timeIntervalSince(trainingStart)
                    if let limit = t.timeLimit, seconds >= limit { throw TimeLimitReached() }
                    if step.epoch != batchesEpoch {
                        batches = Seq2SeqTrainer.epochBatches(
                            targets: trainPairs.targets, size: t.batchSize, epoch: step.epoch, seed: t.seed)
                        batchesEpoch = step.epoch
                    }
                    let batch = batches[step.indexInEpoch]
                    let epsilon = t.sampling.goldProbability(atStep: step.index)
                    let loss = Seq2SeqTransducerTraining.trainStep(
                        model, sources: batch.map { trainPairs.sources[$0] },
                        targets: batch.map { trainPairs.targets[$0] }, goldProbability: epsilon, configuration: t,
                        optimizer: optimizer, using: &step.generator)
                    windowLoss += loss
                    windowSteps += 1
                    epochLoss += loss
                    epochSteps += 1
                    let done = step.index + 1
                    let now = elapsedBefore + Date().timeIntervalSince(trainingStart)
                    if done % t.reportEvery == 0 {
                        report(
                            .progress(
                                Seq2SeqTrainingProgress(
                                    epoch: step.epoch + 1, step: done, loss: windowLoss / Float(windowSteps),
                                    goldProbability: epsilon, endOfEpoch: false, seconds: now)))
                        windowLoss = 0
                        windowSteps = 0
                    }
                    if step.indexInEpoch == stepsPerEpoch - 1 {
                        report(
                            .progress(
                                Seq2SeqTrainingProgress(
                                    epoch: step.epoch + 1, step: done, loss: epochLoss / Float(max(1, epochSteps)),
                                    goldProbability: epsilon, endOfEpoch: true, seconds: now)))
                        epochLoss = 0
                        epochSteps = 0
                    }
                    return ["loss": Double(loss), "gold_probability": Double(epsilon)]
                },
                evaluate: {
                    let accuracy = Seq2SeqTransducerTraining.exactMatchAccuracy(
                        model, on: testPairs, maxLength: t.maxDecodeLength, beamWidth: t.beamWidth,
                        lengthPenalty: t.lengthPenalty
                    ).accuracy
                    return ["exact_match": accuracy]
                })
        } catch is TimeLimitReached {
            report(.timeLimitReached(step: loop.state.step))
            if let checkpoint { try loop.saveCheckpoint(to: checkpoint) }
        }
        let trainingSeconds = Date().timeIntervalSince(trainingStart)

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
        report(.evaluated(accuracy: accuracy, correct: correct, total: test.count, seconds: evaluationSeconds))
        let errors = zip(test, predictions).filter { targetVocabulary.encode($0.target) != $1 }.prefix(5).map {
            (
                source: $0.source.joined(separator: " "), reference: $0.target.joined(separator: " "),
                prediction: targetVocabulary.decode($1).joined(separator: " ")
            )
        }
        return Result(
            testAccuracy: accuracy, correct: correct, total: test.count, steps: loop.state.step,
            trainingSeconds: trainingSeconds, evaluationSeconds: evaluationSeconds, errors: Array(errors))
    }
}
