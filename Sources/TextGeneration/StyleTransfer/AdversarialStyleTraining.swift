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
        let synchronizer = synchronizer.flatMap { $0.shard.count > 1 ? $0 : nil }
        let writes = synchronizer?.isWritingReplica ?? true
        let batches = CrossAlignedTraining.replicaBatches(
            sentences, batchSize: options.batchSize, seed: options.seed, shard: synchronizer?.shard ?? .whole)
        var random = RandomGenerator(seed: options.seed &+ 1)
        var step = 0
        var bestScore: Double?
        var elapsedBefore = 0.0
        let resuming = FileManager.default.fileExists(atPath: directory.trainingStateURL.path)
        func restore(_ state: TrainingStateArchive) throws {
            try state.restore(model: network, from: "current")
            try state.restore(optimizer: generatorOptimizer, from: "generator")
            if !discriminatorParameters.isEmpty {
                try state.restore(optimizer: discriminatorOptimizer, from: "discriminator")
            }
            random = try state.generator("run")
            step = try state.integer("step")
            guard step >= 0 else {
                throw ModelDirectoryError(path: directory.trainingStateURL.path, "training state: negative step")
            }
            bestScore = state["best_score"].flatMap(Double.init)
            elapsedBefore = state["elapsed_seconds"].flatMap(Double.init) ?? 0
        }
        if resuming, writes, let state = try directory.loadTrainingState() {
            try restore(state)
            log?("continuing from step \(step)")
        }
        let logger = try metricsURL.flatMap { writes ? $0 : nil }.map {
            try MetricsLogger(url: $0, keepingRecordsThrough: resuming ? step : nil)
        }
        let start = Date()
        var stoppedByTimeLimit = false
        func elapsed() -> Double { elapsedBefore + Date().timeIntervalSince(start) }

        func archive() -> TrainingStateArchive {
            var state = TrainingStateArchive()
            state.store(model: network, as: "current")
            state.store(optimizer: generatorOptimizer, as: "generator")
            if !discriminatorParameters.isEmpty { state.store(optimizer: discriminatorOptimizer, as: "discriminator") }
            state.store(generator: random, as: "run")
            state["step"] = String(step)
            state["elapsed_seconds"] = String(elapsed())
            if let bestScore { state["best_score"] = String(bestScore) }
            return state
        }
        func save() throws {
            if writes { try directory.saveTrainingState(archive()) }
        }
        // Data-parallel: every replica starts from replica 0's state (fresh or resumed).
        if let synchronizer {
            let state = try synchronizer.broadcastFromFirstReplica(archive())
            if !writes { try restore(state) }
        }
        func evaluate() throws {
            guard writes else { return }  // replica 0 alone validates and writes
            var metrics = try validate?(network.autoencoder) ?? [:]
            if let score = metrics["score"] {
                if bestScore.map({ score > $0 }) ?? true {
                    bestScore = score
                    try directory.saveWeights(of: network, metadata: ["step": String(step)])
                    metrics["best"] = 1
                }
            } else {
                try directory.saveWeights(of: network, metadata: ["step": String(step)])
            }
            try logger?.log(
                MetricsRecord(
                    phase: "eval", step: step, epoch: step / max(1, batches.count), wallTime: elapsed(),
                    metrics: metrics))
            log?(
                "step \(step) validation: "
                    + metrics.keys.sorted().map { String(format: "%@ %.4f", $0, metrics[$0] ?? .nan) }.joined(
                        separator: ", "))
            try save()
        }

        var window = StyleTrainingMetricsWindow()
        while step < options.steps {
            let expired = (timeLimit.map { Date().timeIntervalSince(start) >= $0 } ?? false) || shouldStop()
            if try synchronizer?.firstReplicaDecides(expired) ?? expired {  // replica 0's clock and Ctrl-C decide
                stoppedByTimeLimit = true
                break
            }
            let epoch = step / batches.count
            let batch = batches[
                CrossAlignedTraining.order(count: batches.count, epoch: epoch, seed: options.seed)[step % batches.count]
            ]
            let losses = network.losses(batch: batch, vocabulary: vocabulary, step: step, using: &random)
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
            step += 1
            try window.record(
                stepMetrics, step: step, totalSteps: options.steps, epoch: epoch, wallTime: elapsed(), logger: logger,
                log: log)
            if step % options.evaluationInterval == 0 { try evaluate() }
        }
        if step % options.evaluationInterval != 0 || step == 0 { try evaluate() }
        try synchronizer?.verifyIdenticalParameters(network.parameterValues)
        if bestScore != nil, writes { try directory.loadWeights(into: network) }
        return CrossAlignedTraining.Summary(
            steps: step, lastMetrics: window.lastMetrics, bestScore: bestScore, stoppedByTimeLimit: stoppedByTimeLimit)
    }
}
