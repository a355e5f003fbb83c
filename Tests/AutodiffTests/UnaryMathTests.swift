import Foundation
import Testing
import _MontagueTestSupport

@testable import Autodiff

/// One differentiable op under test: a name for failure messages, the inputs, and the function.
struct MathOpCase: CustomStringConvertible, Sendable {
    let name: String
    let inputs: [Tensor]
    let function: @Sendable ([Tensor]) -> Tensor
    var description: String { name }
}

@Suite("Elementwise math: values, first- and second-order gradients")
struct UnaryMathTests {
    /// Points of shape [2, 3] in a range, spread so no two are within the finite-difference step of each other.
    static func points(_ low: Float, _ high: Float) -> Tensor {
        let fractions: [Float] = [0.05, 0.83, 0.41, 0.97, 0.22, 0.64]
        return Tensor(shape: [2, 3], scalars: fractions.map { low + (high - low) * $0 })
    }

    static let smoothCases: [MathOpCase] = [
        MathOpCase(name: "sqrt", inputs: [points(0.5, 2)]) { $0[0].sqrt() },
        MathOpCase(name: "sin", inputs: [points(-2, 2)]) { $0[0].sin() },
        MathOpCase(name: "cos", inputs: [points(-2, 2)]) { $0[0].cos() },
        MathOpCase(name: "tanh", inputs: [points(-2, 2)]) { $0[0].tanh() },
        MathOpCase(name: "sigmoid", inputs: [points(-3, 3)]) { $0[0].sigmoid() },
        MathOpCase(name: "log1p", inputs: [points(-0.5, 2)]) { $0[0].log1p() },
        MathOpCase(name: "erf", inputs: [points(-1.5, 1.5)]) { $0[0].erf() },
        MathOpCase(name: "squared", inputs: [points(-2, 2)]) { $0[0].squared() },
        MathOpCase(name: "reciprocal", inputs: [points(0.5, 2)]) { $0[0].reciprocal() },
        MathOpCase(name: "reciprocal of negatives", inputs: [points(-2, -0.5)]) { $0[0].reciprocal() },
        MathOpCase(name: "exp", inputs: [points(-2, 2)]) { $0[0].exp() },
        MathOpCase(name: "log", inputs: [points(0.5, 3)]) { $0[0].log() },
        MathOpCase(name: "pow 3 of negatives", inputs: [points(-2, -0.3)]) { $0[0].pow(3) },
        MathOpCase(name: "pow 2.5", inputs: [points(0.5, 2)]) { $0[0].pow(2.5) },
        MathOpCase(name: "pow -1.5", inputs: [points(0.5, 2)]) { $0[0].pow(-1.5) },
        MathOpCase(name: "pow 0.5", inputs: [points(0.5, 2)]) { $0[0].pow(0.5) },
        MathOpCase(name: "pow -1", inputs: [points(0.5, 2)]) { $0[0].pow(-1) },
        MathOpCase(name: "pow 2", inputs: [points(-2, 2)]) { $0[0].pow(2) },
        MathOpCase(name: "pow 1", inputs: [points(-2, 2)]) { $0[0].pow(1).exp() },
        MathOpCase(name: "pow tensor, same shape", inputs: [points(0.5, 2), points(-1.5, 2.5)]) {
            $0[0].pow($0[1])
        },
        MathOpCase(
            name: "pow tensor, exponent broadcast [3]",
            inputs: [points(0.5, 2), Tensor([-1.2, 0.7, 2.3])]
        ) { $0[0].pow($0[1]) },
        MathOpCase(
            name: "pow tensor, base [3] with exponent [2, 1]",
            inputs: [Tensor([0.6, 1.3, 1.9]), Tensor(shape: [2, 1], scalars: [1.5, -0.8])]
        ) {
            $0[0].pow($0[1])
        },
        MathOpCase(name: "pow tensor, one-element exponent", inputs: [points(0.5, 2), Tensor([1.7])]) {
            $0[0].pow($0[1])
        },
    ]

