import Autodiff

/// The state of an LSTM: hidden vector `h` and memory cell `c`, both `[B, H]`.
public struct LSTMState {
    /// The hidden vector (the output).
    public var hidden: Tensor
    /// The memory cell.
    public var cell: Tensor

    /// A state from its two parts.
    public init(hidden: Tensor, cell: Tensor) {
        self.hidden = hidden
        self.cell = cell
    }
}

/// The long short-term memory cell (Hochreiter & Schmidhuber 1997; `torch.nn.LSTMCell`):
///
/// ```
/// [i, f, g, o] = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh        (PyTorch gate order: input, forget, cell, output)
/// c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
/// h' = σ(o) ⊙ tanh(c')
/// ```
/// (like PyTorch, the cell is squashed with tanh before the output gate). Parameters `weightIH [4H, I]`,
/// `weightHH [4H, H]`, `biasIH [4H]`, `biasHH [4H]`.
public struct LSTMCell: RecurrentCell {
    /// Hidden vector and memory cell.
    public typealias State = LSTMState
    /// The weights in PyTorch's layout.
    public let weights: RecurrentWeights

    /// A cell with PyTorch's default initialization.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout RandomGenerator) {
        weights = RecurrentWeights(
            gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, using: &generator)
    }

    /// Number of input features.
    public var inputSize: Int { weights.weightIH.shape[1] }
    /// Number of hidden features.
    public var hiddenSize: Int { weights.weightHH.shape[1] }
    /// `weightIH`, `weightHH`, `biasIH`, `biasHH`.
    public var namedParameters: [(name: String, parameter: Parameter)] { weights.namedParameters }

    /// Zero hidden vector and cell.
    public func zeroState(batchSize: Int) -> LSTMState {
        LSTMState(hidden: Tensor.zeros([batchSize, hiddenSize]), cell: Tensor.zeros([batchSize, hiddenSize]))
    }

    /// The next state.
    public func callAsFunction(_ input: Tensor, state: LSTMState) -> LSTMState {
        Self.next(gates: weights.inputProjection(input) + weights.hiddenProjection(state.hidden), state: state)
    }

    /// Steps over `inputs [T, B, I]` with all input projections (and both biases) computed in one GEMM.
    public func sequenceStepper(_ inputs: Tensor) -> (_ step: Int, _ state: LSTMState) -> LSTMState {
        let batch = inputs.shape[1]
        let projected = weights.sequenceInputProjection(inputs, addingHiddenBias: true)
        let weights = weights
        return { step, state in
            let fromInput = projected.slice(axis: 0, range: (step * batch)..<((step + 1) * batch))
            return Self.next(gates: weights.hiddenProduct(state.hidden, adding: fromInput), state: state)
        }
    }

    /// The state after the gate pre-activations `gates [B, 4H]`, with the fused gate ops
    /// (``Tensor/lstmCellUpdate(gates:cell:)``, ``Tensor/lstmHiddenOutput(gates:cell:)``).
    private static func next(gates: Tensor, state: LSTMState) -> LSTMState {
        let cell = Tensor.lstmCellUpdate(gates: gates, cell: state.cell)
        return LSTMState(hidden: Tensor.lstmHiddenOutput(gates: gates, cell: cell), cell: cell)
    }

    /// `state.hidden`.
    public static func hidden(of state: LSTMState) -> Tensor { state.hidden }

    /// Masked choice between states, part by part.
    public static func select(_ mask: Tensor, _ new: LSTMState, _ old: LSTMState) -> LSTMState {
        LSTMState(hidden: Tensor.where(mask, new.hidden, old.hidden), cell: Tensor.where(mask, new.cell, old.cell))
    }
}
