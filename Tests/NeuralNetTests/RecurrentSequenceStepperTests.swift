import NeuralNet
import Testing

/// `RecurrentCell.sequenceStepper` (one input-projection GEMM per sequence, used by `RecurrentNetwork`) against
/// calling the cell step by step: same states, same gradients, also through a second-order graph.
@Suite("Recurrent cells: whole-sequence stepping")
struct RecurrentSequenceStepperTests {
    static let (steps, batch, inputSize, hiddenSize) = (3, 2, 3, 4)

    /// Runs `cell` over `inputs [T, B, I]` both ways and returns the sum of the hidden vectors of every step.
    static func hiddenSums<Cell: RecurrentCell>(_ cell: Cell, _ inputs: Tensor) -> (stepped: Tensor, called: Tensor) {
        let step = cell.sequenceStepper(inputs)
        var stepped = cell.zeroState(batchSize: batch)
        var called = stepped
        var (steppedSum, calledSum) = (Tensor(0), Tensor(0))
        for t in 0..<steps {
            stepped = step(t, stepped)
            called = cell(inputs.slice(axis: 0, range: t..<(t + 1)).reshaped([batch, inputSize]), state: called)
            steppedSum = steppedSum + (Cell.hidden(of: stepped) * Cell.hidden(of: stepped)).sum()
            calledSum = calledSum + (Cell.hidden(of: called) * Cell.hidden(of: called)).sum()
        }
        return (steppedSum, calledSum)
    }

    static func check<Cell: RecurrentCell>(_ cell: Cell, _ name: String) {
        var generator = RandomGenerator(seed: 5)
        let inputs = Tensor.normal([steps, batch, inputSize], using: &generator).requiringGradient()
        let (stepped, called) = hiddenSums(cell, inputs)
        #expect(abs(stepped.item - called.item) <= 1e-5 * max(1, abs(called.item)), "\(name): values")
        let targets = [inputs] + cell.parameterValues
        let steppedGradients = gradients(of: stepped, wrt: targets)
        let calledGradients = gradients(of: called, wrt: targets)
        for (a, b) in zip(steppedGradients, calledGradients) {
            #expect(a.shape == b.shape)
            #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-4 }, "\(name): gradients")
        }
        // Second order: the gradient norm's gradient with respect to the input agrees too.
        func secondOrder(_ output: Tensor) -> Tensor {
            let first = gradient(of: output, wrt: inputs, createGraph: true)
            return gradient(of: (first * first).sum(), wrt: inputs)
        }
        let (a, b) = (secondOrder(stepped), secondOrder(called))
        #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= 1e-3 }, "\(name): second order")
    }

    @Test func steppingMatchesCallingTheCell() {
        var generator = RandomGenerator(seed: 3)
        Self.check(LSTMCell(inputSize: Self.inputSize, hiddenSize: Self.hiddenSize, using: &generator), "LSTM")
        Self.check(GRUCell(inputSize: Self.inputSize, hiddenSize: Self.hiddenSize, using: &generator), "GRU")
        Self.check(RNNCell(inputSize: Self.inputSize, hiddenSize: Self.hiddenSize, using: &generator), "RNN")
        Self.check(
            GRUCell(inputSize: Self.inputSize, hiddenSize: Self.hiddenSize, bias: false, using: &generator),
            "GRU without bias")
    }
}
