/// Selecting whole slices by index along an axis (PyTorch `index_select` generalised to index tensors of any shape,
/// NumPy `take(axis:)`): the embedding lookup. Its adjoint, ``Tensor/indexAdding(axis:indices:source:)``
/// (PyTorch `index_add`), is its backward rule and vice versa.
extension Tensor {
    /// The slices `self[…, indices[p], …]` along `axis`, laid out with the index shape in place of that axis:
    /// the result has shape `shape[..<axis] + indices.shape + shape[(axis + 1)...]`.
    ///
    /// `weight.indexSelect(axis: 0, indices: tokens)` with `weight` of shape `[vocabulary, dimension]` and `tokens`
    /// of shape `[batch, time]` is an embedding lookup of shape `[batch, time, dimension]` (rows are block-copied).
    /// Indices lie in `0 ..< shape[axis]` and may repeat. Backward:
    /// `zeros(shape).indexAdding(axis: axis, indices: indices, source: g)`, which sums the rows of repeated indices.
    public func indexSelect(axis: Int, indices: IndexTensor) -> Tensor {
        precondition(rank >= 1, "indexSelect: cannot select from a scalar")
        let axis = normalizedAxis(axis, op: "indexSelect")
        Kernels.checkIndices(indices, extent: shape[axis], axis: axis, dataShape: shape, op: "indexSelect")
        let outer = shape[..<axis].reduce(1, *)
        let extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let selected = indices.count
        let outputShape = Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...])
        let count = outer * selected * inner
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            self.scalars.withUnsafeBufferPointer { source in
                indices.indices.withUnsafeBufferPointer { index in
                    guard let from = source.baseAddress, let to = out.baseAddress, inner > 0 else { return }
                    for o in 0..<outer {
                        for k in 0..<selected {
                            (to + (o * selected + k) * inner)
                                .update(from: from + (o * extent + index[k]) * inner, count: inner)
                        }
                    }
                }
            }
            initialized = count
        }
        return Tensor.recorded("indexSelect", shape: outputShape, scalars: scalars, inputs: [self]) {
            g, inputs, _ in
            [Tensor.indexAdding(intoZerosOf: inputs[0].shape, axis: axis, indices: indices, source: g)]
        }
    }

    /// `self` with the slices of `source` added at the positions `indices` names along `axis` (PyTorch
    /// `index_add`, with index tensors of any shape): `out[…, indices[p], …] += source[…, p, …]`. Repeated indices
    /// accumulate.
    ///
    /// `source` has the shape `indexSelect(axis:indices:)` would return: `shape[..<axis] + indices.shape +
    /// shape[(axis + 1)...]`. Backward: `∂/∂self = g`,
    /// `∂/∂source = g.indexSelect(axis: axis, indices: indices)`.
    public func indexAdding(axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
        precondition(rank >= 1, "indexAdd: cannot add into a scalar")
        let axis = normalizedAxis(axis, op: "indexAdd")
        var scalars = self.scalars
        Tensor.addSelectedSlices(into: &scalars, shape: shape, axis: axis, indices: indices, source: source)
        return Tensor.recorded("indexAdd", shape: shape, scalars: scalars, inputs: [self, source]) { g, inputs, _ in
            [
                inputs[0].requiresGradient ? g : nil,
                inputs[1].requiresGradient ? g.indexSelect(axis: axis, indices: indices) : nil,
            ]
        }
    }

    /// `zeros(shape).indexAdding(axis:indices:source:)` without building and copying the zeros: the backward rule
    /// of ``indexSelect(axis:indices:)`` (for an embedding table that is one allocation of the table's size).
    /// `axis` is already normalized.
    static func indexAdding(intoZerosOf shape: [Int], axis: Int, indices: IndexTensor, source: Tensor) -> Tensor {
        var scalars = [Float](repeating: 0, count: shape.reduce(1, *))
        addSelectedSlices(into: &scalars, shape: shape, axis: axis, indices: indices, source: source)
        return recorded("indexAdd", shape: shape, scalars: scalars, inputs: [source]) { g, _, _ in
            [g.indexSelect(axis: axis, indices: indices)]
        }
    }

    /// The raw index-add: `scalars[…, indices[p], …] += source[…, p, …]` for `scalars` of `shape`, after checking
    /// the source shape and the indices.
    static func addSelectedSlices(
        into scalars: inout [Float], shape: [Int], axis: Int, indices: IndexTensor, source: Tensor
    ) {
        let expectedShape = Array(shape[..<axis]) + indices.shape + Array(shape[(axis + 1)...])
        precondition(
            source.shape == expectedShape,
            "indexAdd: source shape \(source.shape) should be \(expectedShape) for shape \(shape), axis "
                + "\(axis) and index shape \(indices.shape)")
        Kernels.checkIndices(indices, extent: shape[axis], axis: axis, dataShape: shape, op: "indexAdd")
        let outer = shape[..<axis].reduce(1, *)
        let extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        let selected = indices.count
        scalars.withUnsafeMutableBufferPointer { out in
            source.scalars.withUnsafeBufferPointer { values in
                indices.indices.withUnsafeBufferPointer { index in
                    for o in 0..<outer {
                        for k in 0..<selected {
                            let to = (o * extent + index[k]) * inner
                            let from = (o * selected + k) * inner
                            for j in 0..<inner { out[to + j] += values[from + j] }
                        }
                    }
                }
            }
        }
    }
}
