/// A Grid LSTM cell in concatenation form (after Kalchbrenner, Danihelka & Graves 2016, "Grid Long Short-Term
/// Memory"): the states along every grid dimension are concatenated and updated by one vanilla LSTM,
///
/// ```
/// ([c′; a′], [h′; b′]) = LSTM(x, ([c; a], [h; b]))
/// ```
/// and the result is split back into one state per dimension (two dimensions give `(c, h)` and `(a, b)`; three or
/// four give 3-D or 4-D LSTMs by the same concatenation). Parameters are those of the inner ``LSTMCell`` of
/// hidden size `Σ dimensionSizes`, prefixed `lstm.`.
public struct GridLSTMCell: ParameterContainer {
    /// The hidden size of each grid dimension.
    public let dimensionSizes: [Int]
    /// The LSTM over the concatenated states.
    public let lstm: LSTMCell

    /// A cell for `inputSize` features and one state of each size in `dimensionSizes`, drawn from `generator`.
    public init(inputSize: Int, dimensionSizes: [Int], bias: Bool = true, using generator: inout RandomGenerator) {
        precondition(
            !dimensionSizes.isEmpty && dimensionSizes.allSatisfy { $0 > 0 },
            "GridLSTMCell: invalid dimensionSizes \(dimensionSizes)")
        self.dimensionSizes = dimensionSizes
        lstm = LSTMCell(
            inputSize: inputSize, hiddenSize: dimensionSizes.reduce(0, +), bias: bias, using: &generator)
    }

    /// `lstm.weightIH`, `lstm.weightHH`, `lstm.biasIH`, `lstm.biasHH`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("lstm", lstm) }

    /// Zero states, one per dimension.
    public func zeroStates(batchSize: Int) -> [LSTMState] {
        dimensionSizes.map { LSTMState(hidden: Tensor.zeros([batchSize, $0]), cell: Tensor.zeros([batchSize, $0])) }
    }

    /// The next state of every dimension for `input [B, I]` and `states` (one per dimension, `[B, size]` each).
    public func callAsFunction(_ input: Tensor, states: [LSTMState]) -> [LSTMState] {
        precondition(
            states.count == dimensionSizes.count,
            "GridLSTMCell: \(states.count) states for \(dimensionSizes.count) dimensions")
        let joined = LSTMState(
            hidden: Tensor.concatenate(states.map(\.hidden), axis: 1),
            cell: Tensor.concatenate(states.map(\.cell), axis: 1))
        let next = lstm(input, state: joined)
        let hidden = next.hidden.split(sizes: dimensionSizes, axis: 1)
        let cell = next.cell.split(sizes: dimensionSizes, axis: 1)
        return zip(hidden, cell).map { LSTMState(hidden: $0, cell: $1) }
    }
}
