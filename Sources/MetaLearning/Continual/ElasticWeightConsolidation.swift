import Autodiff

/// A quadratic pull of the parameters toward an anchor, weighted per scalar:
/// `(λ/2) Σᵢ Fᵢ (θᵢ − θᵢ*)²`. With F the diagonal Fisher of an earlier task it is Elastic Weight Consolidation's
/// penalty (Kirkpatrick et al., "Overcoming catastrophic forgetting in neural networks", PNAS 2017, eq. 3); with
/// F = 1 it is plain L2 regularization toward the previous parameters.
public struct QuadraticAnchor: Sendable {
    /// θ*, one tensor per parameter.
    public var anchor: [Tensor]
    /// F, the per-scalar importance (same shapes).
    public var importance: [Tensor]

    /// An anchor at `anchor` with importance `importance`.
    public init(anchor: [Tensor], importance: [Tensor]) {
        precondition(
            anchor.count == importance.count && zip(anchor, importance).allSatisfy { $0.shape == $1.shape },
            "QuadraticAnchor: anchor and importance shapes differ")
        self.anchor = anchor.map { $0.detached() }
        self.importance = importance.map { $0.detached() }
    }

    /// `(λ/2) Σᵢ Fᵢ (θᵢ − θᵢ*)²` at `parameters` (differentiable in the parameters).
    public func penalty(_ parameters: [Tensor], strength lambda: Float) -> Tensor {
        precondition(parameters.count == anchor.count, "QuadraticAnchor.penalty: \(parameters.count) parameters")
        var total: Tensor? = nil
        for ((theta, star), weight) in zip(zip(parameters, anchor), importance) {
            let difference = theta - star
            let term = (weight * difference * difference).sum()
            total = total.map { $0 + term } ?? term
        }
        return (total ?? Tensor(0)) * (lambda / 2)
    }
}

/// How a continual learner protects earlier tasks.
public enum ContinualMethod: String, Codable, Sendable, CaseIterable {
    /// EWC with one Fisher penalty per earlier task (Kirkpatrick et al. 2017).
    case ewc
    /// Online EWC: one running Fisher F ← γF + F_t anchored at the latest parameters (Schwarz et al., "Progress &
    /// Compress", ICML 2018).
    case onlineEWC = "online-ewc"
    /// Plain fine-tuning on each task in turn (no protection: the lower bound).
    case fineTuning = "fine-tune"
    /// L2 toward the parameters after the previous task (every weight equally important).
    case l2
    /// Training on the union of all tasks seen so far (the upper bound).
    case multitask
}

/// Protection state across tasks: the penalties a continual learner adds to the new task's loss.
public struct ContinualRegularizer: Sendable {
    /// The method.
    public let method: ContinualMethod
    /// λ.
    public let strength: Float
    /// γ, the decay of online EWC's running Fisher.
    public let decay: Float
    /// The anchors in force.
    public private(set) var anchors: [QuadraticAnchor] = []

    /// A regularizer with no earlier tasks.
    public init(method: ContinualMethod, strength: Float, decay: Float = 1) {
        self.method = method
        self.strength = strength
        self.decay = decay
    }

    /// The penalty at `parameters` (zero before the first consolidation, and for fine-tuning and multitask).
    public func penalty(_ parameters: [Tensor]) -> Tensor? {
        guard !anchors.isEmpty else { return nil }
        var total: Tensor? = nil
        for anchor in anchors {
            let term = anchor.penalty(parameters, strength: strength)
            total = total.map { $0 + term } ?? term
        }
        return total
    }

    /// Records the end of a task: the parameters reached and (for EWC) that task's diagonal Fisher.
    public mutating func consolidate(parameters: [Tensor], fisher: [Tensor]?) {
        switch method {
        case .fineTuning, .multitask:
            return
        case .l2:
            anchors = [QuadraticAnchor(anchor: parameters, importance: parameters.map { Tensor.ones($0.shape) })]
        case .ewc:
            guard let fisher else { preconditionFailure("ContinualRegularizer: EWC needs the task's Fisher") }
            anchors.append(QuadraticAnchor(anchor: parameters, importance: fisher))
        case .onlineEWC:
            guard let fisher else { preconditionFailure("ContinualRegularizer: online EWC needs the task's Fisher") }
            let running =
                anchors.first.map { previous in zip(previous.importance, fisher).map { $0 * decay + $1 } } ?? fisher
            anchors = [QuadraticAnchor(anchor: parameters, importance: running)]
        }
    }

    /// Replaces the anchors (restoring a saved run).
    public mutating func restore(anchors: [QuadraticAnchor]) { self.anchors = anchors }

    /// Whether the method needs a Fisher estimate after each task.
    public var needsFisher: Bool { method == .ewc || method == .onlineEWC }
}
