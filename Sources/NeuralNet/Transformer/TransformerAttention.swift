import Autodiff

/// Projected keys and values of one attention layer, split into heads: `[B, h, T, d]` each. A decoder's
/// self-attention cache grows by one position per step; a cross-attention cache is computed once from the memory.
public struct AttentionKeysValues {
    /// Keys `[B, h, T, d]` (rotated, under rotary position embedding).
    public var keys: Tensor
    /// Values `[B, h, T, d]`.
    public var values: Tensor

    /// Number of positions T.
    public var length: Int { keys.shape[2] }

    /// Rows `rows` of the batch (for beam search).
    public func selectingRows(_ rows: IndexTensor) -> AttentionKeysValues {
        AttentionKeysValues(
            keys: keys.indexSelect(axis: 0, indices: rows), values: values.indexSelect(axis: 0, indices: rows))
    }

    /// These positions followed by `other`'s.
    public func appending(_ other: AttentionKeysValues) -> AttentionKeysValues {
        AttentionKeysValues(
            keys: Tensor.concatenate([keys, other.keys], axis: 2),
            values: Tensor.concatenate([values, other.values], axis: 2))
    }
}

extension MultiHeadAttention {
    /// `[B, T, D]` → `[B, h, T, d]`.
    func splitHeads(_ x: Tensor) -> Tensor {
        x.reshaped([x.shape[0], x.shape[1], headCount, modelSize / headCount]).permuted([0, 2, 1, 3])
    }

    /// Keys and values of `x [B, T, D]` (positions `offset …`), split into heads and, with `rotary`, rotated.
    public func keysValues(_ x: Tensor, rotary: RotaryPositionalEmbedding? = nil, offset: Int = 0)
        -> AttentionKeysValues
    {
        var keys = splitHeads(key(x))
        if let rotary { keys = rotary(keys, offset: offset) }
        return AttentionKeysValues(keys: keys, values: splitHeads(value(x)))
    }

    /// Multi-head attention of `queries [B, Tq, D]` (positions `offset …`) over already projected keys and values;
    /// `mask` (nonzero = not attended) is `[Tq, Tk]`, `[B, 1 or Tq, Tk]` or rank 4; `attentionDropout` applies to
    /// the weights in training (as PyTorch does). Returns `[B, Tq, D]`.
    public func attend(
        queries: Tensor, keysValues: AttentionKeysValues, mask: Tensor?, rotary: RotaryPositionalEmbedding? = nil,
        offset: Int = 0, attentionDropout: Float = 0, dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        precondition(
            queries.rank == 3 && queries.shape[2] == modelSize && keysValues.keys.shape[0] == queries.shape[0],
            "MultiHeadAttention.attend: queries \(queries.shape) do not match keys \(keysValues.keys.shape)")
        let (batch, queryCount) = (queries.shape[0], queries.shape[1])
        let headSize = modelSize / headCount
        var q = splitHeads(query(queries))
        if let rotary { q = rotary(q, offset: offset) }
        let scores = Tensor.matmul(q, keysValues.keys, transposeB: true) * (1 / Float(headSize).squareRoot())
        var weights = maskedSoftmax(scores, mask: mask.map(TransformerMask.perHead))
        weights = transformerDropout(weights, attentionDropout, &generator)
        let context = Tensor.matmul(weights, keysValues.values).permuted([0, 2, 1, 3])
        return output(context.reshaped([batch, queryCount, modelSize]))
    }
}
