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
            try state.restore(optimizer: optimizer, from: "generator")
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
        func archive() -> TrainingStateArchive {
            var state = TrainingStateArchive()
            state.store(model: network, as: "current")
            state.store(optimizer: optimizer, as: "generator")
            state.store(generator: random, as: "run")
            state["step"] = String(step)
            state["elapsed_seconds"] = String(elapsedBefore + Date().timeIntervalSince(start))
            if let bestScore { state["best_score"] = String(bestScore) }
            return state
        }
        if let synchronizer {  // every replica starts from replica 0's state (fresh or resumed)
            let state = try synchronizer.broadcastFromFirstReplica(archive())
            if !writes { try restore(state) }
        }
        func evaluate() throws {
            guard writes else { return }
            var metrics = try validate?(network) ?? [:]
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
                    phase: "eval", step: step, epoch: step / max(1, batches.count),
                    wallTime: elapsedBefore + Date().timeIntervalSince(start), metrics: metrics))
            log?(
                "step \(step) validation: "
                    + metrics.keys.sorted().map { String(format: "%@ %.4f", $0, metrics[$0] ?? .nan) }.joined(
                        separator: ", "))
            try directory.saveTrainingState(archive())
        }

        var window = StyleTrainingMetricsWindow()
        while step < options.steps {
            let expired = (timeLimit.map { Date().timeIntervalSince(start) >= $0 } ?? false) || shouldStop()
            if try synchronizer?.firstReplicaDecides(expired) ?? expired {
                stoppedByTimeLimit = true
                break
            }
            let epoch = step / batches.count
            let order = CrossAlignedTraining.order(count: batches.count, epoch: epoch, seed: options.seed)
            let batch = batches[order[step % batches.count]]
            let losses = network.backTranslationLoss(
                batch: batch, vocabulary: vocabulary, settings: backTranslation, using: &random)
            var gradients = gradients(of: losses.total, wrt: parameters.map(\.value))
            var parts = [
                "denoising": Double(losses.denoising.item), "back_translation": Double(losses.backTranslation.item),
            ]
            if let synchronizer {
                gradients = try CrossAlignedTraining.averaged(
                    gradients, [], sentences: batch.count, synchronizer: synchronizer
                ).0
                parts = try synchronizer.averageMetrics(parts, weight: Double(batch.count))
            }
            if options.maxGradientNorm > 0 {
                gradients = clipByGlobalNorm(gradients, maxNorm: options.maxGradientNorm).clipped
            }
            optimizer.step(gradients)
            step += 1
            try window.record(
                ["denoising": parts["denoising"] ?? .nan, "back_translation": parts["back_translation"] ?? .nan],
                step: step, totalSteps: options.steps, epoch: epoch,
                wallTime: elapsedBefore + Date().timeIntervalSince(start), logger: logger, log: log
            ) { averages in
                String(
                    format: "step %d: denoising %.3f, back-translation %.3f", step, averages["denoising"] ?? .nan,
                    averages["back_translation"] ?? .nan)
            }
            if step % options.evaluationInterval == 0 { try evaluate() }
        }
        if step % options.evaluationInterval != 0 || step == 0 { try evaluate() }
        try synchronizer?.verifyIdenticalParameters(network.parameterValues)
        if bestScore != nil, writes { try directory.loadWeights(into: network) }
        return CrossAlignedTraining.Summary(
            steps: step, lastMetrics: window.lastMetrics, bestScore: bestScore, stoppedByTimeLimit: stoppedByTimeLimit)
    }
}
