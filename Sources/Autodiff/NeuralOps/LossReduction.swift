/// How a loss combines its per-element values, as PyTorch's `reduction=` argument.
public enum LossReduction: Sendable, Hashable {
    /// The mean over elements (PyTorch's default); cross-entropy averages over non-ignored targets only.
    case mean
    /// The sum over elements.
    case sum
    /// No reduction: the per-element losses.
    case none

    /// Applies the reduction to per-element losses.
    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: losses.mean()
        case .sum: losses.sum()
        case .none: losses
        }
    }
}
