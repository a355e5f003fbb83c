import Autodiff

/// Inverted dropout as a layer (`torch.nn.Dropout`; Srivastava et al. 2014): in training each scalar is zeroed with
/// probability `probability` and survivors are scaled by `1/(1 − p)`; in inference it is the identity.
///
/// A reference type so that `isTraining` and the owned generator persist across calls; the explicit-generator
/// overload ``callAsFunction(_:using:)`` leaves the owned generator untouched.
public final class Dropout: Module, @unchecked Sendable {
    /// Probability of zeroing a scalar.
    public let probability: Float
    /// Whether masks are drawn (training) or the input passes unchanged (inference).
    public var isTraining: Bool
    /// The generator used by ``callAsFunction(_:)``.
    public var generator: RandomGenerator

    /// A dropout layer in training mode drawing from `RandomGenerator(seed: seed)`.
    public init(probability: Float = 0.5, isTraining: Bool = true, seed: UInt64 = 0) {
        precondition((0...1).contains(probability), "Dropout: probability \(probability) not in [0, 1]")
        self.probability = probability
        self.isTraining = isTraining
        generator = RandomGenerator(seed: seed)
    }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// Dropout of `input` with the owned generator.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        input.dropout(probability: probability, training: isTraining, using: &generator)
    }

    /// Dropout of `input` drawing from `generator`.
    public func callAsFunction(_ input: Tensor, using generator: inout RandomGenerator) -> Tensor {
        input.dropout(probability: probability, training: isTraining, using: &generator)
    }
}
