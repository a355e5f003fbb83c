/// im2col and its adjoint col2im: the patch matrices that turn convolution into one matrix product (GEMM).
///
/// `im2col` copies every window of a zero-padded `[N, C, H, W]` input into a row of a `[N, L, C·kH·kW]` matrix
/// (`L = outputHeight·outputWidth` window positions in row-major order; a row lists channel, kernel row, kernel column
/// in that order, matching `weight.reshaped([Cout, C·kH·kW])`). `col2im` is its adjoint: it adds every row back into
/// its window, summing where windows overlap and dropping the padding. Each is the other's backward rule, so both are
/// differentiable to any order. (PyTorch's `unfold` is `im2col(x).transposed()`; its `fold` is `col2im` of the
/// transpose.)
extension Tensor {
    /// The patch matrix `[N, L, C·kH·kW]` of an `[N, C, H, W]` input under `window` (zeros where a window covers
    /// padding). Backward: ``col2im(_:)`` of the gradient.
    public func im2col(_ window: SlidingWindow2D) -> Tensor {
        precondition(rank == 4 && shape[1] == window.channels && shape[2] == window.inputHeight
                     && shape[3] == window.inputWidth,
                     "im2col: input of shape \(shape) does not match the window's input [N, \(window.channels), "
                     + "\(window.inputHeight), \(window.inputWidth)]")
        let batch = shape[0]
        let scalars = Tensor.im2colRaw(scalars, batch: batch, window: window)
        return Tensor.recorded("im2col", shape: [batch, window.windowCount, window.patchSize], scalars: scalars,
                               inputs: [self]) { g, _, _ in [g.col2im(window)] }
    }

    /// The patch matrix of an `[N, C, H, W]` input for the given kernel, stride, padding and dilation.
    public func im2col(
        kernelSize: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1)
    ) -> Tensor {
        precondition(rank == 4, "im2col: needs an [N, C, H, W] input, got shape \(shape)")
        return im2col(SlidingWindow2D(channels: shape[1], inputHeight: shape[2], inputWidth: shape[3],
                                      kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                                      op: "im2col"))
    }

    /// The adjoint of ``im2col(_:)``: adds each row of an `[N, L, C·kH·kW]` patch matrix into its window of an
    /// `[N, C, H, W]` result (overlaps sum, padding is dropped). Backward: ``im2col(_:)`` of the gradient.
    public func col2im(_ window: SlidingWindow2D) -> Tensor {
        precondition(rank == 3 && shape[1] == window.windowCount && shape[2] == window.patchSize,
                     "col2im: patch matrix of shape \(shape) does not match the window's [N, \(window.windowCount), "
                     + "\(window.patchSize)]")
        let batch = shape[0]
        let scalars = Tensor.col2imRaw(scalars, batch: batch, window: window)
        return Tensor.recorded("col2im",
                               shape: [batch, window.channels, window.inputHeight, window.inputWidth],
                               scalars: scalars, inputs: [self]) { g, _, _ in [g.im2col(window)] }
    }

    /// Raw im2col: rows are written contiguously, one window at a time.
    @usableFromInline
    static func im2colRaw(_ x: [Float], batch: Int, window w: SlidingWindow2D) -> [Float] {
        let (height, width) = (w.inputHeight, w.inputWidth)
        let imageSize = w.channels * height * width
        let patch = w.patchSize
        let count = batch * w.windowCount * patch
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            x.withUnsafeBufferPointer { px in
                var o = 0
                for n in 0..<batch {
                    for oh in 0..<w.outputHeight {
                        let top = oh * w.strideHeight - w.paddingHeight
                        for ow in 0..<w.outputWidth {
                            let left = ow * w.strideWidth - w.paddingWidth
                            for c in 0..<w.channels {
                                let channelBase = n * imageSize + c * height * width
                                for ki in 0..<w.kernelHeight {
                                    let ih = top + ki * w.dilationHeight
                                    guard ih >= 0 && ih < height else {
                                        for _ in 0..<w.kernelWidth {
                                            out[o] = 0
                                            o += 1
                                        }
                                        continue
                                    }
                                    let rowBase = channelBase + ih * width
                                    for kj in 0..<w.kernelWidth {
                                        let iw = left + kj * w.dilationWidth
                                        out[o] = iw >= 0 && iw < width ? px[rowBase + iw] : 0
                                        o += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Raw col2im: the same traversal as ``im2colRaw(_:batch:window:)``, accumulating instead of copying.
    @usableFromInline
    static func col2imRaw(_ columns: [Float], batch: Int, window w: SlidingWindow2D) -> [Float] {
        let (height, width) = (w.inputHeight, w.inputWidth)
        let imageSize = w.channels * height * width
        let count = batch * imageSize
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard count > 0 else { return }
            out.initialize(repeating: 0)
            columns.withUnsafeBufferPointer { pc in
                var o = 0
                for n in 0..<batch {
                    for oh in 0..<w.outputHeight {
                        let top = oh * w.strideHeight - w.paddingHeight
                        for ow in 0..<w.outputWidth {
                            let left = ow * w.strideWidth - w.paddingWidth
                            for c in 0..<w.channels {
                                let channelBase = n * imageSize + c * height * width
                                for ki in 0..<w.kernelHeight {
                                    let ih = top + ki * w.dilationHeight
                                    guard ih >= 0 && ih < height else {
                                        o += w.kernelWidth
                                        continue
                                    }
                                    let rowBase = channelBase + ih * width
                                    for kj in 0..<w.kernelWidth {
                                        let iw = left + kj * w.dilationWidth
                                        if iw >= 0 && iw < width { out[rowBase + iw] += pc[o] }
                                        o += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
