/// The geometry of a 2-D sliding window over `[N, C, H, W]` inputs: kernel, stride, zero padding and dilation, with
/// PyTorch's output size (floor mode):
/// ```
/// out = ⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
/// ```
/// Shared by ``Tensor/im2col(_:)``, ``Tensor/col2im(_:)``, the convolutions and the pooling ops. 1-D windows are the
/// case `inputHeight = kernelHeight = 1`.
public struct SlidingWindow2D: Hashable, Sendable {
    /// Input channels `C`.
    public let channels: Int
    /// Input height `H` (before padding).
    public let inputHeight: Int
    /// Input width `W` (before padding).
    public let inputWidth: Int
    /// Kernel height `kH`.
    public let kernelHeight: Int
    /// Kernel width `kW`.
    public let kernelWidth: Int
    /// Step between windows along the height.
    public let strideHeight: Int
    /// Step between windows along the width.
    public let strideWidth: Int
    /// Zeros added above and below.
    public let paddingHeight: Int
    /// Zeros added left and right.
    public let paddingWidth: Int
    /// Spacing between kernel taps along the height (1 = contiguous).
    public let dilationHeight: Int
    /// Spacing between kernel taps along the width (1 = contiguous).
    public let dilationWidth: Int
    /// Number of window positions along the height.
    public let outputHeight: Int
    /// Number of window positions along the width.
    public let outputWidth: Int

    /// Scalars in one patch, `C·kH·kW`: the columns of the im2col matrix.
    public var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Window positions, `outputHeight·outputWidth`: the rows of one image's im2col matrix.
    public var windowCount: Int { outputHeight * outputWidth }

    /// A window geometry; stops with a message naming `op` when an extent is invalid or no window fits.
    public init(
        channels: Int, inputHeight: Int, inputWidth: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), op: String = "SlidingWindow2D"
    ) {
        let description =
            "input [C: \(channels), H: \(inputHeight), W: \(inputWidth)], kernel \(kernelSize), "
            + "stride \(stride), padding \(padding), dilation \(dilation)"
        precondition(channels >= 0 && inputHeight >= 0 && inputWidth >= 0, "\(op): negative extent in \(description)")
        precondition(kernelSize.0 >= 1 && kernelSize.1 >= 1, "\(op): kernel size must be ≥ 1 (\(description))")
        precondition(stride.0 >= 1 && stride.1 >= 1, "\(op): stride must be ≥ 1 (\(description))")
        precondition(padding.0 >= 0 && padding.1 >= 0, "\(op): padding must be ≥ 0 (\(description))")
        precondition(dilation.0 >= 1 && dilation.1 >= 1, "\(op): dilation must be ≥ 1 (\(description))")
        self.channels = channels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        (kernelHeight, kernelWidth) = kernelSize
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        (dilationHeight, dilationWidth) = dilation
        let spanHeight = dilation.0 * (kernelSize.0 - 1) + 1
        let spanWidth = dilation.1 * (kernelSize.1 - 1) + 1
        let paddedHeight = inputHeight + 2 * padding.0
        let paddedWidth = inputWidth + 2 * padding.1
        precondition(
            paddedHeight >= spanHeight && paddedWidth >= spanWidth,
            "\(op): the dilated kernel does not fit in the padded input (\(description))")
        outputHeight = (paddedHeight - spanHeight) / stride.0 + 1
        outputWidth = (paddedWidth - spanWidth) / stride.1 + 1
    }
}
