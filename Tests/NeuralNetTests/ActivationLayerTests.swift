import Foundation
import NeuralNet
import Testing

@Suite("Activation layers: tanh, sigmoid, ReLU family, ELU, SELU, Swish")
struct ActivationLayerTests {
    @Test func fixedActivationsMatchTheirFormulas() {
        let x = Tensor([-2, -0.5, 0.5, 1.5])
        #expect(Tanh()(x) == x.tanh())
        #expect(Sigmoid()(x) == x.sigmoid())
        #expect(ReLU()(x) == Tensor([0, 0, 0.5, 1.5]))
        #expect(LeakyReLU()(x) == Tensor([-0.02, -0.005, 0.5, 1.5]))
        let elu = ELU()(x)
        #expect(abs(elu.scalars[0] - (Foundation.exp(Float(-2)) - 1)) < 1e-6)
        let selu = SELU()(x)
        #expect(abs(selu.scalars[3] - 1.0507009873 * 1.5) < 1e-5)
        #expect(abs(selu.scalars[0] - 1.0507009873 * 1.6732632 * (Foundation.exp(Float(-2)) - 1)) < 1e-5)
        let swish = Swish()(x)
        #expect(abs(swish.scalars[2] - 0.5 / (1 + Foundation.exp(Float(-0.5)))) < 1e-6)
        let layers: [any Module] = [Tanh(), Sigmoid(), ReLU(), LeakyReLU(), ELU(), SELU(), Swish(beta: 1.5)]
        for layer in layers {
            #expect(layer.namedParameters.isEmpty)
            #expect(layerGradientError(inputs: [x], parameters: []) { layer($0[0]) } < 1e-2)
        }
    }

    @Test func preluLearnsPerChannelSlopes() {
        let prelu = PReLU(channelCount: 2)
        #expect(prelu.namedParameters.map(\.name) == ["weight"])
        #expect(prelu.weight.value == Tensor([0.25, 0.25]))
        prelu.weight.update(Tensor([0.1, 0.5]))
        let x = Tensor([[-1, 2], [3, -4]])
        #expect(prelu(x) == Tensor([[-0.1, 2], [3, -2]]))
        // ∂Σy/∂α_c = Σ min(0, x) over channel c.
        let grad = gradients(of: prelu(x).sum(), wrt: [prelu.weight.value])[0]
        #expect(grad == Tensor([-1, -4]))
        let images = Tensor(shape: [1, 2, 2], scalars: [-1, 0.5, 2, -3])
        #expect(prelu(images) == Tensor(shape: [1, 2, 2], scalars: [-0.1, 0.5, 2, -1.5]))
        #expect(layerGradientError(inputs: [images], parameters: prelu.parameters) { prelu($0[0]) } < 1e-2)
        let single = PReLU()
        #expect(single(Tensor([-4, 4])) == Tensor([-1, 4]))
    }

    @Test func rreluSamplesSlopesInTrainingAndUsesTheMeanInInference() {
        let rrelu = RReLU(lower: 0.1, upper: 0.3, seed: 2)
        let x = Tensor.full([100], -1)
        let y = rrelu(x)
        #expect(y.scalars.allSatisfy { $0 <= -0.1 && $0 >= -0.3 })
        #expect(Set(y.scalars).count > 50)
        #expect(rrelu(Tensor([2, 3])) == Tensor([2, 3]))
        rrelu.isTraining = false
        #expect(rrelu(Tensor([-1, 2])) == Tensor([-0.2, 2]))
        rrelu.isTraining = true
        let z = Tensor([-1, 0.5, -2])
        let error = layerGradientError(inputs: [z], parameters: []) { xs in
            var generator = RandomGenerator(seed: 8)
            return rrelu(xs[0], using: &generator)
        }
        #expect(error < 1e-2)
    }

    @Test func seluKeepsMeanZeroAndVarianceOneThroughADeepNetwork() {
        var generator = RandomGenerator(seed: 12)
        let width = 64
        var x = Tensor.normal([128, width], using: &generator)
        for _ in 0..<16 {
            // LeCun normal initialization, as Klambauer et al. prescribe for SELU networks.
            let weight = Tensor.normal(
                [width, width], standardDeviation: 1 / Float(width).squareRoot(), using: &generator)
            x = SELU()(x.matmul(weight))
        }
        let mean = x.mean().item
        let variance = x.variance().item
        #expect(abs(mean) < 0.15, "mean \(mean)")
        #expect(abs(variance - 1) < 0.25, "variance \(variance)")
    }
}
