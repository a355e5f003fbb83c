import Autodiff
import Foundation
import NeuralNet

/// Trains a ``LanguageModel`` on token sequences with ``TrainingLoop``: shuffled mini-batches per epoch, Adam,
/// gradient clipping, full or sampled softmax, validation perplexity with early stopping, metrics log and
/// checkpoints that resume bit for bit. The library entry point a `montague train lm` command would call.
///
/// Each step takes batch `epochOrder[indexInEpoch]` of the training sequences (batches of `batchSize`
/// consecutive sequences, the last one possibly smaller), computes the loss with dropout from the run's
/// generator, clips the gradients to `maxGradientNorm` (Pascanu et al. 2013) and steps Adam. Training records carry
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

    /// Trains on `training` (each sequence at least two tokens), evaluating on `validation` when given. With
    /// `resumeFrom`, continues the run saved in that checkpoint. Metrics go to `metricsURL` when given (kept through
    /// the resumed step). With `synchronizer`, trains data-parallel: `batchSize` sequences per replica, gradients
    /// averaged over the replicas weighted by their tokens (see ``GradientSynchronizer``).
    public static func run(
        _ configuration: Configuration, training: [[Int]], validation: [[Int]] = [], metricsURL: URL? = nil,
        resumeFrom checkpoint: URL? = nil, progress: ProgressReporter? = nil,
        synchronizer: (any GradientSynchronizer)? = nil
    ) throws -> Result {
        precondition(!training.isEmpty, "LanguageModelTraining: no training sequences")
        precondition(configuration.batchSize > 0, "LanguageModelTraining: batchSize must be positive")
        precondition(
            configuration.patience == nil || (!validation.isEmpty && configuration.loop.evaluationInterval != nil),
            "LanguageModelTraining: early stopping needs validation sequences and an evaluationInterval")
        var generator = RandomGenerator(seed: configuration.initializationSeed)
        let model = LanguageModel(
            vocabularySize: configuration.vocabularySize, embeddingSize: configuration.embeddingSize,
            hiddenSize: configuration.hiddenSize, layerCount: configuration.layerCount,
            dropout: configuration.dropout, using: &generator)
        let adam = Adam(model.parameters, learningRate: configuration.learningRate)
        let shard = synchronizer?.shard ?? .whole
        let batches = try shard.globalBatches(
            exampleCount: training.count, batchSizePerReplica: configuration.batchSize
        ).map { LanguageModelBatch(sequences: Array(training[shard.part(of: $0)])) }
        var loopConfiguration = configuration.loop
        loopConfiguration.stepsPerEpoch = batches.count
        let loop = TrainingLoop(
            model: model, optimizer: adam, configuration: loopConfiguration,
            earlyStopping: configuration.patience.map { EarlyStopping(metric: "perplexity", patience: $0) },
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
        let summary = try loop.run(
            step: { context in
                let batch = batches[context.epochOrder(count: batches.count)[context.indexInEpoch]]
                let loss =
                    if let sampled {
                        model.sampledLoss(batch, softmax: sampled, using: &context.generator)
                    } else {
                        model.loss(batch, dropoutUsing: &context.generator)
                    }
                var grads = try context.averageAcrossReplicas(
                    gradients(of: loss, wrt: model.parameterValues), weight: Double(batch.lengths.reduce(0, +)))
                var norm = Float.nan
                if let maxNorm = configuration.maxGradientNorm {
                    (grads, norm) = clipByGlobalNorm(grads, maxNorm: maxNorm)
                }
                adam.step(grads)
                var metrics = ["loss": Double(loss.item)]
                if !norm.isNaN { metrics["gradient_norm"] = Double(norm) }
                return metrics
            }, evaluate: evaluate)
        return Result(model: model, summary: summary)
    }
}
