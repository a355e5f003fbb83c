import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// Trains any ``AdversarialStyleTransferNetwork`` (`cycle`, `common-space`, `stargan`, `conditional`) with the batch
/// schedule, optimizers and resumable model-directory state of ``CrossAlignedTraining``: each step takes a batch
/// with the same number of sentences of every style, computes the network's losses once, and updates the
/// generator (Adam, β₁ = 0.5, global-norm clipping) on its loss and the discriminators on theirs.
public enum AdversarialStyleTraining {
    /// Trains `network` on `sentences` (ids per style), continuing the run saved in `directory` when there is
    /// one; `validate` scores the autoencoder as in ``CrossAlignedTraining/run(model:sentences:vocabulary:options:
    /// backTranslation:directory:timeLimit:metricsURL:validate:log:)`` (its `score` keeps the best weights).
    ///
    /// With `synchronizer`, trains data-parallel as ``CrossAlignedTraining/run(model:sentences:vocabulary:options:backTranslation:directory:timeLimit:metricsURL:validate:log:synchronizer:)``
    /// does.
    ///
    /// - Throws: ``ModelDirectoryError`` / `CheckpointError` for an unreadable training state; file errors.
    public static func run(
        network: some AdversarialStyleTransferNetwork, sentences: [[[Int]]], vocabulary: Vocabulary,
        options: CrossAlignedTraining.Options, directory: ModelDirectory, timeLimit: Double? = nil,
        metricsURL: URL? = nil, validate: ((CrossAlignedAutoencoder) throws -> [String: Double])? = nil,
        log: ((String) -> Void)? = nil, synchronizer: (any GradientSynchronizer)? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> CrossAlignedTraining.Summary {
        precondition(options.problem == nil, "AdversarialStyleTraining: \(options.problem ?? "")")
        precondition(
            sentences.count == network.autoencoder.configuration.styleCount && sentences.allSatisfy({ !$0.isEmpty }),
            "AdversarialStyleTraining: one non-empty sentence list per style")
        let generatorParameters = network.autoencoder.generatorNamedParameters.map(\.parameter)
        let discriminatorParameters = network.discriminatorNamedParameters.map(\.parameter)
        let generatorOptimizer = Adam(generatorParameters, learningRate: options.learningRate, beta1: 0.5)
        let discriminatorOptimizer = Adam(discriminatorParameters, learningRate: options.learningRate, beta1: 0.5)
        let batches = CrossAlignedTraining.replicaBatches(
            sentences, batchSize: options.batchSize, seed: options.seed, shard: synchronizer?.shard ?? .whole)
        let driver = StyleTrainingDriver(
            model: network,
            optimizers: [("generator", generatorOptimizer)]
                + (discriminatorParameters.isEmpty ? [] : [("discriminator", discriminatorOptimizer)]),
            options: options, stepsPerEpoch: batches.count, directory: directory, timeLimit: timeLimit,
            metricsURL: metricsURL, validate: validate.map { validate in { try validate(network.autoencoder) } },
            log: log, synchronizer: synchronizer)
        let synchronizer = driver.synchronizer  // nil for one replica
        return try driver.run(shouldStop: shouldStop) { context in
            let batch = batches[
                CrossAlignedTraining.order(count: batches.count, epoch: context.epoch, seed: options.seed)[
                    context.index % batches.count]
            ]
            let losses = network.losses(
                batch: batch, vocabulary: vocabulary, step: context.index, using: &context.generator)
            let discriminatorGradientsOrNil = losses.discriminator.map {
                gradients(of: $0, wrt: discriminatorParameters.map(\.value))
            }
            var generatorGradients = gradients(of: losses.generator, wrt: generatorParameters.map(\.value))
            var discriminatorGradients = discriminatorGradientsOrNil
            var stepMetrics = losses.metrics
            if let synchronizer {  // average over the replicas, weighted by their sentences, in one exchange
                let averaged = try CrossAlignedTraining.averaged(
                    generatorGradients, discriminatorGradients ?? [], sentences: batch.count,
                    synchronizer: synchronizer)
                generatorGradients = averaged.0
                if discriminatorGradients != nil { discriminatorGradients = averaged.1 }
                stepMetrics = try synchronizer.averageMetrics(stepMetrics, weight: Double(batch.count))
            }
            if options.maxGradientNorm > 0 {
                generatorGradients = clipByGlobalNorm(generatorGradients, maxNorm: options.maxGradientNorm).clipped
            }
            generatorOptimizer.step(generatorGradients)
            if let discriminatorGradients, !discriminatorParameters.isEmpty {
                discriminatorOptimizer.step(discriminatorGradients)
            }
            return stepMetrics
        }
    }
}
