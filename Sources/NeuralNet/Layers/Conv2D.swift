import Autodiff

/// A 2-D convolution layer over `[N, Cin, H, W]` inputs, wrapping ``conv2d(_:weight:bias:stride:padding:dilation:)``.
///
/// Follows `torch.nn.Conv2d` (groups = 1): parameters `weight [Cout, Cin, kH, kW]` and `bias [Cout]`, initialised
/// U(−1/√fanIn, 1/√fanIn) with fanIn = Cin·kH·kW (PyTorch's default), weight first.
public struct Conv2D: Module {
    /// Kernel, shape `[outChannels, inChannels, kH, kW]`.
    public let weight: Parameter
    /// Bias, shape `[outChannels]`, or `nil`.
    public let bias: Parameter?
    /// Step between windows (rows, columns).
    public let stride: (Int, Int)
    /// Zeros added on each side (rows, columns).
    public let padding: (Int, Int)
    /// Spacing between kernel taps (rows, columns).
    public let dilation: (Int, Int)

    /// A layer with PyTorch's default initialization drawn from `generator`.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), bias: Bool = true,
        using generator: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize.0 > 0 && kernelSize.1 > 0,
            "Conv2D: invalid sizes in \(inChannels), out \(outChannels), kernel \(kernelSize)")
        let bound = 1 / Float(inChannels * kernelSize.0 * kernelSize.1).squareRoot()
        weight = Parameter(
            Tensor.uniform(
                [outChannels, inChannels, kernelSize.0, kernelSize.1], low: -bound, high: bound, using: &generator))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// `weight` and, if present, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [(name: "weight", parameter: weight)] + (bias.map { [(name: "bias", parameter: $0)] } ?? [])
    }

    /// The convolution of `input [N, Cin, H, W]`, shape `[N, Cout, Hout, Wout]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
    }
}
