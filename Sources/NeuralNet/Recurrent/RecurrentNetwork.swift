import Autodiff

/// What a ``RecurrentNetwork`` returns: the top layer's outputs and every layer's final state.
public struct RecurrentOutput<State> {
    /// Top-layer outputs `[T, B, D·H]` (D = 2 when bidirectional: forward then reverse features); zeros at padded steps.
    public let outputs: Tensor
    /// Final states in PyTorch's order: layer 0 forward, layer 0 reverse, layer 1 forward, …. A padded step does
    /// not change a state, so the forward final state is the one after each sequence's last valid step.
    public let finalStates: [State]

    /// The outputs and final states of a run.
    @inlinable public init(outputs: Tensor, finalStates: [State]) {
        self.outputs = outputs
        self.finalStates = finalStates
    }
}

/// A multi-layer, optionally bidirectional recurrent network over time-major `[T, B, I]` sequences
/// (`torch.nn.RNN/LSTM/GRU` without inter-layer dropout), with padding given as `lengths` or a `[T, B]` mask.
///
/// At a padded step (mask 0) a direction keeps its previous state and emits zeros, so padding never changes a
/// state or an output; the reverse direction therefore starts at each sequence's last valid step. Layer `l > 0`
/// reads the outputs of layer `l − 1`. Parameters are named `layer{l}.forward.weightIH`, …,
/// `layer{l}.reverse.biasHH`.
///
/// With `dropout > 0`, the calls that take a generator (training) apply inverted dropout to the outputs of every
/// layer but the last, as PyTorch's `dropout` argument; the calls without a generator (inference) do not.
public struct RecurrentNetwork<Cell: RecurrentCell>: ParameterContainer {
    /// `cells[layer][direction]`, direction 0 forward and 1 reverse.
    public let cells: [[Cell]]
    /// Dropout probability between stacked layers in training.
    public let dropout: Float

    /// A network whose cells are drawn from `generator` layer by layer, forward before reverse.
    public init(
        inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bidirectional: Bool = false, bias: Bool = true,
        dropout: Float = 0, using generator: inout RandomGenerator
    ) {
        precondition(layerCount > 0, "RecurrentNetwork: layerCount \(layerCount) must be positive")
        precondition((0..<1).contains(dropout), "RecurrentNetwork: dropout \(dropout) not in [0, 1)")
        self.dropout = dropout
        let directions = bidirectional ? 2 : 1
        var cells: [[Cell]] = []
        for layer in 0..<layerCount {
            let size = layer == 0 ? inputSize : directions * hiddenSize
            cells.append(
                (0..<directions).map { _ in
                    Cell(inputSize: size, hiddenSize: hiddenSize, bias: bias, using: &generator)
                })
        }
        self.cells = cells
    }

    /// A network from given cells (`cells[layer][direction]`), e.g. with weights copied from elsewhere.
    public init(cells: [[Cell]], dropout: Float = 0) {
        precondition((0..<1).contains(dropout), "RecurrentNetwork: dropout \(dropout) not in [0, 1)")
        self.dropout = dropout
        precondition(
            !cells.isEmpty && cells.allSatisfy { $0.count == cells[0].count } && (1...2).contains(cells[0].count),
            "RecurrentNetwork: needs one or two cells per layer, the same for every layer")
        self.cells = cells
    }

    /// Whether each layer also runs backwards in time.
    @inlinable public var isBidirectional: Bool { cells[0].count == 2 }
    /// Number of stacked layers.
    @inlinable public var layerCount: Int { cells.count }
    /// Hidden size of every cell.
    @inlinable public var hiddenSize: Int { cells[0][0].hiddenSize }

    /// `layer{l}.forward.…` and `layer{l}.reverse.…`.
    @inlinable public var namedParameters: [(name: String, parameter: Parameter)] {
        cells.enumerated().flatMap { layer, pair in
            pair.enumerated().flatMap { direction, cell in
                prefixed("layer\(layer).\(direction == 0 ? "forward" : "reverse")", cell)
            }
        }
    }

    /// Runs over `input [T, B, I]`; `lengths[b]` valid steps for sequence `b` (all `T` when `nil`). Inference: no
    /// dropout.
    @inlinable public func callAsFunction(
        _ input: Tensor, lengths: [Int]? = nil, initialStates: [Cell.State]? = nil
    ) -> RecurrentOutput<Cell.State> {
        run(input, mask: mask(for: input, lengths: lengths), initialStates: initialStates) { $0 }
    }

