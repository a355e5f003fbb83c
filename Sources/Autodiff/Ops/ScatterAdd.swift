/// Scatter-add along an axis (PyTorch `Tensor.scatter_add`): the adjoint of ``Tensor/gather(along:indices:)``.
extension Tensor {
    /// `self` with every value of `source` added at the position of `self` that `indices` names along `axis`:
    /// for `axis = 0` and rank 2, `out[indices[i][j]][j] += source[i][j]`. Repeated indices accumulate.
    ///
    /// `indices` has the rank of `self`, `indices.shape[d] ≤ shape[d]` for `d ≠ axis`, and `source` has exactly the
    /// shape of `indices` (PyTorch also accepts a larger source and ignores the rest; we do not). Indices lie in
    /// `0 ..< shape[axis]`. Backward: `∂/∂self = g`, `∂/∂source = g.gather(along: axis, indices: indices)`.
    public func scatterAdding(along axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
        precondition(rank >= 1, "scatterAdd: cannot scatter into a scalar")
        let axis = normalizedAxis(axis, op: "scatterAdd")
        Tensor.checkAlongAxisIndexShape(indices, dataShape: shape, axis: axis, op: "scatterAdd")
        var scalars = self.scalars
        Tensor.addAlongAxis(into: &scalars, shape: shape, axis: axis, indices: indices, source: source)
        return Tensor.recorded("scatterAdd", shape: shape, scalars: scalars, inputs: [self, source]) {
            g, inputs, _ in
            [
                inputs[0].requiresGradient ? g : nil,
                inputs[1].requiresGradient ? g.gather(along: axis, indices: indices) : nil,
            ]
        }
    }

    /// `zeros(shape).scatterAdding(along:indices:source:)` without building and copying the zeros: the backward
    /// rule of ``gather(along:indices:)``. `axis` is already normalized and the index shape checked.
    static func scatterAdding(intoZerosOf shape: [Int], along axis: Int, indices: IndexTensor, source: Tensor)
        -> Tensor
    {
        var scalars = [Float](repeating: 0, count: shape.reduce(1, *))
        addAlongAxis(into: &scalars, shape: shape, axis: axis, indices: indices, source: source)
        return recorded("scatterAdd", shape: shape, scalars: scalars, inputs: [source]) { g, _, _ in
            [g.gather(along: axis, indices: indices)]
        }
    }

    /// The raw scatter-add: `scalars[position with axis coordinate indices[p]] += source[p]` for `scalars` of
    /// `shape`, after checking the source shape and the indices.
    static func addAlongAxis(
        into scalars: inout [Float], shape: [Int], axis: Int, indices: IndexTensor, source: Tensor
    ) {
        precondition(
            source.shape == indices.shape,
            "scatterAdd: source shape \(source.shape) differs from index shape \(indices.shape)")
        let offsets = Kernels.alongAxisOffsets(dataShape: shape, axis: axis, indices: indices, op: "scatterAdd")
        scalars.withUnsafeMutableBufferPointer { out in
            source.scalars.withUnsafeBufferPointer { values in
                offsets.withUnsafeBufferPointer { offset in
                    for p in 0..<values.count { out[offset[p]] += values[p] }
                }
            }
        }
    }
}
