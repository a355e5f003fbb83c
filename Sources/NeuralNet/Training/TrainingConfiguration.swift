import Foundation

/// How long a ``TrainingLoop`` runs and how often it logs, evaluates and checkpoints.
public struct TrainingConfiguration: Sendable, Equatable {
    /// Total optimizer steps of the run (a resumed run continues up to the same total).
    public var totalSteps: Int
    /// Steps per epoch (e.g. the number of batches); `nil` for a run without epochs (epoch always 0).
    public var stepsPerEpoch: Int?
    /// Seed of the run's generator (ignored when resuming: the checkpoint's seed and generator are used).
    public var seed: UInt64
    /// Write a `"train"` metrics record every this many steps (and at the last step).
    public var logInterval: Int
    /// Evaluate every this many steps (and at the last step); `nil` never evaluates.
    public var evaluationInterval: Int?
    /// Save a checkpoint every this many steps (and when the run stops) to ``checkpointURL``.
    public var checkpointInterval: Int?
    /// Where periodic checkpoints go (overwritten atomically each time); `nil` for none.
    public var checkpointURL: URL?
    /// Where to save the model whenever the early-stopping metric improves; `nil` for none.
    public var bestCheckpointURL: URL?
    /// Stop when a step returns a NaN or infinite metric (the run is diverging).
    public var stopOnNonFiniteMetric: Bool

    /// A configuration; by default it logs every step and never evaluates or checkpoints.
    public init(
        totalSteps: Int, stepsPerEpoch: Int? = nil, seed: UInt64 = 0, logInterval: Int = 1,
        evaluationInterval: Int? = nil, checkpointInterval: Int? = nil, checkpointURL: URL? = nil,
        bestCheckpointURL: URL? = nil, stopOnNonFiniteMetric: Bool = true
    ) {
        precondition(totalSteps >= 0, "TrainingConfiguration: totalSteps \(totalSteps) must not be negative")
        precondition(stepsPerEpoch.map { $0 > 0 } ?? true, "TrainingConfiguration: stepsPerEpoch must be positive")
        precondition(logInterval > 0, "TrainingConfiguration: logInterval \(logInterval) must be positive")
        precondition(
            evaluationInterval.map { $0 > 0 } ?? true, "TrainingConfiguration: evaluationInterval must be positive")
        precondition(
            checkpointInterval.map { $0 > 0 } ?? true, "TrainingConfiguration: checkpointInterval must be positive")
        self.totalSteps = totalSteps
        self.stepsPerEpoch = stepsPerEpoch
        self.seed = seed
        self.logInterval = logInterval
        self.evaluationInterval = evaluationInterval
        self.checkpointInterval = checkpointInterval
        self.checkpointURL = checkpointURL
        self.bestCheckpointURL = bestCheckpointURL
        self.stopOnNonFiniteMetric = stopOnNonFiniteMetric
    }
}

/// How a ``TrainingLoop/run(step:evaluate:)`` ended.
public struct TrainingSummary: Sendable, Equatable {
    /// Why the run stopped.
    public enum StopReason: Sendable, Equatable {
        /// All ``TrainingConfiguration/totalSteps`` were done.
        case completed
        /// The early-stopping metric did not improve for `patience` evaluations.
        case earlyStopped
        /// A step returned a NaN or infinite value for this metric.
        case nonFiniteMetric(String)
    }

    /// Why the run stopped.
    public let stopReason: StopReason
    /// Steps done in total (including those before a resume).
    public let steps: Int
    /// The metrics of the last step run in this session (empty when none ran).
    public let lastMetrics: [String: Double]
    /// The last evaluation's metrics, if any ran in this session.
    public let lastEvaluation: [String: Double]?
    /// Early-stopping state at the end (best value and its step).
    public let earlyStopping: EarlyStopping?

    /// A summary (the loop makes these; public for drivers that end a run themselves, e.g. on a time limit).
    public init(
        stopReason: StopReason, steps: Int, lastMetrics: [String: Double], lastEvaluation: [String: Double]?,
        earlyStopping: EarlyStopping?
    ) {
        self.stopReason = stopReason
        self.steps = steps
        self.lastMetrics = lastMetrics
        self.lastEvaluation = lastEvaluation
        self.earlyStopping = earlyStopping
    }
}
