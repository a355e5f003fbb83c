/// Cross-entropy between logits and class indices, with PyTorch's `torch.nn.functional.cross_entropy` semantics
/// (no class weights): `ignore_index`, `label_smoothing`, `reduction`, and inputs `[N, C]`, `[N, C, d₁, …]` or `[C]`.
///
/// Per position with target `t` (not ignored) and smoothing `ε`, the target distribution is
/// ```
/// qₖ = (1 − ε)·[k = t] + ε / C
/// ℓ = −Σₖ qₖ · logSoftmax(logits)ₖ
/// ```
/// `.mean` divides the sum by the number of non-ignored positions (NaN when every position is ignored, as in
/// PyTorch); `.none` returns `[N, d₁, …]` (or a scalar for `[C]` logits) with 0 at ignored positions.
///
/// The distribution `q` is a constant tensor and `logSoftmax` is differentiable to any order, so the loss is too.
///
/// - Parameters:
///   - logits: unnormalized scores, classes on axis 1 (axis 0 for rank 1).
///   - targets: one class index per position, in the row-major order of `[N, d₁, …]`.
///   - ignoreIndex: positions whose target equals it contribute nothing (PyTorch's `ignore_index`).
///   - labelSmoothing: `ε` in `[0, 1]`.
///   - reduction: `.mean` (default), `.sum` or `.none`.
public func crossEntropy(
    logits: Tensor, targets: [Int], ignoreIndex: Int? = nil, labelSmoothing: Float = 0,
    reduction: LossReduction = .mean
) -> Tensor {
    precondition(logits.rank >= 1,
                 "crossEntropy: logits need rank ≥ 1 ([N, C, …] or [C]), got shape \(logits.shape)")
    precondition((0...1).contains(labelSmoothing),
                 "crossEntropy: labelSmoothing \(labelSmoothing) not in [0, 1] (logits \(logits.shape))")
    if logits.rank == 1 {
        let batched = crossEntropy(
            logits: logits.reshaped([1, logits.shape[0]]), targets: targets, ignoreIndex: ignoreIndex,
            labelSmoothing: labelSmoothing, reduction: reduction)
        return reduction == .none ? batched.reshaped([]) : batched
    }
    let batch = logits.shape[0]
    let classes = logits.shape[1]
    let inner = logits.shape[2...].reduce(1, *)
    precondition(targets.count == batch * inner,
                 "crossEntropy: \(targets.count) targets for logits of shape \(logits.shape) "
                 + "(needs N·d₁·… = \(batch * inner))")
    let offValue = labelSmoothing / Float(classes)
    let distribution = Tensor(
        shape: logits.shape,
        scalars: ClassDistribution.scalars(
            indices: targets, outer: batch, classes: classes, inner: inner,
            onValue: 1 - labelSmoothing + offValue, offValue: offValue, ignoreIndex: ignoreIndex,
            op: "crossEntropy", shape: logits.shape))
    let losses = -(distribution * logits.logSoftmax(axis: 1)).sum(axis: 1)
    switch reduction {
    case .none:
        return losses
    case .sum:
        return losses.sum()
    case .mean:
        let counted = ignoreIndex.map { ignored in targets.reduce(0) { $0 + ($1 == ignored ? 0 : 1) } }
            ?? targets.count
        return losses.sum() / Float(counted)
    }
}
