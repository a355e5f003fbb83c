// Max and average pooling over `[N, C, L]` (1-D) and `[N, C, H, W]` (2-D) inputs with PyTorch's
// `torch.nn.functional.max_pool1d/2d` and `avg_pool1d/2d` semantics (floor mode; the stride defaults to the kernel
// size; padding is at most half the kernel).
//
// Max pooling records the flat index of each window's maximum (the first on ties; NaN wins, as PyTorch) and reads
// the input through a private gather op whose backward scatters the gradient to those positions; the scatter's
// backward is the gather again, so the op is differentiable to any order. Padding never wins (it is −∞).
// Average pooling averages the im2col patches with `count_include_pad = true` (PyTorch's default): the divisor is
// always `kH·kW`, padded zeros included.

/// 2-D max pooling of `input [N, C, H, W]` → `[N, C, Hout, Wout]`; `stride` defaults to `kernelSize`.
public func maxPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1)
) -> Tensor {
    precondition(input.rank == 4, "maxPool2d: needs an [N, C, H, W] input, got shape \(input.shape)")
    let window = poolingWindow(
        input, kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding,
        dilation: dilation, op: "maxPool2d")
    let batch = input.shape[0] * input.shape[1]
    let indices = maxPoolArgmax(input.scalars, planes: batch, window: window)
    return input.poolingGather(
        indices,
        shape: [
            input.shape[0], input.shape[1], window.outputHeight,
            window.outputWidth,
        ])
}

/// 1-D max pooling of `input [N, C, L]` → `[N, C, Lout]`; `stride` defaults to `kernelSize`.
public func maxPool1d(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1
) -> Tensor {
    precondition(input.rank == 3, "maxPool1d: needs an [N, C, L] input, got shape \(input.shape)")
    let output = maxPool2d(
        input.reshaped([input.shape[0], input.shape[1], 1, input.shape[2]]),
        kernelSize: (1, kernelSize), stride: (1, stride ?? kernelSize), padding: (0, padding),
        dilation: (1, dilation))
    return output.reshaped([output.shape[0], output.shape[1], output.shape[3]])
}

/// 2-D average pooling of `input [N, C, H, W]` → `[N, C, Hout, Wout]`, padded zeros counted in the mean
/// (`count_include_pad = true`); `stride` defaults to `kernelSize`.
public func avgPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)
) -> Tensor {
    precondition(input.rank == 4, "avgPool2d: needs an [N, C, H, W] input, got shape \(input.shape)")
    let (batch, channels) = (input.shape[0], input.shape[1])
    // Channels pool independently: treat them as images of one channel, so no permute is needed afterwards.
    let planes = input.reshaped([batch * channels, 1, input.shape[2], input.shape[3]])
    let window = poolingWindow(
        planes, kernelSize: kernelSize, stride: stride ?? kernelSize, padding: padding,
        dilation: (1, 1), op: "avgPool2d")
    return planes.im2col(window).mean(axis: 1)
        .reshaped([batch, channels, window.outputHeight, window.outputWidth])
}

/// 1-D average pooling of `input [N, C, L]` → `[N, C, Lout]`, padded zeros counted in the mean
/// (`count_include_pad = true`); `stride` defaults to `kernelSize`.
public func avgPool1d(_ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
    precondition(input.rank == 3, "avgPool1d: needs an [N, C, L] input, got shape \(input.shape)")
    let output = avgPool2d(
        input.reshaped([input.shape[0], input.shape[1], 1, input.shape[2]]),
        kernelSize: (1, kernelSize), stride: (1, stride ?? kernelSize), padding: (0, padding))
    return output.reshaped([output.shape[0], output.shape[1], output.shape[3]])
}

/// The one-channel window of a pooling op over each `[H, W]` plane, with PyTorch's padding limit.
private func poolingWindow(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), op: String
) -> SlidingWindow2D {
    precondition(
        padding.0 >= 0 && padding.1 >= 0 && 2 * padding.0 <= kernelSize.0 && 2 * padding.1 <= kernelSize.1,
        "\(op): padding \(padding) must be at most half the kernel size \(kernelSize) (input \(input.shape))")
    return SlidingWindow2D(
        channels: 1, inputHeight: input.shape[2], inputWidth: input.shape[3],
        kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, op: op)
}

/// For each of `planes` `[H, W]` planes and each window, the flat input index of the window's maximum.
private func maxPoolArgmax(_ x: [Float], planes: Int, window w: SlidingWindow2D) -> [Int] {
    let (height, width) = (w.inputHeight, w.inputWidth)
    let count = planes * w.windowCount
    return [Int](unsafeUninitializedCapacity: count) { out, initialized in
        initialized = count
        x.withUnsafeBufferPointer { px in
            var o = 0
            for plane in 0..<planes {
                let planeBase = plane * height * width
                for oh in 0..<w.outputHeight {
                    let top = oh * w.strideHeight - w.paddingHeight
                    for ow in 0..<w.outputWidth {
                        let left = ow * w.strideWidth - w.paddingWidth
                        var best = -1
                        var bestValue = -Float.infinity
                        search: for ki in 0..<w.kernelHeight {
                            let ih = top + ki * w.dilationHeight
                            guard ih >= 0 && ih < height else { continue }
                            for kj in 0..<w.kernelWidth {
                                let iw = left + kj * w.dilationWidth
                                guard iw >= 0 && iw < width else { continue }
                                let index = planeBase + ih * width + iw
                                let value = px[index]
                                if best < 0 || value > bestValue || value.isNaN {
                                    best = index
                                    bestValue = value
                                    if value.isNaN { break search }
                                }
                            }
                        }
                        precondition(best >= 0, "maxPool: a window covers only padding (\(w))")
                        out[o] = best
                        o += 1
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// `out[i] = self.scalars[indices[i]]` with shape `shape`; backward scatters the gradient back
    /// (``poolingScatter(_:shape:)``). Private to pooling.
    fileprivate func poolingGather(_ indices: [Int], shape outputShape: [Int]) -> Tensor {
        let scalars = [Float](unsafeUninitializedCapacity: indices.count) { out, initialized in
            initialized = indices.count
            self.scalars.withUnsafeBufferPointer { px in
                for (i, index) in indices.enumerated() { out[i] = px[index] }
            }
        }
        return Tensor.recorded("maxPoolGather", shape: outputShape, scalars: scalars, inputs: [self]) {
            g, inputs, _ in [g.poolingScatter(indices, shape: inputs[0].shape)]
        }
    }

    /// The adjoint of ``poolingGather(_:shape:)``: zeros of `shape` with `self.scalars[i]` added at `indices[i]`.
    fileprivate func poolingScatter(_ indices: [Int], shape outputShape: [Int]) -> Tensor {
        let count = outputShape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            initialized = count
            guard count > 0 else { return }
            out.initialize(repeating: 0)
            self.scalars.withUnsafeBufferPointer { pg in
                for (i, index) in indices.enumerated() { out[index] += pg[i] }
            }
        }
        let gatheredShape = shape
        return Tensor.recorded("maxPoolScatter", shape: outputShape, scalars: scalars, inputs: [self]) { g, _, _ in
            [g.poolingGather(indices, shape: gatheredShape)]
        }
    }
}
