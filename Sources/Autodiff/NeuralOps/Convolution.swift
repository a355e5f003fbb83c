// Convolutions (cross-correlation, as in deep-learning frameworks) via im2col and one GEMM, with PyTorch's
// `torch.nn.functional.conv1d` / `conv2d` semantics and output sizes (no groups).
//
// ```
// out[n, o, i, j] = bias[o] + Σ_{c, a, b} weight[o, c, a, b] · xpad[n, c, i·sh + a·dh, j·sw + b·dw]
// ```
// computed per image as `weight.reshaped([Cout, C·kH·kW])` times `im2col(x)` `[C·kH·kW, L]` (a batched GEMM through
// `Tensor.matmul`), which lands directly in `[N, Cout, L]` layout. Every step (im2col, matmul, reshape, add) is
// differentiable to any order, so the convolution is too.

/// 2-D convolution of `input [N, Cin, H, W]` with `weight [Cout, Cin, kH, kW]` and optional `bias [Cout]`, giving
/// `[N, Cout, Hout, Wout]` with `Hout = ⌊(H + 2·padding.0 − dilation.0·(kH − 1) − 1) / stride.0⌋ + 1` (same for the
/// width). Padding is zeros. Follows PyTorch `F.conv2d` (groups = 1).
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1)
) -> Tensor {
    precondition(
        input.rank == 4 && weight.rank == 4 && weight.shape[1] == input.shape[1],
        "conv2d: needs input [N, Cin, H, W] and weight [Cout, Cin, kH, kW], got input \(input.shape) and "
            + "weight \(weight.shape)")
    let outChannels = weight.shape[0]
    if let bias {
        precondition(
            bias.shape == [outChannels],
            "conv2d: bias of shape \(bias.shape) does not match weight \(weight.shape) "
                + "(needs [\(outChannels)])")
    }
    let window = SlidingWindow2D(
        channels: input.shape[1], inputHeight: input.shape[2], inputWidth: input.shape[3],
        kernelSize: (weight.shape[2], weight.shape[3]), stride: stride, padding: padding, dilation: dilation,
        op: "conv2d")
    let batch = input.shape[0]
    var product = weight.reshaped([outChannels, window.patchSize]).matmul(input.im2col(window))  // [N, Cout, L]
    if let bias { product = product + bias.reshaped([outChannels, 1]) }
    return product.reshaped([batch, outChannels, window.outputHeight, window.outputWidth])
}

/// 1-D convolution of `input [N, Cin, L]` with `weight [Cout, Cin, K]` and optional `bias [Cout]`, giving
/// `[N, Cout, Lout]` with `Lout = ⌊(L + 2·padding − dilation·(K − 1) − 1) / stride⌋ + 1`. Zero padding. Follows
/// PyTorch `F.conv1d` (groups = 1); computed as a 2-D convolution of height 1.
public func conv1d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, dilation: Int = 1
) -> Tensor {
    precondition(
        input.rank == 3 && weight.rank == 3 && weight.shape[1] == input.shape[1],
        "conv1d: needs input [N, Cin, L] and weight [Cout, Cin, K], got input \(input.shape) and "
            + "weight \(weight.shape)")
    let output = conv2d(
        input.reshaped([input.shape[0], input.shape[1], 1, input.shape[2]]),
        weight: weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]]), bias: bias,
        stride: (1, stride), padding: (0, padding), dilation: (1, dilation))
    return output.reshaped([output.shape[0], output.shape[1], output.shape[3]])
}
