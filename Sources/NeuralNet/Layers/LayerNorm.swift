import Autodiff

/// Layer normalization over the trailing axes (Ba, Kiros & Hinton 2016; `torch.nn.LayerNorm`):
///
/// ```
/// y = (x − μ) / √(σ² + ε) · γ + β        μ, σ² (biased) over the last `normalizedShape.count` axes
/// ```
/// The same statistics in training and inference (unlike ``BatchNorm``). With `elementwiseAffine`, parameters
/// `weight` (γ, ones) and `bias` (β, zeros) of shape `normalizedShape`.
public struct LayerNorm: Module {
    /// The trailing shape normalized over.
    public let normalizedShape: [Int]
    /// Added to the variance for stability.
    public let epsilon: Float
    /// γ, or `nil` without elementwise affine.
    public let weight: Parameter?
    /// β, or `nil` without elementwise affine.
    public let bias: Parameter?

    /// A layer with PyTorch's defaults (ε = 1e-5, elementwise affine).
    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
            "LayerNorm: invalid normalizedShape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    /// `weight` and `bias` with elementwise affine.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        guard let weight, let bias else { return [] }
        return [(name: "weight", parameter: weight), (name: "bias", parameter: bias)]
    }

    /// The normalized input (same shape), which must end in `normalizedShape`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let k = normalizedShape.count
        precondition(
            input.rank >= k && Array(input.shape.suffix(k)) == normalizedShape,
            "LayerNorm: input shape \(input.shape) does not end in \(normalizedShape)")
        let axes = Array((input.rank - k)..<input.rank)
        let centered = input - input.mean(alongAxes: axes, keepingDimensions: true)
        let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
        let normalized = centered / (variance + epsilon).sqrt()
        guard let weight, let bias else { return normalized }
        return normalized * weight.value + bias.value
    }
}