    /// Ops that are piecewise smooth; inputs stay away from the kinks.
    static let piecewiseCases: [MathOpCase] = [
        MathOpCase(name: "abs", inputs: [Tensor([[-1.3, -0.4, 0.6], [2, -0.05, 0.3]])]) { $0[0].abs() },
        MathOpCase(name: "clamped", inputs: [Tensor([[-1.3, -0.4, 0.6], [2, -0.05, 0.3]])]) {
            $0[0].clamped(min: -0.5, max: 0.5)
        },
        MathOpCase(name: "clamped below only", inputs: [Tensor([[-1.3, -0.4, 0.6], [2, -0.05, 0.3]])]) {
            $0[0].clamped(min: -0.2) * $0[0]
        },
        MathOpCase(
            name: "maximum broadcast [2,3] with [3]",
            inputs: [Tensor([[0.1, 1.0, -0.5], [0.9, -0.7, 0.3]]), Tensor([0.5, -0.2, 0.0])]
        ) {
            Tensor.maximum($0[0], $0[1])
        },
        MathOpCase(
            name: "minimum broadcast [2,1] with [3]",
            inputs: [Tensor(shape: [2, 1], scalars: [0.25, -0.4]), Tensor([0.5, -0.2, 0.0])]
        ) {
            Tensor.minimum($0[0], $0[1])
        },
        MathOpCase(
            name: "maximum feeding a smooth op",
            inputs: [Tensor([[0.1, 1.0, -0.5], [0.9, -0.7, 0.3]]), Tensor([0.5, -0.2, 0.0])]
        ) {
            Tensor.maximum($0[0], $0[1]).squared() * $0[1].exp()
        },
    ]

    @Test(arguments: smoothCases + piecewiseCases)
    func firstOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    @Test(arguments: smoothCases + piecewiseCases)
    func secondOrderGradientsMatchFiniteDifferences(_ testCase: MathOpCase) {
        let result = checkSecondOrderGradients(at: testCase.inputs, testCase.function)
        #expect(result.passes(), "\(testCase.name): \(result)")
    }

    /// The fused first-order path and the tensor-op path (used when recording) compute the same gradient.
    @Test(arguments: smoothCases + piecewiseCases)
    func fusedAndRecordedBackwardAgree(_ testCase: MathOpCase) {
        let leaves = testCase.inputs.map { $0.requiringGradient() }
        let output = testCase.function(leaves)
        let seed = Tensor.full(output.shape, 0.75)
        let fused = gradients(of: output, wrt: leaves, seed: seed)
        let recorded = gradients(of: output, wrt: leaves, seed: seed, createGraph: true)
        for (f, r) in zip(fused, recorded) {
            #expect(!f.requiresGradient)
            expectClose(f.scalars, r.scalars, tolerance: 1e-5, testCase.name)
        }
    }

    @Test func valuesMatchFoundation() {
        let x = Tensor([-1.5, -0.25, 0.3, 2])
        expectClose(x.sin().scalars, x.scalars.map { Foundation.sin($0) })
        expectClose(x.cos().scalars, x.scalars.map { Foundation.cos($0) })
        expectClose(x.tanh().scalars, x.scalars.map { Foundation.tanh($0) })
        expectClose(x.abs().scalars, [1.5, 0.25, 0.3, 2])
        expectClose(x.squared().scalars, [2.25, 0.0625, 0.09, 4])
        expectClose(x.reciprocal().scalars, [-1 / 1.5, -4, 1 / 0.3, 0.5])
        expectClose(x.sigmoid().scalars, x.scalars.map { 1 / (1 + Foundation.exp(-$0)) })
        expectClose(Tensor([1e-7]).log1p().scalars, [1e-7], tolerance: 1e-6)
        expectClose(Tensor([0.5, 2.0]).erf().scalars, [0.5204998778, 0.9953222650])
        expectClose(Tensor([4, 9]).sqrt().scalars, [2, 3])
        expectClose(Tensor([2, -3]).pow(3).scalars, [8, -27])
        expectClose(Tensor([4, 0.25]).pow(-1.5).scalars, [0.125, 8])
        expectClose(Tensor([2, 3]).pow(Tensor([3, 0.5])).scalars, [8, Foundation.sqrt(3)])
        #expect(Tensor([-2]).pow(0.5).scalars[0].isNaN)
    }

    @Test func sigmoidIsFiniteAtExtremesAndTanhGradientVanishes() {
        let x = Tensor([-200, -90, 0, 90, 200]).requiringGradient()
        let y = x.sigmoid()
        #expect(y.scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        #expect(y.scalars[0] == 0 && y.scalars[2] == 0.5 && y.scalars[4] == 1)
        #expect(gradient(of: y.sum(), wrt: x).scalars.allSatisfy { $0.isFinite })
        let t = Tensor([-50, 50]).requiringGradient()
        #expect(gradient(of: t.tanh().sum(), wrt: t).scalars == [0, 0])
    }

