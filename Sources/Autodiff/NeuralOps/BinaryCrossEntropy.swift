import Foundation

/// Binary cross-entropy on logits, PyTorch's `binary_cross_entropy_with_logits` (no weights): numerically stable for
/// any logit magnitude.
///
/// ```
/// ℓ(x, t) = −t·log σ(x) − (1 − t)·log(1 − σ(x)) = softplus(x) − x·t
///         = max(x, 0) − x·t + log(1 + e^{−|x|})
/// ```
/// `logits` and `targets` have the same shape; `targets` (usually in `[0, 1]`) may require gradients too.
/// Differentiable to any order through a stable softplus whose derivative is the logistic function.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, reduction: LossReduction = .mean) -> Tensor {
    precondition(
        logits.shape == targets.shape,
        "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ in shape")
    return reduction.apply(logits.binaryCrossEntropySoftplus() - logits * targets)
}

extension Tensor {
    /// Stable `softplus(x) = log(1 + eˣ) = max(x, 0) + log(1 + e^{−|x|})`; d/dx = σ(x). Private to this loss.
    fileprivate func binaryCrossEntropySoftplus() -> Tensor {
        elementwise(
            "binaryCrossEntropySoftplus",
            { x in
                Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
            },
            backward: { g, x, _ in g * x.binaryCrossEntropyLogistic() })
    }

    /// Stable logistic `σ(x) = 1 / (1 + e^{−x})`; d/dx = σ(1 − σ) (from the output). Private to this loss.
    fileprivate func binaryCrossEntropyLogistic() -> Tensor {
        elementwise(
            "binaryCrossEntropyLogistic",
            { x in
                if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
                let e = Foundation.exp(x)
                return e / (1 + e)
            },
            backward: { g, _, y in g * y * (1 - y) })
    }
}
