import Autodiff
import Foundation

/// A training loop: runs a step closure for a number of steps, with progress on a terminal, metrics to JSON Lines,
/// periodic evaluation, early stopping, and checkpoints that resume bit for bit.
///
/// The loop owns the run's state (step counter, random generator, early-stopping progress); the step closure owns
/// the mathematics: it computes the loss, takes gradients and steps the optimizer, and returns the metrics to log.
/// Everything random in a step must come from `step.generator` (dropout, sampling) or `step.epochOrder(count:)`
/// (data order); then "train N steps" equals "train k steps, checkpoint, resume, train N − k steps" bit for bit,
/// because a checkpoint holds the parameters, the optimizer state and the ``TrainingState``.
/// After PyTorch Lightning's `Trainer` and Keras' `fit` callbacks.
///
/// ```swift
/// var generator = RandomGenerator(seed: 1)
/// let model = Linear(inputSize: 1, outputSize: 1, using: &generator)
/// let adam = Adam(model.parameters, learningRate: 0.1)
/// let xs = Tensor([[0], [1], [2], [3]]), ys = Tensor([[1], [3], [5], [7]])
/// let loop = TrainingLoop(
///     model: model, optimizer: adam,
///     configuration: TrainingConfiguration(totalSteps: 200, evaluationInterval: 50),
///     earlyStopping: EarlyStopping(metric: "loss", patience: 3, minDelta: 1e-6))
/// let summary = try loop.run { _ in
///     let loss = meanSquaredError(model(xs), ys)
///     adam.step(gradients(of: loss, wrt: model.parameterValues))
///     return ["loss": Double(loss.item)]
/// } evaluate: {
///     ["loss": Double(withoutGradients { meanSquaredError(model(xs), ys) }.item)]
/// }
/// print(summary.stopReason, summary.lastEvaluation ?? [:])
/// ```
public final class TrainingLoop {
    /// The model whose parameters are checkpointed.
    public let model: any ParameterContainer
    /// The optimizer whose state is checkpointed (the step closure calls it).
    public let optimizer: (any Optimizer)?
    /// Steps, intervals and files.
    public let configuration: TrainingConfiguration
    /// The run's state; replaced by ``resume(from:)``.
    public internal(set) var state: TrainingState
    /// Where metrics records go; `nil` logs nothing.
    public var metricsLogger: MetricsLogger?
    /// The terminal progress line; by default shown only when standard error is a terminal.
    public var progress: ProgressReporter?
    /// When set, the optimizer's learning rate is set to `schedule.learningRate(atStep: index)` before each step
    /// (0-based index), and the `"train"` records carry it as the metric `learning_rate`.
    public let learningRateSchedule: (any LearningRateSchedule)?
    /// Called after every checkpoint the loop writes to ``TrainingConfiguration/checkpointURL`` (e.g. to write the
    /// model directory's weights and manifest beside the training state).
    public var didSaveCheckpoint: (() throws -> Void)?
    /// Data-parallel training: set, ``run(step:evaluate:)`` starts every replica from replica 0's parameters,
    /// optimizer state and training state, averages each step's metrics over the replicas, and only replica 0
    /// logs metrics, shows progress and writes checkpoints. The step closure must average its gradients with
    /// ``TrainingStep/averageAcrossReplicas(_:weight:)``.
    public var synchronizer: (any GradientSynchronizer)?
    /// Whether this process writes metrics, progress and checkpoints (every run but replicas 1, 2, … of a
    /// data-parallel one).
    public var isWritingReplica: Bool { (synchronizer?.shard.index ?? 0) == 0 }
    private let clock: () -> Double

    /// A loop over `model` and `optimizer`, starting at step 0 with a generator seeded by `configuration.seed`.
    /// `clock` (seconds) times the run for the `wall_time` of metrics records.
    public init(
        model: any ParameterContainer, optimizer: (any Optimizer)?, configuration: TrainingConfiguration,
        earlyStopping: EarlyStopping? = nil, learningRateSchedule: (any LearningRateSchedule)? = nil,
        metricsLogger: MetricsLogger? = nil, progress: ProgressReporter? = nil,
        clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        precondition(
            learningRateSchedule == nil || optimizer != nil, "TrainingLoop: a learning-rate schedule needs an optimizer"
        )
        self.model = model
        self.optimizer = optimizer
        self.configuration = configuration
        self.state = TrainingState(seed: configuration.seed, earlyStopping: earlyStopping)
        self.learningRateSchedule = learningRateSchedule
        self.metricsLogger = metricsLogger
        self.progress = progress ?? ProgressReporter(totalSteps: configuration.totalSteps)
        self.clock = clock
    }

    /// The epoch of the 0-based step `index`.
    public func epoch(ofStep index: Int) -> Int { configuration.stepsPerEpoch.map { index / $0 } ?? 0 }

