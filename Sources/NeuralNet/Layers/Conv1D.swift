import Autodiff

/// A 1-D convolution layer over `[N, Cin, L]` inputs, wrapping ``conv1d(_:weight:bias:stride:padding:dilation:)``.
///
/// Follows `torch.nn.Conv1d` (groups = 1): parameters `weight [Cout, Cin, K]` and `bias [Cout]`, initialised
/// U(−1/√fanIn, 1/√fanIn) with fanIn = Cin·K (PyTorch's default), weight first.
public struct Conv1D: Module {
    /// Kernel, shape `[outChannels, inChannels, kernelSize]`.
    public let weight: Parameter
    /// Bias, shape `[outChannels]`, or `nil`.
    public let bias: Parameter?
    /// Step between windows.
    public let stride: Int
    /// Zeros added at both ends.
    public let padding: Int
    /// Spacing between kernel taps.
    public let dilation: Int

    /// A layer with PyTorch's default initialization drawn from `generator`.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
        bias: Bool = true, using generator: inout RandomGenerator
    ) {
        precondition(
            inChannels > 0 && outChannels > 0 && kernelSize > 0,
            "Conv1D: invalid sizes in \(inChannels), out \(outChannels), kernel \(kernelSize)")
        let bound = 1 / Float(inChannels * kernelSize).squareRoot()
        weight = Parameter(
            Tensor.uniform([outChannels, inChannels, kernelSize], low: -bound, high: bound, using: &generator))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
    }

    /// `weight` and, if present, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [(name: "weight", parameter: weight)] + (bias.map { [(name: "bias", parameter: $0)] } ?? [])
    }

    /// The convolution of `input [N, Cin, L]`, shape `[N, Cout, Lout]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        conv1d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
    }
}
