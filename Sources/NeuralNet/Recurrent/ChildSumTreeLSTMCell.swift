/// The Child-Sum Tree-LSTM unit (Tai, Socher & Manning 2015, §3.1): a node's
/// state from its input and any number of children's states, with one forget gate per child,
///
/// ```
/// h̃ = Σₖ hₖ
/// i = σ(W_i x + U_i h̃ + b_i),   o = σ(W_o x + U_o h̃ + b_o),   u = tanh(W_u x + U_u h̃ + b_u)
/// fₖ = σ(W_f x + U_f hₖ + b_f)
/// c = i ⊙ u + Σₖ fₖ ⊙ cₖ,       h = o ⊙ tanh(c)
/// ```
/// Parameters `weightIH [4H, I]` (rows: i, f, o, u), `weightHH [4H, H]`, `bias [4H]`, drawn U(−1/√H, 1/√H). The
/// unit is independent of any tree type: evaluate children first and pass their states (none for a leaf). It is
/// invariant to the order of the children.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let cell = ChildSumTreeLSTMCell(inputSize: 4, hiddenSize: 8, using: &generator)
/// let words = Tensor.normal([3, 4], using: &generator)          // three leaves, batch 1 each
/// let leaves = (0..<3).map { cell(words.slice(axis: 0, range: $0..<($0 + 1)), children: []) }
/// let root = cell(Tensor.zeros([1, 4]), children: leaves)       // any number of children
/// print(root.hidden.shape)                                       // [1, 8]
/// ```
public struct ChildSumTreeLSTMCell: ParameterContainer {
    /// `[W_i; W_f; W_o; W_u]`, shape `[4H, I]`.
    public let weightIH: Parameter
    /// `[U_i; U_f; U_o; U_u]`, shape `[4H, H]`.
    public let weightHH: Parameter
    /// `[b_i; b_f; b_o; b_u]`, shape `[4H]`.
    public let bias: Parameter

    /// A unit drawn from `generator` (weightIH, weightHH, bias).
    public init(inputSize: Int, hiddenSize: Int, using generator: inout RandomGenerator) {
        precondition(
            inputSize > 0 && hiddenSize > 0, "ChildSumTreeLSTMCell: invalid sizes I \(inputSize), H \(hiddenSize)")
        let bound = 1 / Float(hiddenSize).squareRoot()
        weightIH = Parameter(Tensor.uniform([4 * hiddenSize, inputSize], low: -bound, high: bound, using: &generator))
        weightHH = Parameter(Tensor.uniform([4 * hiddenSize, hiddenSize], low: -bound, high: bound, using: &generator))
        bias = Parameter(Tensor.uniform([4 * hiddenSize], low: -bound, high: bound, using: &generator))
    }

    /// Number of input features I.
    public var inputSize: Int { weightIH.shape[1] }
    /// Number of hidden features H.
    public var hiddenSize: Int { weightHH.shape[1] }

    /// `weightIH`, `weightHH`, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [
            (name: "weightIH", parameter: weightIH), (name: "weightHH", parameter: weightHH),
            (name: "bias", parameter: bias),
        ]
    }

    /// The state of a node with `input [B, I]` and its `children`'s states (`[B, H]` parts; empty for a leaf).
    public func callAsFunction(_ input: Tensor, children: [LSTMState]) -> LSTMState {
        precondition(
            input.rank == 2 && input.shape[1] == inputSize,
            "ChildSumTreeLSTMCell: input \(input.shape) is not [B, \(inputSize)]")
        let size = hiddenSize
        let batch = input.shape[0]
        let fromInput = (Tensor.matmul(input, weightIH.value, transposeB: true) + bias.value).split(count: 4, axis: 1)
        let childSum = children.dropFirst().reduce(children.first?.hidden ?? Tensor.zeros([batch, size])) {
            $0 + $1.hidden
        }
        let fromChildren = Tensor.matmul(childSum, weightHH.value, transposeB: true).split(count: 4, axis: 1)
        let inputGate = (fromInput[0] + fromChildren[0]).sigmoid()
        let outputGate = (fromInput[2] + fromChildren[2]).sigmoid()
        let update = (fromInput[3] + fromChildren[3]).tanh()
        var cell = inputGate * update
        if !children.isEmpty {
            let forgetWeight = weightHH.value.slice(axis: 0, range: size..<(2 * size))
            for child in children {
                precondition(
                    child.hidden.shape == [batch, size] && child.cell.shape == [batch, size],
                    "ChildSumTreeLSTMCell: child state \(child.hidden.shape) is not [\(batch), \(size)]")
                let forget = (fromInput[1] + Tensor.matmul(child.hidden, forgetWeight, transposeB: true)).sigmoid()
                cell = cell + forget * child.cell
            }
        }
        return LSTMState(hidden: outputGate * cell.tanh(), cell: cell)
    }
}
