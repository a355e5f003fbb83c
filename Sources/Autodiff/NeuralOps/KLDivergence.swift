/// Kullback–Leibler divergence between diagonal Gaussians, the regularizer of variational autoencoders
/// (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014, appendix B).
///
/// For `q = N(μ₁, diag σ₁²)` and `p = N(μ₂, diag σ₂²)` given as means and log-variances (last axis = latent
/// dimensions; operands broadcast, e.g. a prior of shape `[D]`):
/// ```
/// KL(q ‖ p) = ½ Σ_d [ log σ₂² − log σ₁² + (σ₁² + (μ₁ − μ₂)²) / σ₂² − 1 ]
/// ```
/// The sum runs over the last axis, giving one divergence per sample (shape `[N]` for `[N, D]` inputs); `reduction`
/// then combines the samples: `.mean` (default) averages over the batch, `.sum` adds, `.none` returns `[N]`.
public func klDivergenceDiagonalGaussians(
    mean1: Tensor, logVariance1: Tensor, mean2: Tensor, logVariance2: Tensor, reduction: LossReduction = .mean
) -> Tensor {
    let operands = [mean1, logVariance1, mean2, logVariance2]
    let shape = operands.dropFirst().reduce(Optional(mean1.shape)) { partial, operand in
        partial.flatMap { Broadcasting.shape($0, operand.shape) }
    }
    guard let shape, !shape.isEmpty else {  // checked up front for a message naming the op
        preconditionFailure(
            "klDivergenceDiagonalGaussians: shapes \(operands.map(\.shape)) do not broadcast "
                + "to a rank ≥ 1 shape")
    }
    let difference = mean1 - mean2
    let terms = logVariance2 - logVariance1 + ((logVariance1.exp() + difference * difference) / logVariance2.exp()) - 1
    return reduction.apply((terms * 0.5).sum(axis: -1))
}

/// The VAE form against the standard normal prior `N(0, I)` (Kingma & Welling 2014, appendix B):
/// ```
/// KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σ_d (1 + log σ² − μ² − σ²)
/// ```
/// summed over the last axis (latent dimensions), then reduced over the batch by `reduction` (`.mean` by default, so
/// `[N, D]` inputs give the batch mean of per-sample sums, the usual VAE loss term).
public func klDivergenceFromStandardNormal(
    mean: Tensor, logVariance: Tensor, reduction: LossReduction = .mean
) -> Tensor {
    precondition(
        mean.shape == logVariance.shape && mean.rank >= 1,
        "klDivergenceFromStandardNormal: mean \(mean.shape) and logVariance \(logVariance.shape) must have "
            + "the same rank ≥ 1 shape")
    let terms = 1 + logVariance - mean * mean - logVariance.exp()
    return reduction.apply((terms * -0.5).sum(axis: -1))
}
