import NeuralNet
import Testing

/// Every optimizer's update, split over threads for parameters above `Kernels.parallelThreshold`, gives the same
/// parameters and state bit for bit with 1 and 2 threads.
@Suite("Optimizers: bit-identical updates at 1 and 2 threads")
struct OptimizerParallelTests {
    /// Parameters and state (sorted by name) after three steps, as bit patterns.
    func run(threads: Int, _ make: ([Parameter]) -> any Optimizer) -> [[UInt32]] {
        var generator = RandomGenerator(seed: 11)
        let parameters = [
            Parameter(Tensor.normal([70_001], using: &generator)), Parameter(Tensor.normal([3, 5], using: &generator)),
        ]
        let steps = (0..<3).map { _ in parameters.map { Tensor.normal($0.shape, using: &generator) } }
        let optimizer = make(parameters)
        Kernels.withThreadCount(threads) {
            for gradients in steps { optimizer.step(gradients) }
        }
        let state = optimizer.stateTensors.sorted { $0.key < $1.key }.map(\.value.scalars)
        return (parameters.map(\.value.scalars) + state).map { $0.map(\.bitPattern) }
    }

    func expectBitIdentical(
        _ make: ([Parameter]) -> any Optimizer, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let one = run(threads: 1, make)
        let two = run(threads: 2, make)
        #expect(one == two, sourceLocation: sourceLocation)
        // The update moved the large parameter.
        var generator = RandomGenerator(seed: 11)
        let initial = Tensor.normal([70_001], using: &generator).scalars.map(\.bitPattern)
        #expect(one[0] != initial, sourceLocation: sourceLocation)
    }

    @Test func adam() {
        expectBitIdentical { Adam($0, learningRate: 1e-2, weightDecay: 0.1) }
        expectBitIdentical { Adam($0, learningRate: 1e-2, amsgrad: true) }
    }

    @Test func adamW() {
        expectBitIdentical { AdamW($0, learningRate: 1e-2) }
        expectBitIdentical { AdamW($0, learningRate: 1e-2, amsgrad: true) }
    }

    @Test func sgd() {
        expectBitIdentical { SGD($0, learningRate: 0.1, weightDecay: 0.01) }
        expectBitIdentical { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }
        expectBitIdentical { SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
    }

    @Test func rmsProp() {
        expectBitIdentical { RMSProp($0, weightDecay: 0.01) }
        expectBitIdentical { RMSProp($0, momentum: 0.9, centered: true) }
    }

    @Test func adagrad() {
        expectBitIdentical { Adagrad($0, learningRateDecay: 0.01, weightDecay: 0.01) }
    }
}
