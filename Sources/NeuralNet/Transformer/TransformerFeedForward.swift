import Autodiff

/// The nonlinearity inside a Transformer's feed-forward block.
public enum TransformerActivation: String, Sendable, Equatable, CaseIterable, Codable {
    /// `max(0, x)` (Vaswani et al. 2017).
    case relu
    /// `x·Φ(x)`, the exact Gaussian error linear unit (Hendrycks & Gimpel 2016; BERT, GPT-2).
    case gelu

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .gelu: x.gelu(approximate: false)
        }
    }
}

/// The position-wise feed-forward block `linear2(dropout(σ(linear1(x))))` (Vaswani et al. 2017, §3.3), with
/// parameters `linear1.weight [F, D]`, `linear1.bias`, `linear2.weight [D, F]`, `linear2.bias`.
public struct TransformerFeedForward: ParameterContainer {
    /// `D → F`.
    public let linear1: Linear
    /// `F → D`.
    public let linear2: Linear
    /// σ.
    public let activation: TransformerActivation

    /// A block of model size `modelSize` and inner size `innerSize`, drawn in the order linear1, linear2.
    public init(
        modelSize: Int, innerSize: Int, activation: TransformerActivation, using generator: inout RandomGenerator
    ) {
        linear1 = Linear(inputSize: modelSize, outputSize: innerSize, using: &generator)
        linear2 = Linear(inputSize: innerSize, outputSize: modelSize, using: &generator)
        self.activation = activation
    }

    /// `linear1.*`, `linear2.*`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("linear1", linear1) + prefixed("linear2", linear2)
    }

    /// The block applied to `x [B, T, D]`, with dropout after σ when a generator is given.
    public func callAsFunction(_ x: Tensor, dropout: Float = 0, dropoutUsing generator: inout RandomGenerator?)
        -> Tensor
    {
        let (batch, length) = (x.shape[0], x.shape[1])
        let flat = x.reshaped([batch * length, linear1.inputSize])
        let hidden = transformerDropout(activation(linear1(flat)), dropout, &generator)
        return linear2(hidden).reshaped([batch, length, linear2.outputSize])
    }
}
