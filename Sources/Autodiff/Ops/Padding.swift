/// Constant padding: the tensor embedded in a larger one filled with a constant (NumPy `pad(mode="constant")`,
/// PyTorch `F.pad`). Its backward rule is the slice that takes the tensor back out
/// (``Tensor/sliced(lowerBounds:upperBounds:)``), whose own backward is this padding, so gradients of gradients
/// work. Convolutions pad their input with it.
extension Tensor {
    /// Pads every axis `d` with `padding[d].before` positions in front and `padding[d].after` behind, filled with
    /// `value`: the result has extents `before + n + after`.
    ///
    /// One `(before, after)` pair per axis, all non-negative. Backward: the gradient sliced back,
    /// `g[before₀ ..< before₀ + n₀, …]`; `value` is a constant and takes no gradient.
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(
            padding.count == rank,
            "pad: \(padding.count) (before, after) pairs for shape \(shape) of rank \(rank)")
        precondition(
            padding.allSatisfy { $0.before >= 0 && $0.after >= 0 },
            "pad: negative padding \(padding.map { [$0.before, $0.after] }) for shape \(shape)")
        if padding.allSatisfy({ $0.before == 0 && $0.after == 0 }) { return self }
        let inputShape = shape
        let before = padding.map(\.before)
        let outputShape = (0..<rank).map { padding[$0].before + inputShape[$0] + padding[$0].after }
        let count = outputShape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            out.initialize(repeating: value)
            self.scalars.withUnsafeBufferPointer { source in
                Kernels.copyBox(
                    from: source, shape: inputShape, start: [Int](repeating: 0, count: inputShape.count), to: out,
                    shape: outputShape, start: before, extents: inputShape)
            }
            initialized = count
        }
        let upper = (0..<rank).map { before[$0] + inputShape[$0] }
        return Tensor.recorded("pad", shape: outputShape, scalars: scalars, inputs: [self]) { g, _, _ in
            [g.sliced(lowerBounds: before, upperBounds: upper)]
        }
    }

    /// Pads one axis (negative axes count from the end) with `before` and `after` positions of `value`.
    public func padded(axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        precondition(rank >= 1, "pad: cannot pad along an axis of a scalar")
        let axis = normalizedAxis(axis, op: "pad")
        var padding = [(before: Int, after: Int)](repeating: (0, 0), count: rank)
        padding[axis] = (before, after)
        return padded(padding, value: value)
    }
}
