import NeuralNet
import Testing

/// The target log-probabilities `[B, Tout]` of a pointer network's output.
private func targetLogProbabilities(_ logProbabilities: Tensor, _ targets: [[Int]]) -> Tensor {
    let shape = [logProbabilities.shape[0], logProbabilities.shape[1], 1]
    return logProbabilities.gather(along: 2, indices: IndexTensor(shape: shape, indices: targets.flatMap { $0 }))
}

@Suite("Pointer network")
struct PointerNetworkTests {
    @Test func shapesMasksAndGradients() {
        var generator = RandomGenerator(seed: 1)
        let network = PointerNetwork(inputSize: 1, hiddenSize: 3, using: &generator)
        #expect(network.namedParameters.first?.name == "encoder.layer0.forward.weightIH")
        #expect(network.namedParameters.last?.name == "start")
        let inputs = Tensor(shape: [3, 2, 1], scalars: [0.3, -0.5, 0.9, 0.1, -0.2, 0.7])
        let targets = [[2, 0, 1], [1, 2, 0]]
        let logProbabilities = network.logProbabilities(inputs: inputs, targets: targets)
        #expect(logProbabilities.shape == [2, 3, 3])
        let probabilities = logProbabilities.exp()
        #expect(probabilities.sum(axis: 2).scalars.allSatisfy { abs($0 - 1) < 1e-5 })
        // Step 1 of batch item 0 excludes position 2 (chosen at step 0); step 2 excludes 2 and 0.
        #expect(probabilities.scalars[3 + 2] == 0)
        #expect(probabilities.scalars[6 + 2] == 0 && probabilities.scalars[6 + 0] == 0)
        let decoded = network.greedyDecode(inputs: inputs, steps: 3)
        #expect(decoded.allSatisfy { Set($0) == [0, 1, 2] })
        let error = layerGradientError(inputs: [inputs], parameters: network.parameters) { t in
            targetLogProbabilities(network.logProbabilities(inputs: t[0], targets: targets), targets)
        }
        #expect(error < 1e-2)
    }

    @Test func learnsToSortThreeNumbers() {
        var generator = RandomGenerator(seed: 2)
        let network = PointerNetwork(inputSize: 1, hiddenSize: 16, using: &generator)
        let optimizer = Adam(network.parameters, learningRate: 0.02)
        let (length, batch) = (3, 32)
        func sample() -> (inputs: Tensor, targets: [[Int]]) {
            let values = Tensor.uniform([length, batch, 1], low: 0, high: 1, using: &generator)
            let targets = (0..<batch).map { b in
                (0..<length).sorted { values.scalars[$0 * batch + b] < values.scalars[$1 * batch + b] }
            }
            return (values, targets)
        }
        for _ in 0..<150 {
            let (inputs, targets) = sample()
            let loss = -targetLogProbabilities(
                network.logProbabilities(inputs: inputs, targets: targets), targets
            ).mean()
            optimizer.step(gradients(of: loss, wrt: network.parameterValues))
        }
        let (inputs, targets) = sample()
        let decoded = network.greedyDecode(inputs: inputs, steps: length)
        let accuracy = Float(zip(decoded, targets).filter { $0 == $1 }.count) / Float(batch)
        #expect(accuracy >= 0.9, "sequence accuracy \(accuracy)")
    }
}
