import Autodiff

/// The Elman recurrent cell (`torch.nn.RNNCell`): `h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`.
///
/// Parameters `weightIH [H, I]`, `weightHH [H, H]`, `biasIH [H]`, `biasHH [H]`. Elman, "Finding Structure in Time"
/// (1990).
public struct RNNCell: RecurrentCell {
    /// The hidden vector `[B, H]`.
    public typealias State = Tensor
    /// The weights in PyTorch's layout.
    public let weights: RecurrentWeights

    /// A cell with PyTorch's default initialization.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        weights = RecurrentWeights(
            gates: 1, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, using: &generator)
    }

    /// Number of input features.
    public var inputSize: Int { weights.weightIH.shape[1] }
    /// Number of hidden features.
    public var hiddenSize: Int { weights.weightHH.shape[1] }
    /// `weightIH`, `weightHH`, `biasIH`, `biasHH`.
    public var namedParameters: [(name: String, parameter: Parameter)] { weights.namedParameters }

    /// Zeros `[B, H]`.
    public func zeroState(batchSize: Int) -> Tensor { Tensor.zeros([batchSize, hiddenSize]) }

    /// The next hidden vector.
    public func callAsFunction(_ input: Tensor, state: Tensor) -> Tensor {
        (weights.inputProjection(input) + weights.hiddenProjection(state)).tanh()
    }

    /// Steps over `inputs [T, B, I]` with all input projections (and both biases) computed in one GEMM.
    public func sequenceStepper(_ inputs: Tensor) -> (_ step: Int, _ state: Tensor) -> Tensor {
        let batch = inputs.shape[1]
        let projected = weights.sequenceInputProjection(inputs, addingHiddenBias: true)
        let weights = weights
        return { step, state in
            weights.hiddenProduct(state, adding: projected.slice(axis: 0, range: (step * batch)..<((step + 1) * batch)))
                .tanh()
        }
    }

    /// The state itself.
    public static func hidden(of state: Tensor) -> Tensor { state }

    /// Masked choice between states.
    public static func select(_ mask: Tensor, _ new: Tensor, _ old: Tensor) -> Tensor { Tensor.where(mask, new, old) }
}
