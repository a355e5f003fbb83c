/// Copying rectangular boxes between row-major arrays: the kernel under slicing, padding, concatenation and split.
extension Kernels {
    /// Copies the box of `extents` that starts at `sourceStart` in `source` (row-major, of `sourceShape`) to the
    /// box that starts at `destinationStart` in `destination` (row-major, of `destinationShape`).
    ///
    /// Trailing axes that both arrays hold whole are merged into one contiguous run, so a box that spans whole rows
    /// (a slice along the first axis, one piece of a concatenation along it) is a single block copy.
    /// With `accumulate` the box is added to the destination instead of copied over it (gradient accumulation).
    /// Callers check the bounds; this kernel only asserts them.
    public static func copyBox(
        from source: UnsafeBufferPointer<Float>, shape sourceShape: [Int], start sourceStart: [Int],
        to destination: UnsafeMutableBufferPointer<Float>, shape destinationShape: [Int],
        start destinationStart: [Int], extents: [Int], accumulate: Bool = false
    ) {
        let rank = extents.count
        assert(sourceShape.count == rank && sourceStart.count == rank, "copyBox: source rank differs from box rank")
        assert(
            destinationShape.count == rank && destinationStart.count == rank,
            "copyBox: destination rank differs from box rank")
        assert(
            (0..<rank).allSatisfy {
                sourceStart[$0] >= 0 && sourceStart[$0] + extents[$0] <= sourceShape[$0]
                    && destinationStart[$0] >= 0 && destinationStart[$0] + extents[$0] <= destinationShape[$0]
            },
            "copyBox: box \(extents) at \(sourceStart) → \(destinationStart) exceeds \(sourceShape) or "
                + "\(destinationShape)")
        if extents.contains(where: { $0 == 0 }) { return }
        guard let sourceBase = source.baseAddress, let destinationBase = destination.baseAddress else { return }
        guard rank > 0 else {
            destinationBase.pointee = accumulate ? destinationBase.pointee + sourceBase.pointee : sourceBase.pointee
            return
        }
        let sourceStrides = Tensor.strides(of: sourceShape)
        let destinationStrides = Tensor.strides(of: destinationShape)
        var sourceOffset = 0
        var destinationOffset = 0
        for axis in 0..<rank {
            sourceOffset += sourceStart[axis] * sourceStrides[axis]
            destinationOffset += destinationStart[axis] * destinationStrides[axis]
        }
        // Axes after `split` are whole in both arrays, so axes split..<rank are one contiguous run.
        var split = rank - 1
        while split > 0 && extents[split] == sourceShape[split] && extents[split] == destinationShape[split] {
            split -= 1
        }
        let run = extents[split...].reduce(1, *)
        let outerCount = extents[..<split].reduce(1, *)
        var index = [Int](repeating: 0, count: split)
        for _ in 0..<outerCount {
            let from = sourceBase + sourceOffset
            let to = destinationBase + destinationOffset
            if accumulate {
                for j in 0..<run { to[j] += from[j] }
            } else if run < 16 {
                for j in 0..<run { to[j] = from[j] }
            } else {
                to.update(from: from, count: run)
            }
            var axis = split - 1
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += sourceStrides[axis]
                destinationOffset += destinationStrides[axis]
                if index[axis] < extents[axis] { break }
                sourceOffset -= sourceStrides[axis] * extents[axis]
                destinationOffset -= destinationStrides[axis] * extents[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// The scalars of `tensor` broadcast (NumPy rules) to `shape`; the scalars themselves when the shapes agree.
    public static func broadcastScalars(_ tensor: Tensor, to shape: [Int]) -> [Float] {
        if tensor.shape == shape { return tensor.scalars }
        // `binary` assumes its output shape is the broadcast of its operands' shapes, which a rank-0 operand paired
        // with the rank-0 `Tensor(0)` would break; one scalar is a plain fill anyway.
        if tensor.count == 1 { return [Float](repeating: tensor.scalars[0], count: shape.reduce(1, *)) }
        return binary(tensor, Tensor(0), outputShape: shape) { x, _ in x }
    }
}
