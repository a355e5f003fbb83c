import Autodiff
import Testing

@testable import NeuralNet

/// Adam's update through the processor's widest vectors and through the parameters' spare buffers gives the same
/// bits as the eight-lane kernel updating in place.
@Suite("Optimizers: Adam's vector kernel and spare-buffer path")
struct AdamUpdatePathTests {
    /// `AdamMoments.updateVectorized` (AVX-512 / AVX2 / scalar C) against the `SIMD8` Swift kernel, bit for bit,
    /// for lengths around every vector width and with weight decay of both kinds.
    @Test func vectorKernelMatchesEightLaneKernel() {
        var generator = RandomGenerator(seed: 5)
        let constantsList = [
            AdamConstants(
                shrink: 1, l2Penalty: 0, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001,
                scaledStepSize: 1e-3, scaledEpsilon: 1e-8),
            AdamConstants(
                shrink: 0.9999, l2Penalty: 0.01, oneMinusBeta1: 0.2, beta2: 0.99, oneMinusBeta2: 0.01,
                scaledStepSize: 0.05, scaledEpsilon: 3e-7),
        ]
        for constants in constantsList {
            for count in [0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1027] {
                let theta = Tensor.normal([count], using: &generator).scalars
                let gradient = Tensor.normal([count], using: &generator).scalars
                let m0 = Tensor.normal([count], using: &generator).scalars
                let v0 = Tensor.uniform([count], low: 0, high: 2, using: &generator).scalars
                func run(_ vectorized: Bool) -> [[Float]] {
                    adamMomentUpdate(theta: theta, gradient: gradient, m0: m0, v0: v0) { t, g, m, v, o in
                        if vectorized {
                            AdamMoments.updateVectorized(
                                0..<count, theta: t, gradient: g, m: m, v: v, out: o, constants)
                        } else {
                            AdamMoments.update(0..<count, theta: t, gradient: g, m: m, v: v, out: o, constants)
                        }
                    }
                }
                let (wide, eight) = (run(true), run(false))
                for (name, (a, b)) in zip(["m", "v", "θ"], zip(wide, eight)) {
                    #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(name), count \(count)")
                }
                if count > 0 { #expect(wide[2] != theta, "the parameter moved") }
            }
        }
    }

    /// Five Adam steps on a small MLP, once with each step's graph freed before the update (updates in place) and
    /// once with the graph still alive during the update (the spare buffers): the same parameters, bit for bit.
    @Test func spareBufferPathMatchesInPlacePath() {
        func train(holdingGraph: Bool) -> [[Float]] {
            var generator = RandomGenerator(seed: 9)
            let layers = [
                Linear(inputSize: 6, outputSize: 8, using: &generator),
                Linear(inputSize: 8, outputSize: 3, using: &generator),
            ]
            let parameters = layers.flatMap(\.parameters)
            let optimizer = Adam(parameters, learningRate: 0.01, weightDecay: 0.001)
            let inputs = Tensor.normal([5, 6], using: &generator)
            let labels = [0, 2, 1, 1, 0]
            func loss() -> Tensor { crossEntropy(logits: layers[1](layers[0](inputs).relu()), targets: labels) }
            for _ in 0..<5 {
                if holdingGraph {
                    let loss = loss()
                    withExtendedLifetime(loss) {
                        optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
                    }
                } else {
                    // The graph is freed when the closure returns, before the update.
                    let grads = { gradients(of: loss(), wrt: parameters.map(\.value)) }()
                    optimizer.step(grads)
                }
            }
            return parameters.map(\.value.scalars)
        }
        let (inPlace, spare) = (train(holdingGraph: false), train(holdingGraph: true))
        #expect(inPlace.map { $0.map(\.bitPattern) } == spare.map { $0.map(\.bitPattern) })
    }
}
