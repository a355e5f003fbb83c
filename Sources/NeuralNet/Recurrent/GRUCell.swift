import Autodiff

/// The gated recurrent unit (Cho et al. 2014; `torch.nn.GRUCell`):
///
/// ```
/// [r, z, n]ᵢ = x·W_ihᵀ + b_ih,  [r, z, n]ₕ = h·W_hhᵀ + b_hh          (PyTorch gate order: reset, update, new)
/// r = σ(rᵢ + rₕ),  z = σ(zᵢ + zₕ),  n = tanh(nᵢ + r ⊙ nₕ)
/// h' = (1 − z) ⊙ n + z ⊙ h
/// ```
/// `z` is the update gate and `r` the reset gate of Cho et al. Parameters `weightIH [3H, I]`, `weightHH [3H, H]`,
/// `biasIH [3H]`, `biasHH [3H]`.
public struct GRUCell: RecurrentCell {
    /// The hidden vector `[B, H]`.
    public typealias State = Tensor
    /// The weights in PyTorch's layout.
    public let weights: RecurrentWeights

    /// A cell with PyTorch's default initialization.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        weights = RecurrentWeights(
            gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, using: &generator)
    }

    /// Number of input features.
    public var inputSize: Int { weights.weightIH.shape[1] }
    /// Number of hidden features.
    public var hiddenSize: Int { weights.weightHH.shape[1] }
    /// `weightIH`, `weightHH`, `biasIH`, `biasHH`.
    public var namedParameters: [(name: String, parameter: Parameter)] { weights.namedParameters }

    /// Zeros `[B, H]`.
    public func zeroState(batchSize: Int) -> Tensor { Tensor.zeros([batchSize, hiddenSize]) }

    /// The next hidden vector (gate arithmetic fused: ``Tensor/gruCellUpdate(inputGates:hiddenGates:state:)``).
    public func callAsFunction(_ input: Tensor, state: Tensor) -> Tensor {
        Tensor.gruCellUpdate(
            inputGates: weights.inputProjection(input), hiddenGates: weights.hiddenProjection(state), state: state)
    }

    /// Steps over `inputs [T, B, I]` with all input projections computed in one GEMM.
    public func sequenceStepper(_ inputs: Tensor) -> (_ step: Int, _ state: Tensor) -> Tensor {
        let batch = inputs.shape[1]
        let projected = weights.sequenceInputProjection(inputs, addingHiddenBias: false)
        let weights = weights
        return { step, state in
            Tensor.gruCellUpdate(
                inputGates: projected.slice(axis: 0, range: (step * batch)..<((step + 1) * batch)),
                hiddenGates: weights.hiddenProjection(state), state: state)
        }
    }

    /// The state itself.
    public static func hidden(of state: Tensor) -> Tensor { state }

    /// Masked choice between states.
    public static func select(_ mask: Tensor, _ new: Tensor, _ old: Tensor) -> Tensor { Tensor.where(mask, new, old) }
}
