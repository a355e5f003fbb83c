/// Gathering values along an axis by an index tensor (PyTorch `torch.gather`, NumPy `take_along_axis`). Its
/// adjoint is ``Tensor/scatterAdding(along:indices:source:)``: each is the other's backward rule, so both
/// differentiate to any order.
extension Tensor {
    /// Picks, for every position of `indices`, the value at that position with its `axis` coordinate replaced by the
    /// index: for `axis = 1` and rank 3, `out[i][j][k] = self[i][indices[i][j][k]][k]`.
    ///
    /// `indices` has the rank of `self`, `indices.shape[d] ≤ shape[d]` for `d ≠ axis`, and any extent along `axis`;
    /// the result has the shape of `indices`. Indices lie in `0 ..< shape[axis]`.
    /// Backward: `zeros(shape).scatterAdding(along: axis, indices: indices, source: g)` — repeated indices sum.
    public func gather(along axis: Int, indices: IndexTensor) -> Tensor {
        precondition(rank >= 1, "gather: cannot gather from a scalar")
        let axis = normalizedAxis(axis, op: "gather")
        Tensor.checkAlongAxisIndexShape(indices, dataShape: shape, axis: axis, op: "gather")
        let offsets = Kernels.alongAxisOffsets(dataShape: shape, axis: axis, indices: indices, op: "gather")
        let count = indices.count
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            self.scalars.withUnsafeBufferPointer { source in
                offsets.withUnsafeBufferPointer { offset in
                    for p in 0..<count { out[p] = source[offset[p]] }
                }
            }
            initialized = count
        }
        return Tensor.recorded("gather", shape: indices.shape, scalars: scalars, inputs: [self]) { g, inputs, _ in
            [Tensor.scatterAdding(intoZerosOf: inputs[0].shape, along: axis, indices: indices, source: g)]
        }
    }

    /// The shape contract gather and scatter-add share with PyTorch: same rank, and the index tensor no larger than
    /// the data tensor on every axis but `axis`.
    static func checkAlongAxisIndexShape(_ indices: IndexTensor, dataShape: [Int], axis: Int, op: String) {
        precondition(
            indices.shape.count == dataShape.count,
            "\(op): index shape \(indices.shape) must have the rank of data shape \(dataShape)")
        for d in 0..<dataShape.count where d != axis {
            precondition(
                indices.shape[d] <= dataShape[d],
                "\(op): index shape \(indices.shape) exceeds data shape \(dataShape) on axis \(d) (only axis \(axis) "
                    + "may be larger)")
        }
    }
}
