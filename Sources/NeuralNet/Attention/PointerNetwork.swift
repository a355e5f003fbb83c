/// A Pointer Network (Vinyals, Fortunato & Jaitly 2015): an LSTM
/// encoder reads the inputs, an LSTM decoder emits at each step a distribution over *input positions* given by
/// additive attention scores,
///
/// ```
/// eⱼ = vᵀ tanh(W₁ encⱼ + W₂ decₜ),   p(yₜ = j) = softmax_j(e)
/// ```
/// and the next decoder input is the input it pointed at (teacher forcing: the target's). With `excludingChosen`,
/// positions already chosen are masked (−∞), which suits permutation outputs such as sorting. Sublayers
/// `encoder.…` (``LSTM``), `decoder.…` (``LSTMCell``), `attention.…` (``AdditiveAttention``) and the learned first
/// decoder input `start [I]`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let network = PointerNetwork(inputSize: 1, hiddenSize: 8, using: &generator)
/// let inputs = Tensor(shape: [3, 1, 1], scalars: [0.7, 0.1, 0.4])          // [T, B, I]
/// let targets = [[1, 2, 0]]                                                 // ascending order
/// let logProbabilities = network.logProbabilities(inputs: inputs, targets: targets)   // [1, 3, 3]
/// let picked = logProbabilities.gather(along: 2, indices: IndexTensor(shape: [1, 3, 1], indices: [1, 2, 0]))
/// let loss = -picked.mean()                                   // minimise with an optimizer
/// print(loss.item, network.greedyDecode(inputs: inputs, steps: 3))   // a permutation of 0…2
/// ```
public struct PointerNetwork: ParameterContainer {
    /// Reads the input sequence.
    public let encoder: LSTM
    /// Produces one query per output step.
    public let decoder: LSTMCell
    /// Scores input positions against the decoder state.
    public let attention: AdditiveAttention
    /// The first decoder input.
    public let start: Parameter

    /// A network for inputs of `inputSize` features, drawn from `generator` (encoder, decoder, attention, start).
    public init(inputSize: Int, hiddenSize: Int, using generator: inout RandomGenerator) {
        encoder = LSTM(inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
        decoder = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize, using: &generator)
        attention = AdditiveAttention(
            queryDimension: hiddenSize, keyDimension: hiddenSize, attentionSize: hiddenSize, using: &generator)
        start = Parameter(Tensor.uniform([inputSize], low: -0.1, high: 0.1, using: &generator))
    }

    /// `encoder.…`, `decoder.…`, `attention.…`, `start`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder) + prefixed("decoder", decoder) + prefixed("attention", attention)
            + [(name: "start", parameter: start)]
    }

    /// Log-probabilities `[B, Tout, T]` over the input positions of `inputs [T, B, I]` with teacher forcing by
    /// `targets` (`[B][Tout]` positions). Masked positions hold −∞: read the targets' entries (e.g. with `gather`),
    /// do not sum the whole tensor.
    public func logProbabilities(inputs: Tensor, targets: [[Int]], excludingChosen: Bool = true) -> Tensor {
        let steps = targets.first?.count ?? 0
        precondition(
            inputs.rank == 3 && targets.count == inputs.shape[1] && targets.allSatisfy { $0.count == steps },
            "PointerNetwork: inputs \(inputs.shape) need [T, B, I] and targets one row of equal length per batch item")
        return decode(inputs: inputs, steps: steps, excludingChosen: excludingChosen) { step, _ in
            targets.map { $0[step] }
        }.logProbabilities
    }

    /// The greedy output: at each of `steps` steps the most probable position, fed back as the next input.
    public func greedyDecode(inputs: Tensor, steps: Int, excludingChosen: Bool = true) -> [[Int]] {
        withoutGradients {
            decode(inputs: inputs, steps: steps, excludingChosen: excludingChosen) { _, logProbabilities in
                logProbabilities.argmax(axis: 1).indices
            }.choices
        }
    }

    private func decode(
        inputs: Tensor, steps: Int, excludingChosen: Bool, choose: (Int, Tensor) -> [Int]
    ) -> (logProbabilities: Tensor, choices: [[Int]]) {
        precondition(inputs.rank == 3, "PointerNetwork: inputs must be [T, B, I], got \(inputs.shape)")
        let (length, batch, features) = (inputs.shape[0], inputs.shape[1], inputs.shape[2])
        precondition(
            !excludingChosen || steps <= length, "PointerNetwork: \(steps) steps exclude more than \(length) positions")
        let encoded = encoder(inputs)
        let keys = encoded.outputs.permuted([1, 0, 2])  // [B, T, H]
        let flatInputs = inputs.permuted([1, 0, 2]).reshaped([batch * length, features])
        var state = encoded.finalStates[0]
        var input = start.value.reshaped([1, features]).expanded(to: [batch, features])
        var chosen = [Float](repeating: 0, count: batch * length)
        var outputs: [Tensor] = []
        var choices = [[Int]](repeating: [], count: batch)
        for step in 0..<steps {
            state = decoder(input, state: state)
            var scores = attention.scores(query: state.hidden.unsqueezed(axis: 1), keys: keys).squeezed(axis: 1)
            if excludingChosen && step > 0 {
                scores = scores.maskedFill(Tensor(shape: [batch, length], scalars: chosen), with: -Float.infinity)
            }
            let logProbabilities = scores.logSoftmax(axis: 1)  // [B, T]
            outputs.append(logProbabilities)
            let positions = choose(step, logProbabilities)
            precondition(
                positions.count == batch && positions.allSatisfy { (0..<length).contains($0) },
                "PointerNetwork: positions \(positions) outside 0..<\(length)")
            for (b, position) in positions.enumerated() {
                chosen[b * length + position] = 1
                choices[b].append(position)
            }
            input = flatInputs.indexSelect(
                axis: 0, indices: IndexTensor(positions.enumerated().map { $0 * length + $1 }))
        }
        return (Tensor.stack(outputs, axis: 1), choices)
    }
}
