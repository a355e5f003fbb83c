/// Early stopping on an evaluation metric: stop when it has not improved by more than `minDelta` for `patience`
/// evaluations in a row.
///
/// Follows Keras' `EarlyStopping(monitor, min_delta, patience, mode)` and Prechelt, "Early Stopping — But When?"
/// (Neural Networks: Tricks of the Trade, 1998). With mode `.minimize` a value `v` improves on the best `b` when
/// `v < b − minDelta`; with `.maximize` when `v > b + minDelta`. The first finite value always improves. A NaN
/// never improves. The state (best value, its step, evaluations without improvement) is a value type and is
/// saved in training checkpoints, so a resumed run stops at exactly the same evaluation.
///
/// ```swift
/// var stopping = EarlyStopping(metric: "loss", patience: 2, minDelta: 0.01, mode: .minimize)
/// _ = stopping.update(value: 1.0, step: 10)   // .improved
/// _ = stopping.update(value: 0.995, step: 20) // .notImproved (not by more than 0.01)
/// _ = stopping.update(value: 0.999, step: 30) // .stop
/// ```
public struct EarlyStopping: Sendable, Equatable, Codable {
    /// Whether smaller or larger values of the metric are better.
    public enum Mode: String, Sendable, Equatable, Codable {
        /// Smaller is better (losses, perplexity).
        case minimize
        /// Larger is better (accuracy, BLEU).
        case maximize
    }

    /// What one evaluation means for the run.
    public enum Decision: Sendable, Equatable {
        /// The value is the new best.
        case improved
        /// No improvement, but patience is not exhausted.
        case notImproved
        /// No improvement for `patience` evaluations in a row: stop.
        case stop
    }

    /// Name of the evaluation metric watched (a key of the evaluation closure's result).
    public let metric: String
    /// Number of evaluations without improvement after which training stops (≥ 1).
    public let patience: Int
    /// Minimum change that counts as an improvement (≥ 0).
    public let minDelta: Double
    /// Whether smaller or larger is better.
    public let mode: Mode
    /// The best value seen so far, `nil` before the first finite value.
    public private(set) var best: Double?
    /// The training step at which ``best`` was seen.
    public private(set) var bestStep: Int?
    /// Evaluations in a row without improvement.
    public private(set) var evaluationsWithoutImprovement = 0

    /// Watches `metric`; stops after `patience` evaluations without an improvement larger than `minDelta`.
    public init(metric: String = "loss", patience: Int, minDelta: Double = 0, mode: Mode = .minimize) {
        precondition(patience >= 1, "EarlyStopping: patience \(patience) must be at least 1")
        precondition(minDelta >= 0 && minDelta.isFinite, "EarlyStopping: minDelta \(minDelta) must be finite, ≥ 0")
        self.metric = metric
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
    }

    /// Whether `value` improves on the best so far by more than ``minDelta``.
    public func isImprovement(_ value: Double) -> Bool {
        guard !value.isNaN else { return false }
        guard let best else { return value.isFinite }
        switch mode {
        case .minimize: return value < best - minDelta
        case .maximize: return value > best + minDelta
        }
    }

    /// Records the evaluation `value` taken at training step `step` and says whether to stop.
    public mutating func update(value: Double, step: Int) -> Decision {
        if isImprovement(value) {
            best = value
            bestStep = step
            evaluationsWithoutImprovement = 0
            return .improved
        }
        evaluationsWithoutImprovement += 1
        return evaluationsWithoutImprovement >= patience ? .stop : .notImproved
    }
}
