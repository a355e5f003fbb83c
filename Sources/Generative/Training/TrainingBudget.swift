import Foundation

/// When a training run stops and how often it saves: a step budget, a wall-clock budget, or both (whichever comes
/// first), and a checkpoint every `checkpointInterval` steps.
public struct TrainingBudget: Sendable, Equatable {
    /// Total updates (counting those of a resumed run); nil: only the time limit.
    public var steps: Int?
    /// Seconds of this invocation; nil: only the step budget.
    public var seconds: Double?
    /// Steps between checkpoints.
    public var checkpointInterval: Int
    /// Steps between metrics records.
    public var logInterval: Int

    /// A budget; at least one of `steps` and `seconds` must be given.
    public init(steps: Int?, seconds: Double? = nil, checkpointInterval: Int = 1000, logInterval: Int = 50) {
        precondition(steps != nil || seconds != nil, "TrainingBudget: give steps or seconds")
        self.steps = steps
        self.seconds = seconds
        self.checkpointInterval = Swift.max(checkpointInterval, 1)
        self.logInterval = Swift.max(logInterval, 1)
    }

    /// Whether a run at `step`, started at uptime `start`, should stop.
    func isExhausted(step: Int, start: Double) -> Bool {
        if let steps, step >= steps { return true }
        if let seconds, ProcessInfo.processInfo.systemUptime - start >= seconds { return true }
        return false
    }
}
