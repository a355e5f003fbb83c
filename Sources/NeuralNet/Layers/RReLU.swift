import Autodiff

/// Randomized leaky ReLU, the slope sampled at random during training (Xu, Wang, Chen & Li 2015; `torch.nn.RReLU`):
///
/// ```
/// y = x      if x ≥ 0
/// y = a·x    otherwise,  a ~ U(lower, upper) per element in training,  a = (lower + upper)/2 in inference
/// ```
/// No parameters. A reference type: `isTraining` and the owned generator persist across calls.
public final class RReLU: Module, @unchecked Sendable {
    /// Lower bound of the sampled slope.
    public let lower: Float
    /// Upper bound of the sampled slope.
    public let upper: Float
    /// Whether slopes are sampled (training) or fixed at their mean (inference).
    public var isTraining: Bool
    /// The generator used by ``callAsFunction(_:)``.
    public var generator: RandomGenerator

    /// An RReLU with PyTorch's default bounds 1/8 and 1/3.
    public init(lower: Float = 1.0 / 8, upper: Float = 1.0 / 3, isTraining: Bool = true, seed: UInt64 = 0) {
        precondition(lower <= upper, "RReLU: lower \(lower) exceeds upper \(upper)")
        self.lower = lower
        self.upper = upper
        self.isTraining = isTraining
        generator = RandomGenerator(seed: seed)
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// The RReLU of `input` with the owned generator.
    public func callAsFunction(_ input: Tensor) -> Tensor { callAsFunction(input, using: &generator) }

    /// The RReLU of `input`, drawing slopes from `generator` in training.
    public func callAsFunction(_ input: Tensor, using generator: inout RandomGenerator) -> Tensor {
        guard isTraining else { return input.leakyRelu(negativeSlope: (lower + upper) / 2) }
        let slopes = Tensor.uniform(input.shape, low: lower, high: upper, using: &generator)
        let negativePart = input - input.relu()  // min(0, x)
        return input.relu() + slopes * negativePart
    }
}
