import Foundation
import Testing
import _MontagueTestSupport

@testable import Autodiff

@Suite("Activations: values against NumPy/SciPy, gradients, SELU self-normalization")
struct ActivationTests {
    /// Both signs, no point within the finite-difference step of 0.
    static let mixed = Tensor([[-2.5, -0.9, -0.2], [0.15, 0.8, 2.2]])

    static let cases: [MathOpCase] = [
        MathOpCase(name: "relu", inputs: [mixed]) { $0[0].relu() },
        MathOpCase(name: "relu then square", inputs: [mixed]) { $0[0].relu().squared() },
        MathOpCase(name: "leakyRelu", inputs: [mixed]) { $0[0].leakyRelu() },
        MathOpCase(name: "leakyRelu 0.2 times x", inputs: [mixed]) { $0[0].leakyRelu(negativeSlope: 0.2) * $0[0] },
        MathOpCase(name: "elu", inputs: [mixed]) { $0[0].elu() },
        MathOpCase(name: "elu alpha 0.5", inputs: [mixed]) { $0[0].elu(alpha: 0.5) },
        MathOpCase(name: "elu alpha -0.5", inputs: [mixed]) { $0[0].elu(alpha: -0.5) },
        MathOpCase(name: "selu", inputs: [mixed]) { $0[0].selu() },
        MathOpCase(name: "softplus", inputs: [mixed]) { $0[0].softplus() },
        MathOpCase(name: "softplus beta 2", inputs: [mixed]) { $0[0].softplus(beta: 2) },
        MathOpCase(name: "softplus threshold 1 (both branches)", inputs: [mixed]) { $0[0].softplus(threshold: 1) },
        MathOpCase(name: "silu", inputs: [mixed]) { $0[0].silu() },
        MathOpCase(name: "swish beta 1.5", inputs: [mixed]) { $0[0].swish(beta: 1.5) },
        MathOpCase(name: "gelu", inputs: [mixed]) { $0[0].gelu() },
        MathOpCase(name: "gelu tanh approximation", inputs: [mixed]) { $0[0].gelu(approximate: true) },
    ]

    @Test(arguments: cases)
    func firstOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    @Test(arguments: cases)
    func secondOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkSecondOrderGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    @Test(arguments: cases)
    func fusedAndRecordedBackwardAgree(_ testCase: MathOpCase) {
        let leaves = testCase.inputs.map { $0.requiringGradient() }
        let output = testCase.function(leaves)
        let seed = Tensor.full(output.shape, 1.25)
        let fused = gradients(of: output, wrt: leaves, seed: seed)
        let recorded = gradients(of: output, wrt: leaves, seed: seed, createGraph: true)
        for (f, r) in zip(fused, recorded) { expectClose(f.scalars, r.scalars, testCase.name) }
    }

    static let points = Tensor([-3, -1, -0.5, 0, 0.5, 2])

    @Test func valuesMatchReferences() {
        // References from NumPy/SciPy (float64), see the formulas in the doc comments.
        expectClose(Self.points.selu().scalars, [-1.67056873, -1.11133074, -0.69175819, 0, 0.52535049, 2.10140197])
        expectClose(Self.points.elu().scalars, [-0.95021293, -0.63212056, -0.39346934, 0, 0.5, 2])
        expectClose(Self.points.silu().scalars, [-0.14227762, -0.26894142, -0.18877033, 0, 0.31122967, 1.76159416])
        expectClose(Self.points.gelu().scalars, [-0.00404969, -0.15865525, -0.15426877, 0, 0.34573123, 1.95449974])
        expectClose(
            Self.points.gelu(approximate: true).scalars,
            [-0.00363739, -0.15880801, -0.15428599, 0, 0.34571401, 1.95459769])
        expectClose(Self.points.relu().scalars, [0, 0, 0, 0, 0.5, 2])
        expectClose(Self.points.leakyRelu().scalars, [-0.03, -0.01, -0.005, 0, 0.5, 2])
        #expect(Tensor.seluScale == 1.0507009873554804934193349852946)
        #expect(Tensor.seluAlpha == 1.6732632423543772848170429916717)
    }

    @Test func softplusIsStableAndFollowsPyTorchThreshold() {
        let x = Tensor([-30, -2, 0, 1.5, 10, 100])
        expectClose(
            x.softplus().scalars, [9.35762297e-14, 1.26928011e-01, 6.93147181e-01, 1.70141328, 10.0000454, 100])
        expectClose(
            x.softplus(beta: 2).scalars,
            [4.37825538e-27, 9.07496396e-03, 3.46573590e-01, 1.52429368, 10, 100])
        // Above the threshold it is the identity; without the threshold it still stays finite.
        let huge = Tensor([-1e30, -1e4, 1e4, 1e30])
        #expect(huge.softplus().scalars == [0, 0, 1e4, 1e30])
        #expect(huge.softplus(threshold: .infinity).scalars == [0, 0, 1e4, 1e30])
        // With threshold 1: x where x > 1, log1p(eˣ) below; the gradient is 1 above, σ(x) below.
        let y = Tensor([0.5, 3]).requiringGradient()
        let s = y.softplus(threshold: 1)
        expectClose(s.scalars, [Foundation.log1p(Foundation.exp(0.5)), 3])
        expectClose(gradient(of: s.sum(), wrt: y).scalars, [1 / (1 + Foundation.exp(-0.5)), 1])
        let extreme = Tensor([-200, 200]).requiringGradient()
        #expect(gradient(of: extreme.softplus().sum(), wrt: extreme).scalars == [0, 1])
    }

    @Test func kinksTakePyTorchsOneSidedDerivative() {
        let zero = Tensor([0]).requiringGradient()
        #expect(gradient(of: zero.relu().sum(), wrt: zero).scalars == [0])
        #expect(gradient(of: zero.leakyRelu(negativeSlope: 0.1).sum(), wrt: zero).scalars == [0.1])
        #expect(gradient(of: zero.elu(alpha: 2).sum(), wrt: zero).scalars == [2])
        expectClose(gradient(of: zero.selu().sum(), wrt: zero).scalars, [Tensor.seluScale * Tensor.seluAlpha])
        #expect(Tensor([.nan]).relu().scalars[0].isNaN)
    }

    /// Klambauer et al. 2017: with weights N(0, 1/fan-in) SELU keeps activations at mean 0, variance 1.
    /// Width 64, batch 256, 20 layers; per-network fluctuations at this width are a few percent, hence the
    /// tolerances: |mean| < 0.1 and |variance − 1| < 0.15 at every layer. As a contrast, tanh collapses the variance.
    @Test func seluSelfNormalizesADeepRandomNetwork() {
        var generator = RandomGenerator(seed: 2017)
        let width = 64
        let input = Tensor.normal([256, width], using: &generator)
        let weights = (0..<20).map { _ in
            Tensor.normal([width, width], standardDeviation: 1 / Float(width).squareRoot(), using: &generator)
        }
        var selu = input
        var tanh = input
        for (layer, w) in weights.enumerated() {
            selu = selu.matmul(w).selu()
            tanh = tanh.matmul(w).tanh()
            let mean = selu.mean().item
            let variance = selu.variance().item
            #expect(Swift.abs(mean) < 0.1, "layer \(layer): mean \(mean)")
            #expect(Swift.abs(variance - 1) < 0.15, "layer \(layer): variance \(variance)")
        }
        #expect(tanh.variance().item < 0.1)
    }
}
