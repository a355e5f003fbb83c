import Foundation
import NeuralNet
import Testing

/// `0.5·sin(0.37·i + offset)` for i in row-major order: deterministic weights reproducible in PyTorch.
private func pattern(_ shape: [Int], _ offset: Double) -> Tensor {
    let count = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<count).map { Float(0.5 * sin(0.37 * Double($0) + offset)) })
}

/// Sets a cell's weights to the patterns the PyTorch reference script uses.
private func setPatternWeights(_ weights: RecurrentWeights) {
    weights.weightIH.update(pattern(weights.weightIH.shape, 1))
    weights.weightHH.update(pattern(weights.weightHH.shape, 2))
    weights.biasIH?.update(pattern(weights.biasIH?.shape ?? [], 3))
    weights.biasHH?.update(pattern(weights.biasHH?.shape ?? [], 4))
}

private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite("Recurrent cells and sequence wrappers")
struct RecurrentTests {
    // Reference values from PyTorch 2.13.0 (CPU): torch.nn.LSTMCell(3, 2) / GRUCell(3, 2) with weight_ih, weight_hh,
    // bias_ih, bias_hh copied from pattern(shape, 1 / 2 / 3 / 4), x = pattern([2, 3], 0.1), h = pattern([2, 2], 0.2),
    // c = pattern([2, 2], 0.3), where pattern fills 0.5·sin(0.37·i + offset) in row-major order; printed with
    // `.flatten().tolist()`.
    @Test func lstmAndGRUCellsMatchPyTorch() {
        var generator = RandomGenerator(seed: 1)
        let x = pattern([2, 3], 0.1)
        let h = pattern([2, 2], 0.2)
        let c = pattern([2, 2], 0.3)
        let lstm = LSTMCell(inputSize: 3, hiddenSize: 2, using: &generator)
        #expect(lstm.namedParameters.map(\.name) == ["weightIH", "weightHH", "biasIH", "biasHH"])
        #expect(lstm.weights.weightIH.shape == [8, 3] && lstm.weights.weightHH.shape == [8, 2])
        setPatternWeights(lstm.weights)
        let next = lstm(x, state: LSTMState(hidden: h, cell: c))
        #expect(close(next.hidden.scalars, [-0.17690199613571167, -0.06537432968616486, -0.2819196283817291, -0.0878269374370575]))
        #expect(close(next.cell.scalars, [-0.3907374143600464, -0.12952277064323425, -0.5215439796447754, -0.14700947701931]))

        let gru = GRUCell(inputSize: 3, hiddenSize: 2, using: &generator)
        #expect(gru.weights.weightIH.shape == [6, 3] && gru.weights.biasHH?.shape == [6])
        setPatternWeights(gru.weights)
        #expect(close(gru(x, state: h).scalars, [-0.4911194145679474, -0.22650046646595, -0.5919738411903381, -0.1707153022289276]))
    }

    @Test func cellsPassGradientChecks() {
        var generator = RandomGenerator(seed: 2)
        let x = Tensor.normal([2, 2], using: &generator)
        let h = Tensor.normal([2, 2], standardDeviation: 0.5, using: &generator)
        let c = Tensor.normal([2, 2], standardDeviation: 0.5, using: &generator)
        let rnn = RNNCell(inputSize: 2, hiddenSize: 2, using: &generator)
        #expect(layerGradientError(inputs: [x, h], parameters: rnn.parameters) { rnn($0[0], state: $0[1]) } < 1e-2)
        let gru = GRUCell(inputSize: 2, hiddenSize: 2, using: &generator)
        #expect(layerGradientError(inputs: [x, h], parameters: gru.parameters) { gru($0[0], state: $0[1]) } < 1e-2)
        let lstm = LSTMCell(inputSize: 2, hiddenSize: 2, using: &generator)
        let error = layerGradientError(inputs: [x, h, c], parameters: lstm.parameters) { t in
            let next = lstm(t[0], state: LSTMState(hidden: t[1], cell: t[2]))
            return Tensor.concatenate([next.hidden, next.cell], axis: 1)
        }
        #expect(error < 1e-2)
    }

