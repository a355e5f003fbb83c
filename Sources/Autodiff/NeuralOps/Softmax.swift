import Foundation

/// Softmax and log-softmax along one axis, each beside its backward rule.
///
/// Forward passes are raw kernels that subtract the maximum along the axis before exponentiating (so large logits do
/// not overflow); backward rules are written with differentiable tensor ops and the op's own output, so gradients of
/// gradients work (softmax's first-order backward pass over the last axis is one raw pass instead, see
/// ``Tensor/softmaxBackward(_:output:axis:)``).
extension Tensor {
    /// `softmax(x)ᵢ = exp(xᵢ − m) / Σⱼ exp(xⱼ − m)` along `axis` (with `m` the maximum along the axis).
    ///
    /// Backward, with `y` the output: `∂L/∂x = y ⊙ (g − Σ_axis(g ⊙ y))`. Follows PyTorch `torch.softmax(x, dim)`.
    public func softmax(axis: Int = -1) -> Tensor {
        precondition(rank >= 1, "softmax: needs rank ≥ 1, got shape \(shape)")
        let axis = normalizedAxis(axis, op: "softmax")
        let scalars = Tensor.softmaxRaw(scalars, shape: shape, axis: axis, logarithmic: false)
        return Tensor.recorded("softmax", shape: shape, scalars: scalars, inputs: [self]) { g, _, y in
            [Tensor.softmaxBackward(g, output: y, axis: axis)]
        }
    }

    /// `logSoftmax(x)ᵢ = xᵢ − m − log Σⱼ exp(xⱼ − m)` along `axis`.
    ///
    /// Backward, with `y` the output: `∂L/∂x = g − exp(y) ⊙ Σ_axis g` (`exp(y)` is the softmax, taken from the output
    /// so that the rule differentiates again). Follows PyTorch `torch.log_softmax(x, dim)`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        precondition(rank >= 1, "logSoftmax: needs rank ≥ 1, got shape \(shape)")
        let axis = normalizedAxis(axis, op: "logSoftmax")
        let scalars = Tensor.softmaxRaw(scalars, shape: shape, axis: axis, logarithmic: true)
        return Tensor.recorded("logSoftmax", shape: shape, scalars: scalars, inputs: [self]) { g, _, y in
            [g - y.exp() * g.sum(axis: axis, keepingDimensions: true)]
        }
    }

    /// The softmax backward product `y ⊙ (g − Σ_axis(g ⊙ y))` for the output `y`.
    ///
    /// When nothing is being recorded (ordinary first-order gradients) and the axis is the last one, one raw pass
    /// per row (``Kernels/softmaxBackwardRows(_:_:width:lanes:)``, AVX-512 / AVX2 when the processor has them) replaces the four
    /// tensor ops and their `[…, extent]` temporaries; when recording (`createGraph: true`) the product is built
    /// from differentiable ops, so the softmax differentiates to any order.
    static func softmaxBackward(_ g: Tensor, output y: Tensor, axis: Int) -> Tensor {
        let extent = y.shape[axis]
        let recording = GradientMode.isRecording && (g.requiresGradient || y.requiresGradient)
        guard !recording, axis == y.rank - 1, extent > 0, g.shape == y.shape else {
            return y * (g - (g * y).sum(axis: axis, keepingDimensions: true))
        }
        let scalars = Kernels.softmaxBackwardRows(y.scalars, g.scalars, width: extent)
        return Tensor(shape: y.shape, scalars: scalars)
    }

    /// Raw softmax (or log-softmax) of `x` viewed as `[outer, extent, inner]` along the middle axis.
    ///
    /// Positions (`outer · inner` slices along the axis) are split over ``Kernels/parallelFor(_:cost:_:)``; each
    /// slice's maximum and sum are taken by one thread, so the result does not depend on the thread count. When the
    /// axis is the last one (`inner` = 1, contiguous rows), the rows go to ``Kernels/softmaxRows(_:width:logarithmic:lanes:)``: the
    /// Cephes exponential of ``Kernels/exp(_:)`` in AVX-512 or AVX2 lanes when the processor has them (terms below
    /// e⁻⁸⁷ count as 0; rows with NaN or ±∞ take libm's path, as below).
    @usableFromInline
    static func softmaxRaw(_ x: [Float], shape: [Int], axis: Int, logarithmic: Bool) -> [Float] {
        let outer = shape[..<axis].reduce(1, *)
        let extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        if inner == 1 { return Kernels.softmaxRows(x, width: extent, logarithmic: logarithmic) }
        let count = x.count
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard extent > 0 else { return }
            x.withUnsafeBufferPointer { px in
                Kernels.parallelFor(outer * inner, cost: extent) { positions in
                    for position in positions {
                        let (o, i) = position.quotientAndRemainder(dividingBy: inner)
                        let base = o * extent * inner + i
                        var maximum = -Float.infinity  // all −∞ gives NaN, as in PyTorch
                        for k in 0..<extent { maximum = Swift.max(maximum, px[base + k * inner]) }
                        var total: Float = 0
                        for k in 0..<extent {
                            let shifted = px[base + k * inner] - maximum
                            let e = Foundation.exp(shifted)
                            total += e
                            out[base + k * inner] = logarithmic ? shifted : e
                        }
                        if logarithmic {
                            let logTotal = Foundation.log(total)
                            for k in 0..<extent { out[base + k * inner] -= logTotal }
                        } else {
                            let reciprocal = 1 / total
                            for k in 0..<extent { out[base + k * inner] *= reciprocal }
                        }
                    }
                }
            }
        }
    }
}
