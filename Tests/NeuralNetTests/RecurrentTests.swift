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
        #expect(
            close(
                next.hidden.scalars,
                [-0.17690199613571167, -0.06537432968616486, -0.2819196283817291, -0.0878269374370575]))
        #expect(
            close(
                next.cell.scalars, [-0.3907374143600464, -0.12952277064323425, -0.5215439796447754, -0.14700947701931]))

        let gru = GRUCell(inputSize: 3, hiddenSize: 2, using: &generator)
        #expect(gru.weights.weightIH.shape == [6, 3] && gru.weights.biasHH?.shape == [6])
        setPatternWeights(gru.weights)
        #expect(
            close(
                gru(x, state: h).scalars,
                [-0.4911194145679474, -0.22650046646595, -0.5919738411903381, -0.1707153022289276]))
    }

    // Reference values from PyTorch 2.13.0 (CPU): torch.nn.LSTM(2, 2, num_layers=2, bidirectional=True) and the same
    // GRU, the n-th of the 4 tensors (weight_ih, weight_hh, bias_ih, bias_hh) of the k-th (layer, direction) in
    // PyTorch's order set to pattern(shape, 1 + n + 10·k), input x = pattern([3, 2, 2], 0.1) packed with
    // pack_padded_sequence(lengths [3, 2]) and unpacked with pad_packed_sequence; outputs, h_n (and c_n) printed
    // with `.flatten().tolist()`.
    @Test func bidirectionalTwoLayerNetworksWithPaddingMatchPyTorch() {
        var generator = RandomGenerator(seed: 7)
        let x = pattern([3, 2, 2], 0.1)
        func setWeights(_ container: some ParameterContainer) {
            for (n, entry) in container.namedParameters.enumerated() {
                entry.parameter.update(pattern(entry.parameter.shape, Double(1 + n % 4 + 10 * (n / 4))))
            }
        }
        let lstm = LSTM(inputSize: 2, hiddenSize: 2, layerCount: 2, bidirectional: true, using: &generator)
        setWeights(lstm)
        let lstmResult = lstm(x, lengths: [3, 2])
        #expect(
            close(
                lstmResult.outputs.scalars,
                [
                    -0.02101900242269039, 0.0012135362485423684, -0.0832832008600235, -0.10486442595720291,
                    -0.027063414454460144, 0.007654443848878145, -0.07246898114681244, -0.1068766787648201,
                    -0.03843356668949127, 0.011301014572381973, -0.07111199200153351, -0.11330714821815491,
                    -0.04434732347726822, 0.02362501434981823, -0.05077648535370827, -0.09194538742303848,
                    -0.04772656038403511, 0.02961045876145363, -0.053810909390449524, -0.09513366222381592, 0, 0, 0, 0,
                ]))
        #expect(
            close(
                lstmResult.finalStates.flatMap(\.hidden.scalars),
                [
                    -0.14087358117103577, -0.13379992544651031, -0.1518276482820511, -0.1692514568567276,
                    0.33454129099845886, 0.193733349442482, 0.3035004436969757, 0.17162206768989563,
                    -0.04772656038403511, 0.02961045876145363, -0.04434732347726822, 0.02362501434981823,
                    -0.0832832008600235, -0.10486442595720291, -0.07246898114681244, -0.1068766787648201,
                ]))
        #expect(
            close(
                lstmResult.finalStates.flatMap(\.cell.scalars),
                [
                    -0.3947734832763672, -0.3331758379936218, -0.4966757893562317, -0.4178355932235718,
                    0.9404025077819824, 0.635107159614563, 0.7592439651489258, 0.5938055515289307,
                    -0.07593688368797302, 0.04329550266265869, -0.07046186923980713, 0.03424207121133804,
                    -0.2730989456176758, -0.42202848196029663, -0.24253371357917786, -0.4175463318824768,
                ]))
        let gru = GRU(inputSize: 2, hiddenSize: 2, layerCount: 2, bidirectional: true, using: &generator)
        setWeights(gru)
        let gruResult = gru(x, lengths: [3, 2])
        #expect(
            close(
                gruResult.outputs.scalars,
                [
                    -0.28588515520095825, -0.10249630361795425, 0.10244893282651901, -0.3553277254104614,
                    -0.31813785433769226, -0.06699174642562866, 0.08606025576591492, -0.3413095474243164,
                    -0.4516183137893677, -0.09374357014894485, 0.09945115447044373, -0.36271384358406067,
                    -0.4704698324203491, -0.036334484815597534, 0.04256322979927063, -0.25417572259902954,
                    -0.5094122886657715, -0.050926513969898224, 0.012991227209568024, -0.25353318452835083, 0, 0, 0, 0,
                ]))
        #expect(
            close(
                gruResult.finalStates.flatMap(\.scalars),
                [
                    -0.45005446672439575, -0.5130007266998291, -0.5536900162696838, -0.6159932017326355,
                    0.3903866410255432, 0.24613267183303833, 0.3420935571193695, 0.22728636860847473,
                    -0.5094122886657715, -0.050926513969898224, -0.4704698324203491, -0.036334484815597534,
                    0.10244893282651901, -0.3553277254104614, 0.08606025576591492, -0.3413095474243164,
                ]))
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
        #expect(
            top.slice(axis: 0, range: 4..<5).reshaped([2, 8]).slice(axis: 1, range: 0..<4)
                == result.finalStates[2].hidden)
        #expect(
            top.slice(axis: 0, range: 0..<1).reshaped([2, 8]).slice(axis: 1, range: 4..<8)
                == result.finalStates[3].hidden)
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

    @Test func dropoutBetweenLayersOnlyInTraining() {
        var generator = RandomGenerator(seed: 8)
        let gru = GRU(inputSize: 2, hiddenSize: 3, layerCount: 2, dropout: 0.5, using: &generator)
        let input = Tensor.normal([3, 2, 2], using: &generator)
        let inference = gru(input).outputs
        var first = RandomGenerator(seed: 1)
        var second = RandomGenerator(seed: 1)
        let training = gru(input, dropoutUsing: &first).outputs
        #expect(training != inference)
        #expect(gru(input, dropoutUsing: &second).outputs == training)
        // One layer: nothing between layers, so training equals inference and draws nothing.
        let single = GRU(inputSize: 2, hiddenSize: 3, dropout: 0.5, using: &generator)
        var untouched = RandomGenerator(seed: 1)
        #expect(single(input, dropoutUsing: &untouched).outputs == single(input).outputs)
        var reference = RandomGenerator(seed: 1)
        #expect(untouched.next() == reference.next())
        let error = layerGradientError(inputs: [input], parameters: gru.parameters) { t in
            var fixed = RandomGenerator(seed: 2)
            return gru(t[0], lengths: [3, 1], dropoutUsing: &fixed).outputs
        }
        #expect(error < 1e-2)
    }

    @Test func lstmMemorizesAShortSequence() {
        // Next-token prediction over a fixed 8-token sequence: after training the LSTM reproduces it.
        let tokens = [0, 1, 2, 3, 1, 0, 2, 3, 0]
        let vocabulary = 4
        var generator = RandomGenerator(seed: 6)
        let embedding = Embedding(vocabularySize: vocabulary, dimension: 4, using: &generator)
        let lstm = LSTM(inputSize: 4, hiddenSize: 12, using: &generator)
        let readout = Linear(inputSize: 12, outputSize: vocabulary, using: &generator)
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