    @Test func secondDerivativesAreExact() {
        // d²/dx² tanh = −2·tanh·(1 − tanh²); d²/dx² σ = σ(1 − σ)(1 − 2σ).
        let x = Tensor([0.7]).requiringGradient()
        let t = Foundation.tanh(Float(0.7))
        let s = 1 / (1 + Foundation.exp(Float(-0.7)))
        let tanhFirst = gradient(of: x.tanh().sum(), wrt: x, createGraph: true)
        expectClose(gradient(of: tanhFirst.sum(), wrt: x).scalars, [-2 * t * (1 - t * t)])
        let sigmoidFirst = gradient(of: x.sigmoid().sum(), wrt: x, createGraph: true)
        expectClose(gradient(of: sigmoidFirst.sum(), wrt: x).scalars, [s * (1 - s) * (1 - 2 * s)])
        // Third order of x^4: 24x.
        let first = gradient(of: x.pow(4).sum(), wrt: x, createGraph: true)
        let second = gradient(of: first.sum(), wrt: x, createGraph: true)
        expectClose(gradient(of: second.sum(), wrt: x).scalars, [24 * 0.7], tolerance: 1e-5)
    }

    @Test func gradientsAtTheSpecialPointsFollowPyTorch() {
        // abs′(0) = 0; pow with exponent 0 has gradient 0 (no NaN at 0); clamp passes the gradient at its bounds.
        let x = Tensor([0, -1, 2]).requiringGradient()
        #expect(gradient(of: x.abs().sum(), wrt: x).scalars == [0, -1, 1])
        #expect(gradient(of: x.pow(0).sum(), wrt: x).scalars == [0, 0, 0])
        #expect(x.pow(0).scalars == [1, 1, 1])
        let bounds = Tensor([-1, -0.5, 0, 0.5, 1]).requiringGradient()
        let clamped = bounds.clamped(min: -0.5, max: 0.5)
        #expect(clamped.scalars == [-0.5, -0.5, 0, 0.5, 0.5])
        #expect(gradient(of: clamped.sum(), wrt: bounds).scalars == [0, 1, 1, 1, 0])
        #expect(Tensor([1, 2]).clamped(min: 3, max: 0).scalars == [0, 0])
        #expect(Tensor([Float.nan]).clamped(min: 0, max: 1).scalars[0].isNaN)

        // Tensor pow at base 0: ∂/∂x of x² is 0, ∂/∂e is 0 (not NaN); exponent 0 gives ∂/∂x = 0.
        let base = Tensor([0, 0, 2]).requiringGradient()
        let exponent = Tensor([2, 0, 0]).requiringGradient()
        let power = base.pow(exponent)
        #expect(power.scalars == [0, 1, 1])
        let grads = gradients(of: power.sum(), wrt: [base, exponent])
        #expect(grads[0].scalars == [0, 0, 0])
        expectClose(grads[1].scalars, [0, 0, Foundation.log(2)])
    }

    @Test func signHasNoGradient() {
        let x = Tensor([-2, 0, 3, .nan]).requiringGradient()
        let s = x.sign()
        #expect(Array(s.scalars.prefix(3)) == [-1, 0, 1])
        #expect(s.scalars[3].isNaN)
        #expect(!s.requiresGradient)
    }

    @Test func maximumAndMinimumSplitTiesEvenlyAndPropagateNaN() {
        let a = Tensor([1, 2, 3]).requiringGradient()
        let b = Tensor([2, 2, 1]).requiringGradient()
        let maximum = Tensor.maximum(a, b)
        #expect(maximum.scalars == [2, 2, 3])
        let maxGrads = gradients(of: maximum.sum(), wrt: [a, b])
        #expect(maxGrads[0].scalars == [0, 0.5, 1])
        #expect(maxGrads[1].scalars == [1, 0.5, 0])
        let minimum = Tensor.minimum(a, b)
        #expect(minimum.scalars == [1, 2, 1])
        let minGrads = gradients(of: minimum.sum(), wrt: [a, b])
        #expect(minGrads[0].scalars == [1, 0.5, 0])
        #expect(minGrads[1].scalars == [0, 0.5, 1])
        // Broadcast operand collects the gradient of every position it won.
        let row = Tensor([0.5]).requiringGradient()
        #expect(gradient(of: Tensor.maximum(Tensor([0, 1, 0.2]), row).sum(), wrt: row).scalars == [2])
        #expect(Tensor.maximum(Tensor([.nan, 1]), Tensor([0, .nan])).scalars.allSatisfy { $0.isNaN })
        #expect(Tensor.minimum(Tensor([.nan, 1]), Tensor([0, .nan])).scalars.allSatisfy { $0.isNaN })
    }
}