    @Test func multiLayerBidirectionalShapesAndNames() {
        var generator = RandomGenerator(seed: 3)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true, using: &generator)
        #expect(lstm.namedParameters.count == 16)
        #expect(lstm.namedParameters.first?.name == "layer0.forward.weightIH")
        #expect(lstm.namedParameters.last?.name == "layer1.reverse.biasHH")
        #expect(lstm.cells[1][0].inputSize == 8)
        let result = lstm(Tensor.normal([5, 2, 3], using: &generator))
        #expect(result.outputs.shape == [5, 2, 8])
        #expect(result.finalStates.count == 4)
        #expect(result.finalStates.allSatisfy { $0.hidden.shape == [2, 4] && $0.cell.shape == [2, 4] })
        // The last forward output is the forward final state; the first reverse output the reverse final state.
        let top = result.outputs
        #expect(top.slice(axis: 0, range: 4..<5).reshaped([2, 8]).slice(axis: 1, range: 0..<4) == result.finalStates[2].hidden)
        #expect(top.slice(axis: 0, range: 0..<1).reshaped([2, 8]).slice(axis: 1, range: 4..<8) == result.finalStates[3].hidden)
    }

    @Test func paddedStepsChangeNeitherStatesNorOutputs() {
        var generator = RandomGenerator(seed: 4)
        let gru = GRU(inputSize: 2, hiddenSize: 3, layerCount: 2, bidirectional: true, using: &generator)
        let input = Tensor.normal([4, 2, 2], using: &generator)
        let full = gru(input, lengths: [4, 2])
        // Sequence 1 alone, truncated to its two valid steps.
        let alone = gru(input.slice(axis: 0, range: 0..<2).slice(axis: 1, range: 1..<2))
        let paddedRows = full.outputs.slice(axis: 1, range: 1..<2)
        #expect(close(paddedRows.slice(axis: 0, range: 0..<2).scalars, alone.outputs.scalars))
        #expect(paddedRows.slice(axis: 0, range: 2..<4).scalars.allSatisfy { $0 == 0 })
        for (state, reference) in zip(full.finalStates, alone.finalStates) {
            #expect(close(state.slice(axis: 0, range: 1..<2).scalars, reference.scalars))
        }
        // Garbage in the padded steps changes nothing; a [T, B] mask gives the same as lengths.
        var scalars = input.scalars
        for t in 2..<4 { for f in 0..<2 { scalars[(t * 2 + 1) * 2 + f] = 100 } }
        let noisy = gru(Tensor(shape: input.shape, scalars: scalars), lengths: [4, 2])
        #expect(noisy.outputs == full.outputs)
        let mask = Tensor(shape: [4, 2], scalars: [1, 1, 1, 1, 1, 0, 1, 0])
        #expect(gru(input, mask: mask).outputs == full.outputs)
    }

    @Test func maskedBidirectionalNetworksPassGradientChecks() {
        var generator = RandomGenerator(seed: 5)
        let input = Tensor.normal([3, 2, 2], using: &generator)
        let gru = GRU(inputSize: 2, hiddenSize: 2, bidirectional: true, using: &generator)
        let gruError = layerGradientError(inputs: [input], parameters: gru.parameters) { t in
            let result = gru(t[0], lengths: [3, 2])
            return Tensor.concatenate([result.outputs.reshaped([24]), result.finalStates[1].reshaped([4])])
        }
        #expect(gruError < 1e-2)
        let lstm = LSTM(inputSize: 2, hiddenSize: 2, layerCount: 2, using: &generator)
        let lstmError = layerGradientError(inputs: [input], parameters: lstm.parameters) { t in
            let result = lstm(t[0], lengths: [2, 3])
            return Tensor.concatenate([result.outputs.reshaped([12]), result.finalStates[1].cell.reshaped([4])])
        }
        #expect(lstmError < 1e-2)
        let rnn = RNN(inputSize: 2, hiddenSize: 2, using: &generator)
        let h0 = Tensor.normal([2, 2], using: &generator)
        let rnnError = layerGradientError(inputs: [input, h0], parameters: rnn.parameters) { t in
            rnn(t[0], lengths: [1, 3], initialStates: [t[1]]).outputs
        }
        #expect(rnnError < 1e-2)
    }

    @Test func lstmMemorizesAShortSequence() {
        // Next-token prediction over a fixed 8-token sequence: after training the LSTM reproduces it.
        let tokens = [0, 1, 2, 3, 1, 0, 2, 3, 0]
        let vocabulary = 4
        var generator = RandomGenerator(seed: 6)
        let embedding = Embedding(vocabularySize: vocabulary, dimension: 4, using: &generator)
        let lstm = LSTM(inputSize: 4, hiddenSize: 12, using: &generator)
        let readout = Linear(12, vocabulary, using: &generator)
        let parameters = embedding.parameters + lstm.parameters + readout.parameters
        let optimizer = Adam(parameters, learningRate: 0.05)
        let inputs = IndexTensor(shape: [8, 1], indices: Array(tokens[0..<8]))
        let targets = Array(tokens[1...])
        func loss() -> Tensor {
            let hidden = lstm(embedding(inputs)).outputs.reshaped([8, 12])
            return crossEntropy(logits: readout(hidden), targets: targets)
        }
        let initial = loss().item
        for _ in 0..<60 { optimizer.step(gradients(of: loss(), wrt: parameters.map(\.value))) }
        let final = loss().item
        #expect(initial > 1.2)
        #expect(final < 0.05, "final loss \(final)")
    }
}
