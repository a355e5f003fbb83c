import Autodiff
import Foundation
import NeuralNet

/// Trains a ``LanguageModel`` on token sequences with ``TrainingLoop``: shuffled mini-batches per epoch, Adam,
/// gradient clipping, full or sampled softmax, validation perplexity with early stopping, metrics log and
/// checkpoints that resume bit for bit. The library entry point a `montague train lm` command would call.
///
/// Each step takes `accumulationSteps` batches (positions `indexInEpoch·n ..< (indexInEpoch+1)·n` of the epoch's
/// order; batches of `batchSize` consecutive sequences, the last one possibly smaller, or token-budget batches),
/// computes their losses with dropout (and scheduled sampling, when chosen) from the run's generator, accumulates
/// their token-weighted gradients, clips them to `maxGradientNorm` (Pascanu et al. 2013) and steps Adam. Training records carry
/// `loss` and `gradient_norm`; evaluations carry `loss` and `perplexity` of the validation sequences (full softmax).
///
/// ```swift
/// let sequences = [[0, 1, 2, 3], [0, 2, 1, 3], [0, 1, 1, 3]]
/// var configuration = LanguageModelTraining.Configuration(vocabularySize: 4)
/// configuration.loop = TrainingConfiguration(totalSteps: 20, seed: 1)
/// let result = try LanguageModelTraining.run(configuration, training: sequences)
/// print(result.summary.lastMetrics["loss"] ?? .nan)
/// ```
public enum LanguageModelTraining {
    /// The model, the optimization and the loop.
    public struct Configuration: Sendable {
        /// Vocabulary size (token ids are `0..<vocabularySize`).
        public var vocabularySize: Int
        /// Embedding width.
        public var embeddingSize: Int
        /// LSTM hidden width.
        public var hiddenSize: Int
        /// Stacked LSTM layers.
        public var layerCount: Int
        /// Dropout probability (embeddings, between layers, outputs).
        public var dropout: Float
        /// Seed of the parameter initialization (the loop's seed drives dropout and data order).
        public var initializationSeed: UInt64
        /// Sequences per batch.
        public var batchSize: Int
        /// Adam's learning rate.
        public var learningRate: Float
        /// Global gradient norm clip; `nil` for none.
        public var maxGradientNorm: Float?
        /// Candidates of a sampled softmax; `nil` trains with the full softmax.
        public var sampledSoftmaxCount: Int?
        /// Steps, seed, intervals, checkpoint files (`stepsPerEpoch` is set from the data).
        public var loop: TrainingConfiguration
        /// Early stopping on validation perplexity; `nil` for none (needs validation data and an interval).
        public var patience: Int?
        /// Batches whose gradients are accumulated into one optimizer step (1: none). The step's gradient is the
        /// token-weighted mean of the batches' gradients, equal to the gradient of one batch of all their sentences.
        public var accumulationSteps: Int = 1
        /// When set, batches hold sentences of similar length up to this many padded tokens each (see
        /// ``LanguageModelBatching/tokenBatches(lengths:maximumTokens:)``) instead of ``batchSize`` sentences.
        public var batchTokens: Int?
        /// Scheduled sampling of the inputs (Bengio et al. 2015); teacher forcing by default.
        public var scheduledSampling: ScheduledSampling = .teacherForcing
        /// Which prediction scheduled sampling feeds back.
        public var samplingChoice: ScheduledSamplingChoice = .argmax
        /// How Adam's rate changes over the steps (``learningRate`` is the schedule's peak); constant by default.
        public var learningRateSchedule: LearningRateScheduleKind = .constant
        /// Steps of linear warm-up of ``learningRateSchedule``.
        public var warmupSteps: Int = 0

