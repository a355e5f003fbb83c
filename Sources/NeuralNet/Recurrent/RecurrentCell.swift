import Autodiff

/// One step of a recurrent unit (§5.2 of the design notes, "Recurrent Neural Network"): maps an input `[B, I]` and
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
        let product = Tensor.matmul(input, weightIH.value, transposeB: true)
        return biasIH.map { product + $0.value } ?? product
    }

    /// `h·W_hhᵀ + b_hh`, `[B, gates·H]`.
    func hiddenProjection(_ hidden: Tensor) -> Tensor {
        let product = Tensor.matmul(hidden, weightHH.value, transposeB: true)
        return biasHH.map { product + $0.value } ?? product
    }
}