    /// Runs steps until ``TrainingConfiguration/totalSteps`` are done, early stopping fires, or a metric becomes
    /// non-finite.
    ///
    /// After step `s` (1-based count of steps done) it logs a `"train"` record when `s` is a multiple of
    /// `logInterval`; evaluates when `s` is a multiple of `evaluationInterval` (logging an `"eval"` record and
    /// updating early stopping, and saving the best model when it improved); saves a checkpoint when `s` is a
    /// multiple of `checkpointInterval`. The last step always logs, evaluates and checkpoints (as configured); a run
    /// stopped by a non-finite metric logs that step but does not overwrite the last checkpoint.
    /// `evaluate` should not draw from the training generator (it gets none), so evaluating does not change
    /// training; wrap its forward passes in `withoutGradients`. In data-parallel training only replica 0 calls
    /// `evaluate`; the other replicas receive its metrics. Early stopping requires `evaluate` and an
    /// `evaluationInterval` (precondition).
    @discardableResult
    public func run(
        step: (inout TrainingStep) throws -> [String: Double],
        evaluate: (() throws -> [String: Double])? = nil
    ) throws -> TrainingSummary {
        if state.earlyStopping != nil {
            precondition(
                evaluate != nil && configuration.evaluationInterval != nil,
                "TrainingLoop.run: early stopping needs an evaluate closure and an evaluationInterval")
        }
        if let synchronizer, synchronizer.shard.count > 1 { try startFromFirstReplica(synchronizer) }
        let writes = isWritingReplica
        let sessionStart = clock()
        let elapsedBefore = state.elapsedSeconds
        func wallTime() -> Double { elapsedBefore + (clock() - sessionStart) }
        var lastMetrics: [String: Double] = [:]
        var lastEvaluation: [String: Double]?
        var stopReason = TrainingSummary.StopReason.completed
        if let stopping = state.earlyStopping, stopping.evaluationsWithoutImprovement >= stopping.patience {
            stopReason = .earlyStopped
        }
        defer { if writes { progress?.finish() } }
        while stopReason == .completed && state.step < configuration.totalSteps {
            let index = state.step
            let epoch = epoch(ofStep: index)
            var context = TrainingStep(
                index: index, epoch: epoch, indexInEpoch: configuration.stepsPerEpoch.map { index % $0 } ?? index,
                generator: state.generator, seed: state.seed, synchronizer: synchronizer)
            var learningRate: Float?
            if let learningRateSchedule, let optimizer {
                learningRate = learningRateSchedule.learningRate(atStep: index)
                optimizer.learningRate = learningRate ?? optimizer.learningRate
            }
            var metrics = try step(&context)
            if let synchronizer, synchronizer.shard.count > 1 {
                precondition(
                    context.replicaWeight != nil,
                    "TrainingLoop: a data-parallel step must average its gradients with averageAcrossReplicas")
                metrics = try synchronizer.averageMetrics(metrics, weight: context.replicaWeight ?? 1)
            }
            // The Float's shortest decimal (0.05, not 0.05000000074505806) reads better in logs.
            if let learningRate { metrics["learning_rate"] = Double("\(learningRate)") ?? Double(learningRate) }
            state.generator = context.generator
            state.step += 1
            state.elapsedSeconds = wallTime()
            lastMetrics = metrics
            let isLast = state.step == configuration.totalSteps
            if let bad = metrics.keys.sorted().first(where: { !(metrics[$0] ?? 0).isFinite }),
                configuration.stopOnNonFiniteMetric
            {
                stopReason = .nonFiniteMetric(bad)
            }
            let stopping = stopReason != .completed
            if writes, state.step % configuration.logInterval == 0 || isLast || stopping {
                try metricsLogger?.log(
                    MetricsRecord(
                        phase: "train", step: state.step, epoch: epoch, wallTime: state.elapsedSeconds,
                        metrics: metrics))
            }
            if writes { progress?.update(step: state.step, epoch: epoch, metrics: metrics) }
            if let interval = configuration.evaluationInterval, let evaluate, !stopping,
                state.step % interval == 0 || isLast
            {
                // Data-parallel: replica 0 evaluates, the others receive its metrics (same early-stopping state).
                var evaluation = writes ? try evaluate() : [:]
                if let synchronizer, synchronizer.shard.count > 1 {
                    evaluation = try synchronizer.broadcastFromFirstReplica(evaluation)
                }
                lastEvaluation = evaluation
                if writes {
                    try metricsLogger?.log(
                        MetricsRecord(
                            phase: "eval", step: state.step, epoch: epoch, wallTime: wallTime(), metrics: evaluation))
                }
                if var earlyStopping = state.earlyStopping {
                    let value = evaluation[earlyStopping.metric]
                    precondition(
                        value != nil,
                        "TrainingLoop: evaluation returned no '\(earlyStopping.metric)' for early stopping "
                            + "(got \(evaluation.keys.sorted()))")
                    let decision = earlyStopping.update(value: value ?? .nan, step: state.step)
                    state.earlyStopping = earlyStopping
                    if decision == .improved, writes, let url = configuration.bestCheckpointURL {
                        try saveCheckpoint(to: url)
                    }
                    if decision == .stop { stopReason = .earlyStopped }
                }
            }
            // A diverged run keeps its last good checkpoint.
            let diverged = if case .nonFiniteMetric = stopReason { true } else { false }
            if writes, let url = configuration.checkpointURL, !diverged,
                isLast || stopReason == .earlyStopped
                    || configuration.checkpointInterval.map({ state.step % $0 == 0 }) ?? false
            {
                state.elapsedSeconds = wallTime()
                try saveCheckpoint(to: url)
                try didSaveCheckpoint?()
            }
        }
        if let synchronizer { try synchronizer.verifyIdenticalParameters(model.parameterValues) }
        return TrainingSummary(
            stopReason: stopReason, steps: state.step, lastMetrics: lastMetrics, lastEvaluation: lastEvaluation,
            earlyStopping: state.earlyStopping)
    }

    /// Replaces this replica's parameters, optimizer state and training state by replica 0's (sent as the bytes
    /// of a checkpoint), so every replica starts identical whether replica 0 starts fresh or resumed.
    private func startFromFirstReplica(_ synchronizer: any GradientSynchronizer) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "montague-replica-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var bytes: [UInt8] = []
        if synchronizer.shard.index == 0 {
            try saveCheckpoint(to: scratch)
            bytes = Array(try Data(contentsOf: scratch))
        }
        let received = try synchronizer.broadcastFromFirstReplica(bytes)
        if synchronizer.shard.index != 0 {
            try Data(received).write(to: scratch)
            try resume(from: scratch)
        }
    }
}