        /// A small default configuration for `vocabularySize` tokens.
        public init(
            vocabularySize: Int, embeddingSize: Int = 32, hiddenSize: Int = 64, layerCount: Int = 1,
            dropout: Float = 0, initializationSeed: UInt64 = 0, batchSize: Int = 16, learningRate: Float = 3e-3,
            maxGradientNorm: Float? = 5, sampledSoftmaxCount: Int? = nil,
            loop: TrainingConfiguration = TrainingConfiguration(totalSteps: 100), patience: Int? = nil
        ) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.layerCount = layerCount
            self.dropout = dropout
            self.initializationSeed = initializationSeed
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.maxGradientNorm = maxGradientNorm
            self.sampledSoftmaxCount = sampledSoftmaxCount
            self.loop = loop
            self.patience = patience
        }
    }

    /// The trained model and how the run ended.
    public struct Result {
        /// The model after the last step.
        public let model: LanguageModel
        /// How the loop ended.
        public let summary: TrainingSummary
    }

    /// Why a run stopped before its step budget, other than early stopping.
    public typealias StopCause = TrainingStopCause

    /// How a session of ``train(_:configuration:training:validation:metricsURL:resumeFrom:progress:timeLimit:shouldStop:)`` ended.
    public struct Session {
        /// How the loop ended (steps done in total, last metrics).
        public let summary: TrainingSummary
        /// Set when the session stopped early for time or on request; the training state was then saved to the
        /// loop's checkpoint file (when it has one), so the run continues from it bit for bit.
        public let stop: StopCause?
    }

    /// Trains an LSTM language model on `training` (each sequence at least two tokens), evaluating on `validation`
    /// when given. With `resumeFrom`, continues the run saved in that checkpoint. Metrics go to `metricsURL` when
    /// given (kept through the resumed step). With `synchronizer`, trains data-parallel: `batchSize` sequences per
    /// replica, gradients averaged over the replicas weighted by their tokens (see ``GradientSynchronizer``).
    public static func run(
        _ configuration: Configuration, training: [[Int]], validation: [[Int]] = [], metricsURL: URL? = nil,
        resumeFrom checkpoint: URL? = nil, progress: ProgressReporter? = nil,
        synchronizer: (any GradientSynchronizer)? = nil
    ) throws -> Result {
        var generator = RandomGenerator(seed: configuration.initializationSeed)
        let model = LanguageModel(
            vocabularySize: configuration.vocabularySize, embeddingSize: configuration.embeddingSize,
            hiddenSize: configuration.hiddenSize, layerCount: configuration.layerCount,
            dropout: configuration.dropout, using: &generator)
        let session = try train(
            model, configuration: configuration, training: training, validation: validation, metricsURL: metricsURL,
            resumeFrom: checkpoint, progress: progress, synchronizer: synchronizer)
        return Result(model: model, summary: session.summary)
    }

    /// The batches of one epoch's data: sentence indices, by ``Configuration/batchTokens`` or
    /// ``Configuration/batchSize``.
    public static func batchIndices(of training: [[Int]], configuration: Configuration) -> [[Int]] {
        if let budget = configuration.batchTokens {
            return LanguageModelBatching.tokenBatches(lengths: training.map(\.count), maximumTokens: budget)
        }
        return LanguageModelBatching.fixedBatches(count: training.count, size: configuration.batchSize)
    }

    /// Trains `model` in place (any ``NextTokenLanguageModel``: LSTM, GRU, Transformer) with ``TrainingLoop`` and
    /// Adam. Stops before the next step once `timeLimit` seconds of this session have passed or `shouldStop`
    /// returns true, saving the training state to the loop's checkpoint file first, so running again with
    /// `resumeFrom` continues bit for bit. With `synchronizer`, trains data-parallel: each replica takes its
    /// ``DataShard/part(of:)`` of every global batch of `batchSize` × replicas sequences, and gradients are averaged
    /// over the replicas weighted by their tokens (fixed-size batches only: token batching is refused).
    public static func train<Model: NextTokenLanguageModel>(
        _ model: Model, configuration: Configuration, training: [[Int]], validation: [[Int]] = [],
        metricsURL: URL? = nil, resumeFrom checkpoint: URL? = nil, progress: ProgressReporter? = nil,
        timeLimit: Double? = nil, shouldStop: () -> Bool = { false },
        synchronizer: (any GradientSynchronizer)? = nil
    ) throws -> Session {
        precondition(!training.isEmpty, "LanguageModelTraining: no training sequences")
        precondition(configuration.batchSize > 0, "LanguageModelTraining: batchSize must be positive")
        precondition(configuration.accumulationSteps > 0, "LanguageModelTraining: accumulationSteps must be positive")
        precondition(
            configuration.patience == nil || (!validation.isEmpty && configuration.loop.evaluationInterval != nil),
            "LanguageModelTraining: early stopping needs validation sequences and an evaluationInterval")
        precondition(
            configuration.vocabularySize == model.vocabularySize,
            "LanguageModelTraining: the model has \(model.vocabularySize) tokens, the configuration \(configuration.vocabularySize)"
        )
        let adam = Adam(model.parameters, learningRate: configuration.learningRate)
        let batches: [LanguageModelBatch]
        if let shard = synchronizer?.shard, shard.count > 1 {
            precondition(
                configuration.batchTokens == nil,
                "LanguageModelTraining: token batching is not sharded across replicas; use batchSize")
            batches = try shard.globalBatches(
                exampleCount: training.count, batchSizePerReplica: configuration.batchSize
            ).map { LanguageModelBatch(sequences: Array(training[shard.part(of: $0)])) }
        } else {
            batches = batchIndices(of: training, configuration: configuration).map { indices in
                LanguageModelBatch(sequences: indices.map { training[$0] })
            }
        }
        let perStep = configuration.accumulationSteps
        var loopConfiguration = configuration.loop
        loopConfiguration.stepsPerEpoch = (batches.count + perStep - 1) / perStep
        let loop = TrainingLoop(
            model: model, optimizer: adam, configuration: loopConfiguration,
            earlyStopping: configuration.patience.map { EarlyStopping(metric: "perplexity", patience: $0) },
            learningRateSchedule: configuration.learningRateSchedule.schedule(
                learningRate: configuration.learningRate, warmupSteps: configuration.warmupSteps,
                totalSteps: loopConfiguration.totalSteps),
            progress: progress)
        loop.synchronizer = synchronizer
        if let checkpoint { try loop.resume(from: checkpoint) }
        if let metricsURL {
            loop.metricsLogger = try MetricsLogger(
                url: metricsURL, keepingRecordsThrough: checkpoint == nil ? nil : loop.state.step)
        }
        let sampled = configuration.sampledSoftmaxCount.map {
            SampledSoftmax(proposal: .uniform(vocabularySize: configuration.vocabularySize), sampleCount: $0)
        }
        let evaluate: (() -> [String: Double])? =
            validation.isEmpty
            ? nil
            : {
                let perplexity = model.perplexity(on: validation, batchSize: configuration.batchSize)
                return ["perplexity": perplexity, "loss": Foundation.log(perplexity)]
            }
        let (summary, stop) = try loop.run(
            step: { context in
                let order = context.epochOrder(count: batches.count)
                let first = context.indexInEpoch * perStep
                let stepBatches = order[first..<min(first + perStep, order.count)].map { batches[$0] }
                let epsilon = configuration.scheduledSampling.goldProbability(atStep: context.index)
                let (loss, accumulated) = LanguageModelBatching.accumulatedGradients(
                    of: model, batches: stepBatches
                ) { batch in
                    if let sampled {
                        return model.sampledLoss(batch, softmax: sampled, using: &context.generator)
                    }
                    if epsilon < 1 {
                        return model.scheduledSamplingLoss(
                            batch, goldProbability: epsilon, choice: configuration.samplingChoice,
                            using: &context.generator)
                    }
                    return model.loss(batch, dropoutUsing: &context.generator)
                }
                var grads = try context.averageAcrossReplicas(
                    accumulated, weight: Double(stepBatches.reduce(0) { $0 + $1.tokenCount }))
                var norm = Float.nan
                if let maxNorm = configuration.maxGradientNorm {
                    (grads, norm) = clipByGlobalNorm(grads, maxNorm: maxNorm)
                }
                adam.step(grads)
                var metrics = ["loss": Double(loss)]
                if !norm.isNaN { metrics["gradient_norm"] = Double(norm) }
                if !configuration.scheduledSampling.isTeacherForcing { metrics["gold_probability"] = Double(epsilon) }
                return metrics
            }, evaluate: evaluate, timeLimit: timeLimit, shouldStop: shouldStop)
        return Session(summary: summary, stop: stop)
    }
}
