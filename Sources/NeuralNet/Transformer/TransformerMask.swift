import Autodiff

/// Attention masks for Transformer layers (Vaswani et al. 2017, §3.2.3): nonzero entries are *not* attended, the
/// convention of ``MultiHeadAttention`` and of PyTorch's boolean masks.
public enum TransformerMask {
    /// `[queryCount, keyCount]`, nonzero where key `j` lies in the future of query `i`: the queries are the last
    /// `queryCount` of `keyCount` positions, so query `i` sits at `keyCount − queryCount + i` and sees keys up to it.
    public static func causal(queryCount: Int, keyCount: Int) -> Tensor {
        precondition(
            queryCount > 0 && keyCount >= queryCount,
            "TransformerMask.causal: \(queryCount) queries over \(keyCount) keys")
        let offset = keyCount - queryCount
        var scalars = [Float](repeating: 0, count: queryCount * keyCount)
        for i in 0..<queryCount {
            for j in (offset + i + 1)..<max(offset + i + 1, keyCount) { scalars[i * keyCount + j] = 1 }
        }
        return Tensor(shape: [queryCount, keyCount], scalars: scalars)
    }

    /// `[B, 1, length]`, nonzero at positions `≥ lengths[b]` (padding keys), or `nil` when nothing is padded.
    public static func padding(lengths: [Int], length: Int) -> Tensor? {
        precondition(
            lengths.allSatisfy { (0...length).contains($0) },
            "TransformerMask.padding: lengths \(lengths) exceed \(length)")
        guard lengths.contains(where: { $0 < length }) else { return nil }
        var scalars = [Float](repeating: 0, count: lengths.count * length)
        for (b, count) in lengths.enumerated() { for t in count..<length { scalars[b * length + t] = 1 } }
        return Tensor(shape: [lengths.count, 1, length], scalars: scalars)
    }

    /// The union of two masks (broadcast), or whichever is present.
    public static func union(_ a: Tensor?, _ b: Tensor?) -> Tensor? {
        guard let a else { return b }
        guard let b else { return a }
        return (a + b).greater(than: 0)
    }

    /// `mask` as rank 4, broadcasting over heads: `[Tq, Tk]` → `[1, 1, Tq, Tk]`, `[B, Tq, Tk]` → `[B, 1, Tq, Tk]`.
    static func perHead(_ mask: Tensor) -> Tensor {
        switch mask.rank {
        case 2: mask.reshaped([1, 1, mask.shape[0], mask.shape[1]])
        case 3: mask.unsqueezed(axis: 1)
        default: mask
        }
    }
}

/// Dropout when a generator is given (training) and `probability > 0`; the identity otherwise.
@inline(__always) func transformerDropout(_ x: Tensor, _ probability: Float, _ generator: inout RandomGenerator?)
    -> Tensor
{
    guard probability > 0, var random = generator else { return x }
    let result = x.dropout(probability: probability, training: true, using: &random)
    generator = random
    return result
}
