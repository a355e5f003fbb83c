import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// Trains a ``BackTranslationTransformer`` with denoising and back-translation (Lample et al. 2019,
/// ``CrossAlignedTraining/BackTranslation``): the loop of the GRU model's back-translation training — the same
/// batches (equal numbers of sentences of each style, similar lengths, reshuffled every epoch from the seed), the
/// same validation and keep-best rule, the same resumable training state and metrics log — with Adam at the run's
/// learning rate (β₁ = 0.9, β₂ = 0.98, Vaswani et al. 2017) on the Transformer's parameters.
public enum BackTranslationTransformerTraining {
    /// Trains `network` on `sentences` (ids per style, without `<s>`/`</s>`), continuing the run saved in
    /// `directory`'s training state when there is one; see
    /// ``CrossAlignedTraining/run(model:sentences:vocabulary:options:backTranslation:directory:timeLimit:metricsURL:validate:log:synchronizer:shouldStop:)``
    /// for `validate`, `timeLimit`, `metricsURL` and `synchronizer` (here the Transformer's gradients alone are
    /// averaged).
    ///
    /// - Throws: ``ModelDirectoryError`` / `CheckpointError` for an unreadable training state; file errors.
    public static func run(
        network: BackTranslationTransformer, sentences: [[[Int]]], vocabulary: Vocabulary,
        options: CrossAlignedTraining.Options, backTranslation: CrossAlignedTraining.BackTranslation,
        directory: ModelDirectory, timeLimit: Double? = nil, metricsURL: URL? = nil,
        validate: ((BackTranslationTransformer) throws -> [String: Double])? = nil, log: ((String) -> Void)? = nil,
        synchronizer: (any GradientSynchronizer)? = nil, shouldStop: () -> Bool = { false }
    ) throws -> CrossAlignedTraining.Summary {
        precondition(options.problem == nil, "BackTranslationTransformerTraining: \(options.problem ?? "")")
        precondition(
            sentences.count == network.styleCount && sentences.allSatisfy({ !$0.isEmpty }),
            "BackTranslationTransformerTraining: one non-empty sentence list per style")
        let parameters = network.parameters
        let optimizer = Adam(parameters, learningRate: options.learningRate, beta1: 0.9, beta2: 0.98)
        let batches = CrossAlignedTraining.replicaBatches(
            sentences, batchSize: options.batchSize, seed: options.seed, shard: synchronizer?.shard ?? .whole)
        let driver = StyleTrainingDriver(
            model: network, optimizers: [("generator", optimizer)], options: options, stepsPerEpoch: batches.count,
            directory: directory, timeLimit: timeLimit, metricsURL: metricsURL,
            validate: validate.map { validate in { try validate(network) } }, log: log,
            progressLine: CrossAlignedTraining.backTranslationProgress, synchronizer: synchronizer)
        let synchronizer = driver.synchronizer  // nil for one replica
        return try driver.run(shouldStop: shouldStop) { context in
            let order = CrossAlignedTraining.order(count: batches.count, epoch: context.epoch, seed: options.seed)
            let batch = batches[order[context.index % batches.count]]
            let losses = network.backTranslationLoss(
                batch: batch, vocabulary: vocabulary, settings: backTranslation, using: &context.generator)
            return try CrossAlignedTraining.backTranslationStep(
                losses, optimizer: optimizer, sentences: batch.count, options: options, synchronizer: synchronizer)
        }
    }
}
