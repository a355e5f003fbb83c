/// Turning integer index tensors into offsets into a data tensor, with bounds checks that name the op, the
/// offending index, its position and the extent it must fit.
extension Kernels {
    /// For torch.gather / scatter_add addressing: for every index position `p`, the offset into a row-major tensor
    /// of `dataShape` of the element it refers to, `Σ_{d ≠ axis} pᵈ·strideᵈ + indices[p]·stride^axis`.
    ///
    /// `indices` must have the rank of `dataShape` with `indices.shape[d] ≤ dataShape[d]` for `d ≠ axis`
    /// (callers check that); every index must lie in `0 ..< dataShape[axis]`.
    public static func alongAxisOffsets(dataShape: [Int], axis: Int, indices: IndexTensor, op: String) -> [Int] {
        let rank = dataShape.count
        let count = indices.count
        let indexShape = indices.shape
        let strides = Tensor.strides(of: dataShape)
        let extent = dataShape[axis]
        let axisStride = strides[axis]
        return [Int](unsafeUninitializedCapacity: count) { out, initialized in
            var position = [Int](repeating: 0, count: rank)
            var base = 0  // Σ over d ≠ axis of position[d]·strides[d]
            indices.indices.withUnsafeBufferPointer { values in
                for p in 0..<count {
                    let index = values[p]
                    if index < 0 || index >= extent {
                        preconditionFailure(
                            "\(op): index \(index) at position \(position) is out of range for axis \(axis) of "
                                + "extent \(extent) (data shape \(dataShape), index shape \(indexShape))")
                    }
                    out[p] = base + index * axisStride
                    var d = rank - 1
                    while d >= 0 {
                        position[d] += 1
                        if d != axis { base += strides[d] }
                        if position[d] < indexShape[d] { break }
                        if d != axis { base -= strides[d] * indexShape[d] }
                        position[d] = 0
                        d -= 1
                    }
                }
            }
            initialized = count
        }
    }

    /// Stops with a message naming `op`, the first index outside `0 ..< extent`, its position and the extent.
    public static func checkIndices(_ indices: IndexTensor, extent: Int, axis: Int, dataShape: [Int], op: String) {
        indices.indices.withUnsafeBufferPointer { values in
            for (p, index) in values.enumerated() where index < 0 || index >= extent {
                preconditionFailure(
                    "\(op): index \(index) at position \(multiIndex(p, shape: indices.shape)) is out of range for "
                        + "axis \(axis) of extent \(extent) (data shape \(dataShape))")
            }
        }
    }

    /// The multi-index of row-major offset `offset` in `shape` (for error messages).
    static func multiIndex(_ offset: Int, shape: [Int]) -> [Int] {
        var remainder = offset
        var result = [Int](repeating: 0, count: shape.count)
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
            result[axis] = remainder % shape[axis]
            remainder /= shape[axis]
        }
        return result
    }
}
