import Autodiff
import Foundation
import Generative
import MontagueSupport
import NeuralNet

/// The resumable training loop of the neural style-transfer trainers (``CrossAlignedTraining``,
/// ``BackTranslationTransformerTraining``, ``AdversarialStyleTraining`` and ``DualRLTraining``): a trainer gives the
/// model, its optimizers and a step closure that does the mathematics of one optimizer step; the driver does the
/// rest, the same way for every method.
///
/// - Resuming: when the model directory holds a training state, the model's parameters, every optimizer, the run's
///   random generator, the step count, the best validation score and the elapsed time are read back from it. Every
///   random draw of a step comes from the generator the step is given (``Step/generator``), so a run stopped and
///   continued equals one uninterrupted run bit for bit.
/// - Stopping: before every step the session ends when `timeLimit` seconds of it have passed or `shouldStop`
///   returns true (Ctrl-C); the state after the last finished step is then validated and saved, so the same call
///   continues it.
/// - Checkpoints: every ``CrossAlignedTraining/Options/evaluationInterval`` steps and at the end of the session the
///   model is validated and the training state is written to the model directory (atomically).
/// - Keep-best: the weights with the highest validation `score` — the geometric mean of transfer accuracy and
///   source-BLEU, a measure of the style-transfer literature (Shen et al. 2017; Li et al. 2018; Luo et al. 2019) —
///   are kept in `weights.safetensors` (the latest weights when `validate` gives no score), and loaded into the
///   model when the session ends.
/// - Metrics: ten-step averages of the step's metrics and every validation go to a JSON Lines log kept through the
///   resumed step; progress lines go to `log` (``StyleTrainingMetricsWindow``).
/// - Data-parallel: with a synchronizer of more than one replica, replica 0's state starts every replica, replica
///   0's clock and stop request end a session for all, and replica 0 alone validates and writes; the step closure
///   averages its gradients itself.
///
/// The loop of ``TrainingLoop`` is not reused: these runs keep two optimizers (generator and discriminators, or
/// warm start and reinforcement), keep the best weights by a validation score rather than early stopping, and their
/// model directories hold a ``TrainingStateArchive`` whose layout continuing runs depend on.
final class StyleTrainingDriver<Model: ParameterContainer> {
    /// What a step closure is given.
    struct Step {
        /// The 0-based index of the step (the number of steps done before it, over all sessions).
        let index: Int
        /// The epoch of the step (0 for runs without epochs).
        let epoch: Int
        /// The run's random generator: every random draw of the step must come from it.
        var generator: RandomGenerator
    }

    /// The trained model, saved in the training state as `current` and in `weights.safetensors`.
    let model: Model
    /// The optimizers, each saved in the training state under its name.
    let optimizers: [(name: String, optimizer: any Optimizer)]
    /// The step budget, the validation interval and the seed.
    let options: CrossAlignedTraining.Options
    /// Steps per epoch (nil: every step is in epoch 0).
    let stepsPerEpoch: Int?
    /// The model directory.
    let directory: ModelDirectory
    /// Seconds of a session after which it saves and stops.
    let timeLimit: Double?
    /// The JSON Lines metrics log.
    let metricsURL: URL?
    /// The validation: its metrics are logged, its `score` (higher is better) chooses the kept weights.
    let validate: (() throws -> [String: Double])?
    /// Progress lines.
    let log: ((String) -> Void)?
    /// The progress line of a step with these ten-step averages (default: every metric, sorted by name).
    let progressLine: ((_ step: Int, _ averages: [String: Double]) -> String)?
    /// The data-parallel synchronizer, when there is more than one replica.
    let synchronizer: (any GradientSynchronizer)?
    /// Seconds on a monotonic or wall clock.
    let clock: () -> Double

    /// Whether this process validates and writes the directory and the metrics (all but replicas 1, 2, …).
    var writes: Bool { synchronizer?.isWritingReplica ?? true }

    /// A driver for `model` and its named `optimizers`; a `synchronizer` of one replica is ignored.
    init(
        model: Model, optimizers: [(name: String, optimizer: any Optimizer)], options: CrossAlignedTraining.Options,
        stepsPerEpoch: Int?, directory: ModelDirectory, timeLimit: Double?, metricsURL: URL?,
        validate: (() throws -> [String: Double])?, log: ((String) -> Void)?,
        progressLine: ((_ step: Int, _ averages: [String: Double]) -> String)? = nil,
        synchronizer: (any GradientSynchronizer)? = nil,
        clock: @escaping () -> Double = { Date().timeIntervalSinceReferenceDate }
    ) {
        self.model = model
        self.optimizers = optimizers
        self.options = options
        self.stepsPerEpoch = stepsPerEpoch
        self.directory = directory
        self.timeLimit = timeLimit
        self.metricsURL = metricsURL
        self.validate = validate
        self.log = log
        self.progressLine = progressLine
        self.synchronizer = synchronizer.flatMap { $0.shard.count > 1 ? $0 : nil }
        self.clock = clock
    }

