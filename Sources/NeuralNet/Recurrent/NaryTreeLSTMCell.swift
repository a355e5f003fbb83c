/// The N-ary Tree-LSTM unit (Tai, Socher & Manning 2015, §3.2): for trees
/// with at most N ordered children, each child position has its own hidden weights,
///
/// ```
/// i = σ(W_i x + Σₗ U_iˡ hₗ + b_i),   o = σ(W_o x + Σₗ U_oˡ hₗ + b_o),   u = tanh(W_u x + Σₗ U_uˡ hₗ + b_u)
/// fₖ = σ(W_f x + Σₗ U_fᵏˡ hₗ + b_f)                                     (one forget gate per child k)
/// c = i ⊙ u + Σₗ fₗ ⊙ cₗ,   h = o ⊙ tanh(c)
/// ```
/// Parameters `weightIH [4H, I]` (rows i, f, o, u), `weightHH [3H, N·H]` (rows i, o, u over the concatenated
/// children), `forgetWeightHH [N·H, N·H]` (block row k gives fₖ), `bias [4H]`, drawn U(−1/√H, 1/√H).
/// Absent children (`nil`) count as zero states.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let cell = NaryTreeLSTMCell(inputSize: 4, hiddenSize: 8, arity: 2, using: &generator)
/// let token = { (index: Int) in Tensor.oneHot(IndexTensor([index]), classes: 4) }
/// // (2 + 3): leaves first, then the operator node with its ordered children.
/// let two = cell(token(2), children: [nil, nil])
/// let three = cell(token(3), children: [nil, nil])
/// let sum = cell(token(0), children: [two, three])
/// print(sum.hidden.shape)                                        // [1, 8]
/// ```
public struct NaryTreeLSTMCell: ParameterContainer {
    /// `[W_i; W_f; W_o; W_u]`, shape `[4H, I]`.
    public let weightIH: Parameter
    /// `[U_i; U_o; U_u]` over `[h₁; …; h_N]`, shape `[3H, N·H]`.
    public let weightHH: Parameter
    /// `U_fᵏˡ` as a `[N·H, N·H]` block matrix.
    public let forgetWeightHH: Parameter
    /// `[b_i; b_f; b_o; b_u]`, shape `[4H]`.
    public let bias: Parameter
    /// The number of child positions N.
    public let arity: Int

    /// A unit drawn from `generator` (weightIH, weightHH, forgetWeightHH, bias).
    public init(inputSize: Int, hiddenSize: Int, arity: Int = 2, using generator: inout RandomGenerator) {
        precondition(
            inputSize > 0 && hiddenSize > 0 && arity > 0,
            "NaryTreeLSTMCell: invalid sizes I \(inputSize), H \(hiddenSize), N \(arity)")
        let bound = 1 / Float(hiddenSize).squareRoot()
        let h = hiddenSize
        weightIH = Parameter(Tensor.uniform([4 * h, inputSize], low: -bound, high: bound, using: &generator))
        weightHH = Parameter(Tensor.uniform([3 * h, arity * h], low: -bound, high: bound, using: &generator))
        forgetWeightHH = Parameter(
            Tensor.uniform([arity * h, arity * h], low: -bound, high: bound, using: &generator))
        bias = Parameter(Tensor.uniform([4 * h], low: -bound, high: bound, using: &generator))
        self.arity = arity
    }

    /// Number of input features I.
    public var inputSize: Int { weightIH.shape[1] }
    /// Number of hidden features H.
    public var hiddenSize: Int { weightIH.shape[0] / 4 }

    /// `weightIH`, `weightHH`, `forgetWeightHH`, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [
            (name: "weightIH", parameter: weightIH), (name: "weightHH", parameter: weightHH),
            (name: "forgetWeightHH", parameter: forgetWeightHH), (name: "bias", parameter: bias),
        ]
    }

    /// The state of a node with `input [B, I]` and exactly `arity` child slots (`nil` = no child there).
    public func callAsFunction(_ input: Tensor, children: [LSTMState?]) -> LSTMState {
        precondition(
            input.rank == 2 && input.shape[1] == inputSize && children.count == arity,
            "NaryTreeLSTMCell: input \(input.shape) with \(children.count) child slots; needs [B, \(inputSize)] "
                + "and \(arity) slots")
        let (batch, size) = (input.shape[0], hiddenSize)
        let zero = Tensor.zeros([batch, size])
        let hidden = Tensor.concatenate(children.map { $0?.hidden ?? zero }, axis: 1)  // [B, N·H]
        let fromInput = (Tensor.matmul(input, weightIH.value, transposeB: true) + bias.value).split(count: 4, axis: 1)
        let fromChildren = Tensor.matmul(hidden, weightHH.value, transposeB: true).split(count: 3, axis: 1)
        let forgets = Tensor.matmul(hidden, forgetWeightHH.value, transposeB: true).split(count: arity, axis: 1)
        let inputGate = (fromInput[0] + fromChildren[0]).sigmoid()
        let outputGate = (fromInput[2] + fromChildren[1]).sigmoid()
        let update = (fromInput[3] + fromChildren[2]).tanh()
        var cell = inputGate * update
        for (slot, child) in children.enumerated() {
            guard let child else { continue }
            cell = cell + (fromInput[1] + forgets[slot]).sigmoid() * child.cell
        }
        return LSTMState(hidden: outputGate * cell.tanh(), cell: cell)
    }
}
