import Testing
import _MontagueTestSupport

@testable import Autodiff

/// `affine(…).relu()` becomes one fused node; values and gradients against the unfused composition
/// (`matmul` + broadcast addition, then ReLU).
@Suite("Neural ops: affine followed by ReLU")
struct AffineReLUTests {
    var generator = RandomGenerator(seed: 23)

    /// The unfused composition: a `matmul` node is not an `affine` one, so its ReLU is the plain op.
    static func unfused(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
        (Tensor.matmul(x, w, transposeB: true) + b).relu()
    }

    @Test mutating func fusesAndMatchesTheComposition() {
        let x = Tensor.normal([6, 5], using: &generator).requiringGradient()
        let w = Tensor.normal([7, 5], using: &generator).requiringGradient()
        let b = Tensor.normal([7], using: &generator).requiringGradient()
        let fused = Tensor.affine(x, weight: w, bias: b).relu()
        #expect(fused.node?.op == "affineReLU")
        let unfused = Self.unfused(x, w, b)
        #expect(unfused.node?.op == "relu")
        expectClose(fused.scalars, unfused.scalars, "values")
        #expect(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "both sides of the kink")
        let seed = Tensor.normal([6, 7], using: &generator)
        let fusedGradients = gradients(of: fused, wrt: [x, w, b], seed: seed)
        let unfusedGradients = gradients(of: unfused, wrt: [x, w, b], seed: seed)
        for (name, (got, expected)) in zip(["x", "weight", "bias"], zip(fusedGradients, unfusedGradients)) {
            #expect(got.shape == expected.shape, "\(name)")
            expectClose(got.scalars, expected.scalars, name)
        }
    }

    @Test mutating func perRowBiasMatches() {
        let x = Tensor.normal([4, 3], using: &generator).requiringGradient()
        let w = Tensor.normal([5, 3], using: &generator).requiringGradient()
        let b = Tensor.normal([4, 5], using: &generator).requiringGradient()
        let fused = Tensor.affine(x, weight: w, bias: b).relu()
        #expect(fused.node?.op == "affineReLU")
        let unfused = Self.unfused(x, w, b)
        expectClose(fused.scalars, unfused.scalars, "values")
        let seed = Tensor.normal([4, 5], using: &generator)
        for (got, expected) in zip(
            gradients(of: fused, wrt: [x, w, b], seed: seed), gradients(of: unfused, wrt: [x, w, b], seed: seed))
        {
            #expect(got.shape == expected.shape)
            expectClose(got.scalars, expected.scalars, "per-row bias")
        }
    }

    @Test mutating func preActivationUsedElsewhereKeepsItsGradient() {
        // y = relu(a) + 2a: the affine result feeds the fused node and a second consumer.
        let x = Tensor.normal([3, 4], using: &generator).requiringGradient()
        let w = Tensor.normal([2, 4], using: &generator).requiringGradient()
        let b = Tensor.normal([2], using: &generator).requiringGradient()
        let a = Tensor.affine(x, weight: w, bias: b)
        let fused = (a.relu() + a * 2).sum()
        let reference = (Self.unfused(x, w, b) + (Tensor.matmul(x, w, transposeB: true) + b) * 2).sum()
        for (got, expected) in zip(gradients(of: fused, wrt: [x, w, b]), gradients(of: reference, wrt: [x, w, b])) {
            expectClose(got.scalars, expected.scalars, "shared pre-activation")
        }
    }

    @Test mutating func onlyTheWeightTracked() {
        let x = Tensor.normal([3, 4], using: &generator)
        let w = Tensor.normal([2, 4], using: &generator).requiringGradient()
        let b = Tensor.normal([2], using: &generator)
        let dw = gradient(of: Tensor.affine(x, weight: w, bias: b).relu().sum(), wrt: w)
        let expected = gradient(of: Self.unfused(x, w, b).sum(), wrt: w)
        expectClose(dw.scalars, expected.scalars, "dW")
    }

    @Test func noFusionWithoutRecording() {
        let y = withoutGradients {
            Tensor.affine(
                Tensor([[1, -2]]).requiringGradient(), weight: Tensor([[1, 0], [0, 1]]), bias: Tensor([0, 1])
            ).relu()
        }
        #expect(y == Tensor([[1, 0]]))
        #expect(!y.requiresGradient)
    }

    @Test mutating func gradientsFirstAndSecondOrder() {
        // Entries away from the kink (|pre-activation| is rarely below the finite-difference step at this scale).
        let x = Tensor.normal([3, 4], using: &generator) * 0.5
        let w = Tensor.normal([2, 4], using: &generator) * 0.5
        let b = Tensor([0.7, -0.6])
        let first = checkGradients(at: [x, w, b]) { Tensor.affine($0[0], weight: $0[1], bias: $0[2]).relu() }
        #expect(first.passes(), "\(first)")
        let second = checkSecondOrderGradients(at: [x, w, b]) {
            let hidden = Tensor.affine($0[0], weight: $0[1], bias: $0[2]).relu()
            return (hidden * hidden).tanh()
        }
        #expect(second.passes(), "\(second)")
        // Second order against the composition: the gradient of ‖∂L/∂x‖² with respect to W.
        let (xs, ws, bs) = (x.requiringGradient(), w.requiringGradient(), b.requiringGradient())
        func penaltyGradient(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
            let loss = (f(xs, ws, bs) * f(xs, ws, bs)).sum()
            let dx = gradient(of: loss, wrt: xs, createGraph: true)
            return gradient(of: (dx * dx).sum(), wrt: ws)
        }
        let fused = penaltyGradient { Tensor.affine($0, weight: $1, bias: $2).relu() }
        let unfused = penaltyGradient { Self.unfused($0, $1, $2) }
        expectClose(fused.scalars, unfused.scalars, "second order")
    }
}