    /// Runs over `input [T, B, I]` in training: as ``callAsFunction(_:lengths:initialStates:)`` with dropout
    /// between layers drawn from `generator`.
    @inlinable public func callAsFunction(
        _ input: Tensor, lengths: [Int]? = nil, initialStates: [Cell.State]? = nil,
        dropoutUsing generator: inout RandomGenerator
    ) -> RecurrentOutput<Cell.State> {
        run(input, mask: mask(for: input, lengths: lengths), initialStates: initialStates) {
            $0.dropout(probability: dropout, training: true, using: &generator)
        }
    }

    /// Runs over `input [T, B, I]` with `mask [T, B]` (1 = real step, 0 = padding). Inference: no dropout.
    @inlinable public func callAsFunction(
        _ input: Tensor, mask: Tensor, initialStates: [Cell.State]? = nil
    ) -> RecurrentOutput<Cell.State> {
        precondition(
            input.rank == 3 && mask.shape == [input.shape[0], input.shape[1]],
            "RecurrentNetwork: mask \(mask.shape) is not [T, B] for input \(input.shape)")
        return run(input, mask: mask, initialStates: initialStates) { $0 }
    }

    /// The `[T, B]` mask of `lengths`, or `nil` when every step is valid.
    @inlinable func mask(for input: Tensor, lengths: [Int]?) -> Tensor? {
        precondition(input.rank == 3, "RecurrentNetwork: input must be [T, B, I], got \(input.shape)")
        guard let lengths else { return nil }
        let (steps, batch) = (input.shape[0], input.shape[1])
        precondition(
            lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) },
            "RecurrentNetwork: lengths \(lengths) do not fit input \(input.shape)")
        var mask = [Float](repeating: 0, count: steps * batch)
        for b in 0..<batch { for t in 0..<lengths[b] { mask[t * batch + b] = 1 } }
        return Tensor(shape: [steps, batch], scalars: mask)
    }

    @inlinable func run(
        _ input: Tensor, mask: Tensor?, initialStates: [Cell.State]?, betweenLayers: (Tensor) -> Tensor
    ) -> RecurrentOutput<Cell.State> {
        let (steps, batch) = (input.shape[0], input.shape[1])
        precondition(steps > 0, "RecurrentNetwork: empty sequence \(input.shape)")
        precondition(
            input.shape[2] == cells[0][0].inputSize,
            "RecurrentNetwork: input \(input.shape) does not have \(cells[0][0].inputSize) features")
        let directions = cells[0].count
        if let initialStates {
            precondition(
                initialStates.count == layerCount * directions,
                "RecurrentNetwork: \(initialStates.count) initial states for \(layerCount * directions) cells")
        }
        let stepMasks = mask.map { m in m.split(count: steps, axis: 0).map { $0.reshaped([batch, 1]) } }
        var layerInput = input
        var finalStates: [Cell.State] = []
        for (layer, pair) in cells.enumerated() {
            var directionOutputs: [Tensor] = []
            for (direction, cell) in pair.enumerated() {
                var state = initialStates?[layer * directions + direction] ?? cell.zeroState(batchSize: batch)
                var outputs = [Tensor?](repeating: nil, count: steps)
                let order = direction == 0 ? Array(0..<steps) : Array((0..<steps).reversed())
                let step = cell.sequenceStepper(layerInput)
                for t in order {
                    let next = step(t, state)
                    if let stepMasks {
                        state = Cell.select(stepMasks[t], next, state)
                        outputs[t] = Cell.hidden(of: next) * stepMasks[t]
                    } else {
                        state = next
                        outputs[t] = Cell.hidden(of: next)
                    }
                }
                finalStates.append(state)
                directionOutputs.append(Tensor.stack(outputs.compactMap { $0 }, axis: 0))
            }
            layerInput = directions == 1 ? directionOutputs[0] : Tensor.concatenate(directionOutputs, axis: 2)
            if layer < layerCount - 1 && dropout > 0 { layerInput = betweenLayers(layerInput) }
        }
        return RecurrentOutput(outputs: layerInput, finalStates: finalStates)
    }
}

/// A multi-layer Elman RNN over sequences (`torch.nn.RNN` with tanh).
public typealias RNN = RecurrentNetwork<RNNCell>
/// A multi-layer LSTM over sequences (`torch.nn.LSTM`).
public typealias LSTM = RecurrentNetwork<LSTMCell>
/// A multi-layer GRU over sequences (`torch.nn.GRU`).
public typealias GRU = RecurrentNetwork<GRUCell>
