import Autodiff

/// One step of a recurrent unit: maps an input `[B, I]` and
/// a state to the next state. ``RecurrentNetwork`` runs cells over sequences, layers and directions.
public protocol RecurrentCell: ParameterContainer {
    /// The carried state (the hidden vector, plus the memory cell for an LSTM).
    associatedtype State

    /// A cell with PyTorch's default initialization U(−1/√H, 1/√H) drawn from `generator`.
    init(inputSize: Int, hiddenSize: Int, bias: Bool, using generator: inout RandomGenerator)

    /// Number of input features I.
    var inputSize: Int { get }
    /// Number of hidden features H.
    var hiddenSize: Int { get }

    /// The all-zero state for a batch of `batchSize`.
    func zeroState(batchSize: Int) -> State
    /// The next state for `input [B, I]`.
    func callAsFunction(_ input: Tensor, state: State) -> State
    /// The output (hidden vector `[B, H]`) of a state.
    static func hidden(of state: State) -> Tensor
    /// `new` where `mask [B, 1]` is 1 and `old` where it is 0 (padded steps keep the old state).
    static func select(_ mask: Tensor, _ new: State, _ old: State) -> State
    /// The step function over a whole time-major sequence `inputs [T, B, I]`: `step(t, state)` is the next state after
    /// reading `inputs[t]`, the same value as `self(inputs[t], state: state)`. A cell may do the input-dependent work
    /// of all steps at once first (the LSTM, GRU and Elman cells project all T inputs in one GEMM, as
    /// `torch.nn.LSTM` does); the default cuts the sequence into steps. ``RecurrentNetwork`` runs its cells with it.
    func sequenceStepper(_ inputs: Tensor) -> (_ step: Int, _ state: State) -> State
}

extension RecurrentCell {
    /// Cuts `inputs [T, B, I]` into T inputs `[B, I]` and calls the cell on them.
    public func sequenceStepper(_ inputs: Tensor) -> (_ step: Int, _ state: State) -> State {
        precondition(inputs.rank == 3, "RecurrentCell: sequence must be [T, B, I], got \(inputs.shape)")
        let (batch, features) = (inputs.shape[1], inputs.shape[2])
        let pieces = inputs.split(count: inputs.shape[0], axis: 0).map { $0.reshaped([batch, features]) }
        return { step, state in self(pieces[step], state: state) }
    }
}

/// The weights every cell of PyTorch's layout has: `weightIH [gates·H, I]`, `weightHH [gates·H, H]`, optional
/// `biasIH`, `biasHH [gates·H]`, drawn U(−1/√H, 1/√H) in that order (`torch.nn.RNNCell/LSTMCell/GRUCell`).
public struct RecurrentWeights: ParameterContainer {
    /// Input-to-hidden weights, `[gates·H, I]`.
    public let weightIH: Parameter
    /// Hidden-to-hidden weights, `[gates·H, H]`.
    public let weightHH: Parameter
    /// Input-to-hidden bias, `[gates·H]`, or `nil`.
    public let biasIH: Parameter?
    /// Hidden-to-hidden bias, `[gates·H]`, or `nil`.
    public let biasHH: Parameter?

    /// Weights for `gates` gates, drawn from `generator`.
    public init(gates: Int, inputSize: Int, hiddenSize: Int, bias: Bool, using generator: inout RandomGenerator) {
        precondition(inputSize > 0 && hiddenSize > 0, "RecurrentCell: invalid sizes I \(inputSize), H \(hiddenSize)")
        let bound = 1 / Float(hiddenSize).squareRoot()
        let rows = gates * hiddenSize
        weightIH = Parameter(Tensor.uniform([rows, inputSize], low: -bound, high: bound, using: &generator))
        weightHH = Parameter(Tensor.uniform([rows, hiddenSize], low: -bound, high: bound, using: &generator))
        biasIH = bias ? Parameter(Tensor.uniform([rows], low: -bound, high: bound, using: &generator)) : nil
        biasHH = bias ? Parameter(Tensor.uniform([rows], low: -bound, high: bound, using: &generator)) : nil
    }

    /// `weightIH`, `weightHH`, then the biases if present.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = [(name: "weightIH", parameter: weightIH), (name: "weightHH", parameter: weightHH)]
        if let biasIH, let biasHH {
            result += [(name: "biasIH", parameter: biasIH), (name: "biasHH", parameter: biasHH)]
        }
        return result
    }

    /// `x·W_ihᵀ + b_ih`, `[B, gates·H]`.
    func inputProjection(_ input: Tensor) -> Tensor {
        precondition(
            input.rank == 2 && input.shape[1] == weightIH.shape[1],
            "RecurrentCell: input \(input.shape) is not [B, \(weightIH.shape[1])]")
        guard let biasIH else { return Tensor.matmul(input, weightIH.value, transposeB: true) }
        return Tensor.affine(input, weight: weightIH.value, bias: biasIH.value)
    }

    /// `x·W_ihᵀ + b_ih` (`+ b_hh` when `addingHiddenBias`) for every step of `inputs [T, B, I]` in one GEMM, as
    /// `[T·B, gates·H]` (step `t` is rows `t·B ..< (t + 1)·B`).
    func sequenceInputProjection(_ inputs: Tensor, addingHiddenBias: Bool) -> Tensor {
        precondition(
            inputs.rank == 3 && inputs.shape[2] == weightIH.shape[1],
            "RecurrentCell: sequence \(inputs.shape) is not [T, B, \(weightIH.shape[1])]")
        let rows = inputs.shape[0] * inputs.shape[1]
        let flat = inputs.reshaped([rows, inputs.shape[2]])
        guard let biasIH, let biasHH else { return Tensor.matmul(flat, weightIH.value, transposeB: true) }
        // The bias goes into the GEMM's output (one op, no broadcast pass over the [T·B, G·H] projections).
        return Tensor.affine(
            flat, weight: weightIH.value, bias: addingHiddenBias ? biasIH.value + biasHH.value : biasIH.value)
    }

    /// `h·W_hhᵀ` without the bias, `[B, gates·H]`.
    func hiddenProduct(_ hidden: Tensor) -> Tensor {
        Tensor.matmul(hidden, weightHH.value, transposeB: true)
    }

    /// `addend + h·W_hhᵀ` as one op (the GEMM accumulates onto a copy of `addend [B, gates·H]`).
    func hiddenProduct(_ hidden: Tensor, adding addend: Tensor) -> Tensor {
        Tensor.affine(hidden, weight: weightHH.value, bias: addend)
    }

    /// `h·W_hhᵀ + b_hh`, `[B, gates·H]`.
    func hiddenProjection(_ hidden: Tensor) -> Tensor {
        guard let biasHH else { return Tensor.matmul(hidden, weightHH.value, transposeB: true) }
        return Tensor.affine(hidden, weight: weightHH.value, bias: biasHH.value)
    }
}
