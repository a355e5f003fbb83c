/// im2col and its adjoint col2im: the patch matrices that turn convolution into matrix products (GEMM).
///
/// `im2col` copies every window of a zero-padded `[N, C, H, W]` input into a column of a `[N, C·kH·kW, L]` matrix
/// (`L = outputHeight·outputWidth` window positions in row-major order; rows ordered by channel, kernel row, kernel
/// column, matching `weight.reshaped([Cout, C·kH·kW])`), exactly PyTorch's `F.unfold`. `col2im` is its adjoint,
/// PyTorch's `F.fold`: it adds every column back into its window, summing where windows overlap and dropping the
/// padding. Each is the other's backward rule, so both are differentiable to any order.
extension Tensor {
    /// The patch matrix `[N, C·kH·kW, L]` of an `[N, C, H, W]` input under `window` (zeros where a window covers
    /// padding), as PyTorch `F.unfold`. Backward: ``col2im(_:)`` of the gradient.
    public func im2col(_ window: SlidingWindow2D) -> Tensor {
        precondition(
            rank == 4 && shape[1] == window.channels && shape[2] == window.inputHeight
                && shape[3] == window.inputWidth,
            "im2col: input of shape \(shape) does not match the window's input [N, \(window.channels), "
                + "\(window.inputHeight), \(window.inputWidth)]")
        let batch = shape[0]
        let scalars = Tensor.slidingWindowCopy(scalars, batch: batch, window: window, accumulate: false)
        return Tensor.recorded(
            "im2col", shape: [batch, window.patchSize, window.windowCount], scalars: scalars,
            inputs: [self]
        ) { g, _, _ in [g.col2im(window)] }
    }

    /// The patch matrix of an `[N, C, H, W]` input for the given kernel, stride, padding and dilation.
    public func im2col(
        kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)
    ) -> Tensor {
        precondition(rank == 4, "im2col: needs an [N, C, H, W] input, got shape \(shape)")
        return im2col(
            SlidingWindow2D(
                channels: shape[1], inputHeight: shape[2], inputWidth: shape[3],
                kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                op: "im2col"))
    }

    /// The adjoint of ``im2col(_:)``: adds each column of an `[N, C·kH·kW, L]` patch matrix into its window of an
    /// `[N, C, H, W]` result (overlaps sum, padding is dropped), as PyTorch `F.fold`. Backward: ``im2col(_:)`` of the
    /// gradient.
    public func col2im(_ window: SlidingWindow2D) -> Tensor {
        precondition(
            rank == 3 && shape[1] == window.patchSize && shape[2] == window.windowCount,
            "col2im: patch matrix of shape \(shape) does not match the window's [N, \(window.patchSize), "
                + "\(window.windowCount)]")
        let batch = shape[0]
        let scalars = Tensor.slidingWindowCopy(scalars, batch: batch, window: window, accumulate: true)
        return Tensor.recorded(
            "col2im",
            shape: [batch, window.channels, window.inputHeight, window.inputWidth],
            scalars: scalars, inputs: [self]
        ) { g, _, _ in [g.im2col(window)] }
    }

    /// The raw kernel of both directions. `accumulate == false`: im2col of an image batch `source`;
    /// `accumulate == true`: col2im of a patch-matrix batch `source`. One traversal serves both, so they stay exact
    /// adjoints. The innermost loop runs over output columns with the in-bounds range computed up front, so it is a
    /// branch-free strided copy (contiguous for stride 1).
    @usableFromInline
    static func slidingWindowCopy(_ source: [Float], batch: Int, window w: SlidingWindow2D, accumulate: Bool)
        -> [Float]
    {
        let (height, width) = (w.inputHeight, w.inputWidth)
        let (outputHeight, outputWidth) = (w.outputHeight, w.outputWidth)
        let imageSize = w.channels * height * width
        let matrixSize = w.patchSize * w.windowCount
        let count = batch * (accumulate ? imageSize : matrixSize)
        // For each kernel column, the window columns `ow` whose input column `ow·sw + offset` lies inside the image.
        let columnRanges: [(offset: Int, start: Int, end: Int)] = (0..<w.kernelWidth).map { kj in
            let offset = kj * w.dilationWidth - w.paddingWidth
            let start = offset >= 0 ? 0 : Swift.min(outputWidth, (-offset + w.strideWidth - 1) / w.strideWidth)
            let end =
                width - offset <= 0
                ? start : Swift.max(start, Swift.min(outputWidth, (width - offset + w.strideWidth - 1) / w.strideWidth))
            return (offset, start, end)
        }
        let stride = w.strideWidth
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard count > 0 else { return }
            if accumulate { out.initialize(repeating: 0) }
            source.withUnsafeBufferPointer { input in
                var row = 0  // index of the current patch-matrix row (n, c, ki, kj) times L
                for n in 0..<batch {
                    for c in 0..<w.channels {
                        let channelBase = n * imageSize + c * height * width
                        for ki in 0..<w.kernelHeight {
                            for kj in 0..<w.kernelWidth {
                                let (offset, start, end) = columnRanges[kj]
                                for oh in 0..<outputHeight {
                                    let ih = oh * w.strideHeight - w.paddingHeight + ki * w.dilationHeight
                                    let matrixBase = row + oh * outputWidth
                                    if ih < 0 || ih >= height {
                                        if !accumulate {
                                            for ow in 0..<outputWidth { out[matrixBase + ow] = 0 }
                                        }
                                        continue
                                    }
                                    let imageBase = channelBase + ih * width + offset
                                    if accumulate {
                                        for ow in start..<end { out[imageBase + ow * stride] += input[matrixBase + ow] }
                                    } else {
                                        for ow in 0..<start { out[matrixBase + ow] = 0 }
                                        for ow in start..<end { out[matrixBase + ow] = input[imageBase + ow * stride] }
                                        for ow in end..<outputWidth { out[matrixBase + ow] = 0 }
                                    }
                                }
                                row += w.windowCount
                            }
                        }
                    }
                }
            }
        }
    }
}
