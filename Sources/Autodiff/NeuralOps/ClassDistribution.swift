/// Constant class distributions built from class indices: the targets of cross-entropy (one-hot, label-smoothed,
/// ignored positions), the selection of log-probabilities of sampled actions, the hard sample of Gumbel-softmax.
///
/// They are plain constant tensors: the ops that use them multiply them into differentiable expressions, so gradients
/// of any order flow through the other factor. Internal to the neural-network ops.
enum ClassDistribution {
    /// Scalars of a `[outer, classes, inner]` tensor: position `(o, i)` gets `onValue` at class `indices[o·inner + i]`
    /// and `offValue` at the other classes, or all zeros when its index equals `ignoreIndex`.
    ///
    /// Stops with a message naming `op` and `shape` when an index is out of `0..<classes`.
    static func scalars(
        indices: [Int], outer: Int, classes: Int, inner: Int, onValue: Float = 1, offValue: Float = 0,
        ignoreIndex: Int? = nil, op: String, shape: [Int]
    ) -> [Float] {
        precondition(
            indices.count == outer * inner,
            "\(op): \(indices.count) class indices for shape \(shape) (needs \(outer * inner))")
        let count = outer * classes * inner
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            for o in 0..<outer {
                for i in 0..<inner {
                    let index = indices[o * inner + i]
                    let base = o * classes * inner + i
                    if let ignoreIndex, index == ignoreIndex {
                        for c in 0..<classes { out[base + c * inner] = 0 }
                        continue
                    }
                    precondition(
                        index >= 0 && index < classes,
                        "\(op): class index \(index) out of range 0..<\(classes) for shape \(shape)")
                    for c in 0..<classes { out[base + c * inner] = offValue }
                    out[base + index * inner] = onValue
                }
            }
        }
    }

    /// The index of the largest value along the middle axis of `x` viewed as `[outer, extent, inner]`, for each
    /// `(o, i)` in row-major order; the first one on ties (as `torch.argmax`).
    static func argmax(_ x: [Float], outer: Int, extent: Int, inner: Int) -> [Int] {
        var result = [Int](repeating: 0, count: outer * inner)
        x.withUnsafeBufferPointer { px in
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * extent * inner + i
                    var best = 0
                    var bestValue = -Float.infinity
                    for k in 0..<extent where px[base + k * inner] > bestValue || px[base + k * inner].isNaN {
                        best = k
                        bestValue = px[base + k * inner]
                        if bestValue.isNaN { break }
                    }
                    result[o * inner + i] = best
                }
            }
        }
        return result
    }
}
