import Autodiff

/// What an attention layer returns: the weighted sum of values and the weights themselves.
public struct AttentionOutput {
    /// `Σ_k weights[…, q, k] · values[…, k, :]`, shape `[B, Tq, Dv]` (`[B, Tq, D]` for multi-head).
    public let context: Tensor
    /// Softmax-normalised scores over the keys, shape `[B, Tq, Tk]` (`[B, heads, Tq, Tk]` for multi-head).
    public let weights: Tensor
}

/// Softmax over the last axis of `scores` after setting masked positions to −∞, so they get exactly zero weight.
///
/// `mask` broadcasts to `scores.shape`; a nonzero entry marks a position that may NOT be attended (PyTorch's boolean
/// `attn_mask` convention). A row with every position masked gives NaN, as in PyTorch.
public func maskedSoftmax(_ scores: Tensor, mask: Tensor?) -> Tensor {
    guard let mask else { return scores.softmax(axis: -1) }
    return scores.maskedFill(mask, with: -Float.infinity).softmax(axis: -1)
}

/// Attention with precomputed `scores [B, Tq, Tk]` over `values [B, Tk, Dv]`.
func attend(scores: Tensor, values: Tensor, mask: Tensor?) -> AttentionOutput {
    precondition(
        values.rank == 3 && scores.rank == 3 && values.shape[0] == scores.shape[0]
            && values.shape[1] == scores.shape[2],
        "attention: scores \(scores.shape) do not match values \(values.shape) ([B, Tq, Tk] and [B, Tk, Dv])")
    let weights = maskedSoftmax(scores, mask: mask)
    return AttentionOutput(context: Tensor.matmul(weights, values), weights: weights)
}
