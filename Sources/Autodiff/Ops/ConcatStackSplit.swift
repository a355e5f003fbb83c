/// Joining tensors along an axis (concatenate, stack) and cutting one apart (split, chunk). Concatenation's
/// backward rule slices the gradient into the pieces; each piece of a split is a slice, whose backward pads it back.
extension Tensor {
    /// Joins `tensors` along `axis` (NumPy `concatenate`, PyTorch `cat`): all must have the same rank and the same
    /// extents on every other axis; the result's `axis` extent is the sum of theirs (pieces of extent 0 are fine).
    ///
    /// Backward: input `i` receives `g.slice(axis:, range: offsetᵢ ..< offsetᵢ + nᵢ)`.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { preconditionFailure("concatenate: no tensors to join") }
        precondition(first.rank >= 1, "concatenate: cannot join scalars along an axis (use stack)")
        let axis = first.normalizedAxis(axis, op: "concatenate")
        for (index, tensor) in tensors.enumerated() {
            precondition(
                tensor.rank == first.rank
                    && (0..<first.rank).allSatisfy { $0 == axis || tensor.shape[$0] == first.shape[$0] },
                "concatenate: tensor \(index) of shape \(tensor.shape) does not match shape \(first.shape) outside "
                    + "axis \(axis)")
        }
        if tensors.count == 1 { return first }
        let extents = tensors.map { $0.shape[axis] }
        var starts: [Int] = []
        var total = 0
        for extent in extents {
            starts.append(total)
            total += extent
        }
        let offsets = starts
        var outputShape = first.shape
        outputShape[axis] = total
        let count = outputShape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            var start = [Int](repeating: 0, count: outputShape.count)
            for (tensor, offset) in zip(tensors, offsets) {
                start[axis] = offset
                tensor.scalars.withUnsafeBufferPointer { source in
                    Kernels.copyBox(
                        from: source, shape: tensor.shape, start: [Int](repeating: 0, count: tensor.rank), to: out,
                        shape: outputShape, start: start, extents: tensor.shape)
                }
            }
            initialized = count
        }
        return recorded("concatenate", shape: outputShape, scalars: scalars, inputs: tensors) { g, inputs, _ in
            (0..<inputs.count).map { i in
                inputs[i].requiresGradient ? g.slice(axis: axis, range: offsets[i]..<(offsets[i] + extents[i])) : nil
            }
        }
    }

    /// Stacks tensors of one shape along a new axis `axis` (NumPy / PyTorch `stack`); `axis` ranges over
    /// `-(rank + 1) ... rank`. Differentiable through ``unsqueezed(axis:)`` and ``concatenate(_:axis:)``.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        guard let first = tensors.first else { preconditionFailure("stack: no tensors to stack") }
        for (index, tensor) in tensors.enumerated() {
            precondition(
                tensor.shape == first.shape,
                "stack: tensor \(index) has shape \(tensor.shape), tensor 0 has \(first.shape)")
        }
        return concatenate(tensors.map { $0.unsqueezed(axis: axis) }, axis: axis)
    }

    /// Cuts the tensor along `axis` into consecutive pieces of extents `sizes`, which must sum to the axis extent
    /// (PyTorch `split` with a list; sizes of 0 give empty pieces). Each piece is a differentiable slice.
    ///
    /// The gradient of each piece is padded back to the full shape and the pieces' gradients are summed, so the
    /// backward pass costs `sizes.count` full-size tensors.
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        precondition(rank >= 1, "split: cannot split a scalar")
        let axis = normalizedAxis(axis, op: "split")
        precondition(
            sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[axis],
            "split: sizes \(sizes) do not sum to extent \(shape[axis]) of axis \(axis) (shape \(shape))")
        var pieces: [Tensor] = []
        pieces.reserveCapacity(sizes.count)
        var offset = 0
        for size in sizes {
            pieces.append(slice(axis: axis, range: offset..<(offset + size)))
            offset += size
        }
        return pieces
    }

    /// Cuts the tensor along `axis` into `count` pieces of equal extent (NumPy `split` with a number of sections);
    /// the axis extent must be divisible by `count`.
    public func split(count: Int, axis: Int = 0) -> [Tensor] {
        precondition(rank >= 1, "split: cannot split a scalar")
        let axis = normalizedAxis(axis, op: "split")
        precondition(
            count > 0 && shape[axis] % count == 0,
            "split: extent \(shape[axis]) of axis \(axis) (shape \(shape)) is not divisible into \(count) "
                + "equal pieces")
        return split(sizes: [Int](repeating: shape[axis] / count, count: count), axis: axis)
    }

    /// Cuts the tensor along `axis` into at most `chunks` pieces of extent `⌈n / chunks⌉`, the last one possibly
    /// smaller (PyTorch `chunk`: it may return fewer than `chunks` pieces, never empty ones unless `n` is 0).
    public func chunked(_ chunks: Int, axis: Int = 0) -> [Tensor] {
        precondition(rank >= 1, "chunk: cannot chunk a scalar")
        precondition(chunks > 0, "chunk: number of chunks must be positive, got \(chunks)")
        let axis = normalizedAxis(axis, op: "chunk")
        let extent = shape[axis]
        if extent == 0 { return [self] }
        let size = (extent + chunks - 1) / chunks
        var sizes: [Int] = []
        var remaining = extent
        while remaining > 0 {
            sizes.append(Swift.min(size, remaining))
            remaining -= size
        }
        return split(sizes: sizes, axis: axis)
    }
}
