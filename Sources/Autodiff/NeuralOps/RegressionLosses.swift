/// Regression losses with PyTorch semantics: `mse_loss` and `l1_loss` (same shapes, no broadcasting).
///
/// Mean squared error: `ℓᵢ = (predictionᵢ − targetᵢ)²`, reduced by `reduction` (mean by default).
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    precondition(
        prediction.shape == target.shape,
        "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ in shape")
    let difference = prediction - target
    return reduction.apply(difference * difference)
}

/// Mean absolute error (PyTorch `l1_loss`): `ℓᵢ = |predictionᵢ − targetᵢ|`, reduced by `reduction` (mean by default).
/// The derivative at 0 is taken as 0, as PyTorch does.
public func l1Loss(_ prediction: Tensor, _ target: Tensor, reduction: LossReduction = .mean) -> Tensor {
    precondition(
        prediction.shape == target.shape,
        "l1Loss: prediction \(prediction.shape) and target \(target.shape) differ in shape")
    return reduction.apply((prediction - target).l1LossMagnitude())
}

extension Tensor {
    /// `|x|`; d/dx = sign(x) (0 at 0), a constant so the rule differentiates again. Private to `l1Loss`.
    fileprivate func l1LossMagnitude() -> Tensor {
        elementwise(
            "l1LossMagnitude", { Swift.abs($0) },
            backward: { g, x, _ in
                g * Tensor(shape: x.shape, scalars: Kernels.unary(x.scalars) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
            })
    }
}
