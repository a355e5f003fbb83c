/// The shape ops every backward rule leans on: reshape, broadcast (expand), its adjoint `sumToShape`, and permute.
extension Tensor {
    /// The same scalars with a new shape; one extent may be `-1` and is inferred.
    @inlinable
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().reduce(1) { $1.offset == unknown ? $0 : $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            resolved[unknown] = count / known
        }
        precondition(
            resolved.reduce(1, *) == count && resolved.allSatisfy { $0 >= 0 },
            "reshape: cannot reshape \(shape) (\(count) scalars) to \(newShape)")
        if resolved == shape { return self }
        return Tensor.recorded("reshape", shape: resolved, scalars: scalars, inputs: [self]) { g, inputs, _ in
            [g.reshaped(inputs[0].shape)]
        }
    }

    /// Same as ``reshaped(_:)``.
    @inlinable public func reshaped(_ newShape: Int...) -> Tensor { reshaped(newShape) }

    /// All scalars as a rank-1 tensor.
    @inlinable public func flattened() -> Tensor { reshaped([count]) }

    /// Broadcasts to `target` (NumPy rules): stretches axes of extent 1 and prepends axes. Backward sums back.
    @inlinable
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        guard Broadcasting.shape(shape, target) == target else {
            preconditionFailure("expand: shape \(shape) does not broadcast to \(target)")
        }
        let scalars = Kernels.binary(self, Tensor(0), outputShape: target) { x, _ in x }
        return Tensor.recorded("expand", shape: target, scalars: scalars, inputs: [self]) { g, inputs, _ in
            [g.sumToShape(inputs[0].shape)]
        }
    }

    /// Sums over the axes that broadcasting from `target` to `self.shape` stretched, giving a tensor of `target`.
    /// The adjoint of ``expanded(to:)``.
    @inlinable
    public func sumToShape(_ target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(
            Broadcasting.shape(target, shape) == shape,
            "sumToShape: \(target) does not broadcast to \(shape)")
        let offset = rank - target.count
        var axes: [Int] = Array(0..<offset)
        for i in 0..<target.count where target[i] == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        let raw = Tensor.sumRaw(scalars, shape: shape, axes: axes)
        return Tensor.recorded("sumToShape", shape: target, scalars: raw, inputs: [self]) { g, inputs, _ in
            [g.expanded(to: inputs[0].shape)]
        }
    }

    /// Reorders axes: output axis `i` is input axis `permutation[i]`.
    @inlinable
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(
            permutation.count == rank && Set(permutation) == Set(0..<rank),
            "permute: \(permutation) is not a permutation of the axes of \(shape)")
        if permutation == Array(0..<rank) { return self }
        let outShape = permutation.map { shape[$0] }
        var inversePermutation = [Int](repeating: 0, count: rank)
        for (i, p) in permutation.enumerated() { inversePermutation[p] = i }
        let inverse = inversePermutation
        return Tensor.recorded(
            "permute", shape: outShape,
            scalars: Kernels.permute(scalars, shape: shape, permutation: permutation),
            inputs: [self]
        ) { g, _, _ in [g.permuted(inverse)] }
    }

    /// Same as ``permuted(_:)``.
    @inlinable public func permuted(_ permutation: Int...) -> Tensor { permuted(permutation) }

    /// Swaps two axes.
    @inlinable
    public func transposed(_ axis0: Int, _ axis1: Int) -> Tensor {
        var permutation = Array(0..<rank)
        permutation.swapAt(normalizedAxis(axis0, op: "transpose"), normalizedAxis(axis1, op: "transpose"))
        return permuted(permutation)
    }

    /// Swaps the last two axes (the matrix transpose for rank 2).
    @inlinable
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transpose: needs rank ≥ 2, got shape \(shape)")
        return transposed(rank - 2, rank - 1)
    }

    /// Raw sum over `axes` keeping their extents as 1 in the layout (the result has the reduced count).
    @inlinable
    static func sumRaw(_ scalars: [Float], shape: [Int], axes: [Int]) -> [Float] {
        var current = scalars
        var currentShape = shape
        for axis in axes.sorted(by: >) {
            let outer = currentShape[..<axis].reduce(1, *)
            let inner = currentShape[(axis + 1)...].reduce(1, *)
            current = Kernels.sum(current, outer: outer, extent: currentShape[axis], inner: inner)
            currentShape[axis] = 1
        }
        return current
    }
}
