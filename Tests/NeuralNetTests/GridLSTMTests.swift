import NeuralNet
import Testing

@Suite("Grid LSTM (concatenation form) and second-order gradients through cells")
struct GridLSTMTests {
    @Test func gridCellIsAnLSTMOverConcatenatedStates() {
        var generator = RandomGenerator(seed: 1)
        let grid = GridLSTMCell(inputSize: 2, dimensionSizes: [2, 1], using: &generator)
        #expect(grid.namedParameters.map(\.name) == ["lstm.weightIH", "lstm.weightHH", "lstm.biasIH", "lstm.biasHH"])
        #expect(grid.lstm.weights.weightHH.shape == [12, 3])
        let x = Tensor.normal([2, 2], using: &generator)
        let states = [
            LSTMState(
                hidden: Tensor.normal([2, 2], using: &generator), cell: Tensor.normal([2, 2], using: &generator)),
            LSTMState(
                hidden: Tensor.normal([2, 1], using: &generator), cell: Tensor.normal([2, 1], using: &generator)),
        ]
        let next = grid(x, states: states)
        #expect(next.map(\.hidden.shape) == [[2, 2], [2, 1]])
        let joined = grid.lstm(
            x,
            state: LSTMState(
                hidden: Tensor.concatenate([states[0].hidden, states[1].hidden], axis: 1),
                cell: Tensor.concatenate([states[0].cell, states[1].cell], axis: 1)))
        #expect(Tensor.concatenate([next[0].hidden, next[1].hidden], axis: 1) == joined.hidden)
        #expect(Tensor.concatenate([next[0].cell, next[1].cell], axis: 1) == joined.cell)
        #expect(grid.zeroStates(batchSize: 3).map(\.cell.shape) == [[3, 2], [3, 1]])
        let error = layerGradientError(inputs: [x, states[1].hidden], parameters: grid.parameters) { t in
            let out = grid(t[0], states: [states[0], LSTMState(hidden: t[1], cell: states[1].cell)])
            return Tensor.concatenate(out.map(\.hidden) + out.map(\.cell), axis: 1)
        }
        #expect(error < 1e-2)
    }

    @Test func cellsHaveCorrectSecondOrderGradients() {
        // Gradients of gradients through the cells (needed by meta-learning): checked against finite differences.
        var generator = RandomGenerator(seed: 2)
        let lstm = LSTMCell(inputSize: 2, hiddenSize: 2, using: &generator)
        let gru = GRUCell(inputSize: 2, hiddenSize: 2, using: &generator)
        let x = Tensor.normal([1, 2], using: &generator)
        let h = Tensor.normal([1, 2], standardDeviation: 0.5, using: &generator)
        let weightIH = lstm.weights.weightIH.value.detached()
        let lstmCheck = checkSecondOrderGradients(at: [x, h]) { t in
            lstm(t[0], state: LSTMState(hidden: t[1], cell: t[1])).hidden
        }
        #expect(lstmCheck.passes(tolerance: 2e-2), "\(lstmCheck)")
        let gruCheck = checkSecondOrderGradients(at: [x, h]) { t in gru(t[0], state: t[1]) }
        #expect(gruCheck.passes(tolerance: 2e-2), "\(gruCheck)")
        #expect(lstm.weights.weightIH.value == weightIH)
    }
}
