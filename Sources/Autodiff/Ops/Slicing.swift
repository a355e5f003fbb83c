/// Slicing: contiguous boxes of a tensor (NumPy basic slicing without steps). The backward rule pads the gradient
/// with zeros back to the input's shape (``Tensor/padded(_:value:)``), whose own backward is this slice, so
/// gradients of gradients work.
extension Tensor {
    /// The box `lowerBounds[d] ..< upperBounds[d]` on every axis `d`, as NumPy `x[l₀:u₀, l₁:u₁, …]`.
    ///
    /// Bounds must satisfy `0 ≤ lower ≤ upper ≤ extent` (empty boxes are allowed). Backward: the gradient
    /// embedded into zeros of the input's shape, `g.padded([(l₀, n₀ − u₀), …])`.
    public func sliced(lowerBounds: [Int], upperBounds: [Int]) -> Tensor {
        precondition(
            lowerBounds.count == rank && upperBounds.count == rank,
            "slice: \(lowerBounds.count) lower and \(upperBounds.count) upper bounds for shape \(shape) of rank "
                + "\(rank)")
        for axis in 0..<rank {
            precondition(
                0 <= lowerBounds[axis] && lowerBounds[axis] <= upperBounds[axis] && upperBounds[axis] <= shape[axis],
                "slice: range \(lowerBounds[axis])..<\(upperBounds[axis]) is out of range for axis \(axis) of extent "
                    + "\(shape[axis]) (shape \(shape))")
        }
        if upperBounds == shape && lowerBounds.allSatisfy({ $0 == 0 }) { return self }
        let outputShape = (0..<rank).map { upperBounds[$0] - lowerBounds[$0] }
        let count = outputShape.reduce(1, *)
        let inputShape = shape
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            self.scalars.withUnsafeBufferPointer { source in
                Kernels.copyBox(
                    from: source, shape: inputShape, start: lowerBounds, to: out, shape: outputShape,
                    start: [Int](repeating: 0, count: outputShape.count), extents: outputShape)
            }
            initialized = count
        }
        let padding = (0..<rank).map { (before: lowerBounds[$0], after: inputShape[$0] - upperBounds[$0]) }
        return Tensor.recorded(
            "slice", shape: outputShape, scalars: scalars, inputs: [self], sliceLowerBounds: lowerBounds
        ) { g, _, _ in
            [g.padded(padding)]
        }
    }

    /// The positions `range` along `axis` (negative axes count from the end); other axes whole.
    ///
    /// `x.slice(axis: 1, range: 2..<5)` is NumPy `x[:, 2:5]`; partial ranges work (`1...`, `..<3`).
    @inlinable
    public func slice<R: RangeExpression>(axis: Int, range: R) -> Tensor where R.Bound == Int {
        precondition(rank >= 1, "slice: cannot slice along an axis of a scalar")
        let axis = normalizedAxis(axis, op: "slice")
        let bounds = range.relative(to: 0..<shape[axis])
        var lower = [Int](repeating: 0, count: rank)
        var upper = shape
        lower[axis] = bounds.lowerBound
        upper[axis] = bounds.upperBound
        return sliced(lowerBounds: lower, upperBounds: upper)
    }

    /// Slices the leading axes by `ranges` and keeps the remaining axes whole: `x[0..<2, 1..<3]`.
    /// (At least one range, so `x[]` stays the scalar subscript of a rank-0 tensor.)
    public subscript(_ first: Range<Int>, _ rest: Range<Int>...) -> Tensor {
        let ranges = [first] + rest
        precondition(ranges.count <= rank, "Tensor subscript: \(ranges.count) ranges for shape \(shape)")
        var lower = [Int](repeating: 0, count: rank)
        var upper = shape
        for (axis, range) in ranges.enumerated() {
            lower[axis] = range.lowerBound
            upper[axis] = range.upperBound
        }
        return sliced(lowerBounds: lower, upperBounds: upper)
    }
}