    /// The epoch of the 0-based step `index`.
    func epoch(ofStep index: Int) -> Int { stepsPerEpoch.map { index / max(1, $0) } ?? 0 }

    /// Runs steps until ``CrossAlignedTraining/Options/steps`` are done or the session is stopped, continuing the
    /// run in the directory's training state when there is one. `step` computes the losses of step
    /// ``Step/index``, steps the optimizers and returns the metrics to average and log.
    ///
    /// - Throws: ``ModelDirectoryError`` / `CheckpointError` for an unreadable training state;
    ///   `TrainingDivergedError` when a metric whose name contains "loss" is not finite (nothing of that step is
    ///   written); errors of `step`, `validate` and the files.
    func run(shouldStop: () -> Bool = { false }, step body: (inout Step) throws -> [String: Double]) throws
        -> CrossAlignedTraining.Summary
    {
        let writes = writes
        var generator = RandomGenerator(seed: options.seed &+ 1)
        var step = 0
        var bestScore: Double?
        var elapsedBefore = 0.0
        let resuming = FileManager.default.fileExists(atPath: directory.trainingStateURL.path)
        func restore(_ state: TrainingStateArchive) throws {
            try state.restore(model: model, from: "current")
            for (name, optimizer) in optimizers { try state.restore(optimizer: optimizer, from: name) }
            generator = try state.generator("run")
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
        let start = clock()
        func elapsed() -> Double { elapsedBefore + (clock() - start) }
        func archive() -> TrainingStateArchive {
            var state = TrainingStateArchive()
            state.store(model: model, as: "current")
            for (name, optimizer) in optimizers { state.store(optimizer: optimizer, as: name) }
            state.store(generator: generator, as: "run")
            state["step"] = String(step)
            state["elapsed_seconds"] = String(elapsed())
            if let bestScore { state["best_score"] = String(bestScore) }
            return state
        }
        // Data-parallel: every replica starts from replica 0's state (fresh or resumed).
        if let synchronizer {
            let state = try synchronizer.broadcastFromFirstReplica(archive())
            if !writes { try restore(state) }
        }
        func evaluate() throws {
            guard writes else { return }  // replica 0 alone validates and writes
            var metrics = try validate?() ?? [:]
            if let score = metrics["score"] {
                if bestScore.map({ score > $0 }) ?? true {
                    bestScore = score
                    try directory.saveWeights(of: model, metadata: ["step": String(step)])
                    metrics["best"] = 1
                }
            } else {
                try directory.saveWeights(of: model, metadata: ["step": String(step)])
            }
            try logger?.log(
                MetricsRecord(
                    phase: "eval", step: step, epoch: epoch(ofStep: step), wallTime: elapsed(), metrics: metrics))
            log?(
                "step \(step) validation: "
                    + metrics.keys.sorted().map { String(format: "%@ %.4f", $0, metrics[$0] ?? .nan) }.joined(
                        separator: ", "))
            try directory.saveTrainingState(archive())
        }

        var window = StyleTrainingMetricsWindow()
        var stoppedByTimeLimit = false
        while step < options.steps {
            let expired = (timeLimit.map { clock() - start >= $0 } ?? false) || shouldStop()
            if try synchronizer?.firstReplicaDecides(expired) ?? expired {  // replica 0's clock and Ctrl-C decide
                stoppedByTimeLimit = true
                break
            }
            var context = Step(index: step, epoch: epoch(ofStep: step), generator: generator)
            let metrics = try body(&context)
            // A loss that is no longer a number ends the run before anything is written, so the directory keeps
            // its last checkpoint (NaN would otherwise spread into the weights and the files saved next).
            if let diverged = TrainingDivergedError(
                firstNonFiniteOf: metrics, directory: directory, step: step + 1, watched: { $0.contains("loss") })
            {
                throw diverged
            }
            generator = context.generator
            step += 1
            let done = step
            try window.record(
                metrics, step: step, totalSteps: options.steps, epoch: context.epoch, wallTime: elapsed(),
                logger: logger, log: log, line: progressLine.map { line in { line(done, $0) } })
            if step % options.evaluationInterval == 0 { try evaluate() }
        }
        if step % options.evaluationInterval != 0 || step == 0 { try evaluate() }
        // The best weights are what predict and evaluate use.
        try synchronizer?.verifyIdenticalParameters(model.parameterValues)
        if bestScore != nil, writes { try directory.loadWeights(into: model) }
        return CrossAlignedTraining.Summary(
            steps: step, lastMetrics: window.lastMetrics, bestScore: bestScore, stoppedByTimeLimit: stoppedByTimeLimit)
    }
}
