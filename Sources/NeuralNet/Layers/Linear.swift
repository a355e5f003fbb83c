/// A fully connected layer: `y = x·Wᵀ + b`, with `W` of shape `[outputSize, inputSize]`.
///
/// Follows `torch.nn.Linear` (https://pytorch.org/docs/stable/generated/torch.nn.Linear.html): parameters named
/// `weight` and `bias`, and PyTorch's default initialization — Kaiming-uniform with a = √5 for the weight, which is
/// U(−1/√fanIn, 1/√fanIn), and the same bound for the bias (weight drawn first, then bias).
public struct Linear: Module {
    /// `W`, shape `[outputSize, inputSize]`.
    public let weight: Parameter
    /// `b`, shape `[outputSize]`, or `nil` for a layer without bias.
    public let bias: Parameter?

    /// A layer with PyTorch's default initialization drawn from `generator`.
    ///
    /// - Precondition: `inputSize >= 0` and `outputSize >= 0`.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        precondition(
            inputSize >= 0 && outputSize >= 0,
            "Linear: invalid sizes inputSize \(inputSize), outputSize \(outputSize)")
        // kaiming_uniform_(a: √5): gain = √(2 / (1 + 5)), bound = gain·√(3 / fanIn) = 1/√fanIn.
        let bound: Float = inputSize > 0 ? 1 / Float(inputSize).squareRoot() : 0
        weight = Parameter(Tensor.uniform([outputSize, inputSize], low: -bound, high: bound, using: &generator))
        self.bias =
            bias
            ? Parameter(Tensor.uniform([outputSize], low: -bound, high: bound, using: &generator)) : nil
    }

    /// A layer with the given weight `[outputSize, inputSize]` and optional bias `[outputSize]`.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [outputSize, inputSize], got \(weight.shape)")
        if let bias {
            precondition(
                bias.shape == [weight.shape[0]],
                "Linear: bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// Number of input features.
    public var inputSize: Int { weight.shape[1] }
    /// Number of output features.
    public var outputSize: Int { weight.shape[0] }

    /// `weight` and, if present, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [(name: "weight", parameter: weight)] + (bias.map { [(name: "bias", parameter: $0)] } ?? [])
    }

    /// `x·Wᵀ + b` for `x` of shape `[…, inputSize]` (rank ≥ 1), one GEMM with W used transposed in place; with a
    /// bias, one ``Tensor/affine(_:weight:bias:)`` op (the GEMM accumulates onto the bias rows).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(
            input.rank >= 1 && input.shape[input.rank - 1] == inputSize,
            "Linear: input shape \(input.shape) does not end in inputSize \(inputSize)")
        let rows = input.shape.dropLast().reduce(1, *)
        let matrix = input.rank == 2 ? input : input.reshaped([rows, inputSize])
        let output =
            bias.map { Tensor.affine(matrix, weight: weight.value, bias: $0.value) }
            ?? Tensor.matmul(matrix, weight.value, transposeB: true)
        return input.rank == 2 ? output : output.reshaped(Array(input.shape.dropLast()) + [outputSize])
    }
}
