import Testing
import _MontagueTestSupport

@testable import Autodiff

/// The fused batch-normalization op against the composition of broadcasting ops it replaces.
@Suite("Neural ops: batch normalization")
struct BatchNormalizationTests {
    var generator = RandomGenerator(seed: 23)

    /// `(x − μ)/√(σ² + ε)·γ + β` from mean, subtraction, square, division, product and sum.
    static func composed(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        let axes = [0] + Array(2..<x.rank)
        var statisticsShape = [Int](repeating: 1, count: x.rank)
        statisticsShape[1] = x.shape[1]
        let mean = x.mean(alongAxes: axes, keepingDimensions: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: axes, keepingDimensions: true)
        var y = centered / (variance + epsilon).sqrt()
        if let weight { y = y * weight.reshaped(statisticsShape) }
        if let bias { y = y + bias.reshaped(statisticsShape) }
        return y
    }

    @Test(arguments: [[6, 3], [4, 3, 5], [2, 3, 2, 4]])
    mutating func matchesTheComposition(shape: [Int]) {
        for affine in [true, false] {
            let x = (Tensor.normal(shape, using: &generator) * 2 + 0.5).requiringGradient()
            let w = affine ? Tensor.normal([3], using: &generator).requiringGradient() : nil
            let b = affine ? Tensor.normal([3], using: &generator).requiringGradient() : nil
            let (fused, mean, variance) = Tensor.batchNormalized(x, weight: w, bias: b, epsilon: 1e-5)
            let reference = Self.composed(x, weight: w, bias: b, epsilon: 1e-5)
            #expect(fused.shape == x.shape)
            expectClose(fused.scalars, reference.scalars, tolerance: 1e-5, "values \(shape) affine \(affine)")
            let axes = [0] + Array(2..<x.rank)
            expectClose(mean, x.detached().mean(alongAxes: axes).scalars, tolerance: 1e-5, "mean")
            let centered = x.detached() - x.detached().mean(alongAxes: axes, keepingDimensions: true)
            expectClose(variance, (centered * centered).mean(alongAxes: axes).scalars, tolerance: 1e-5, "variance")
            let seed = Tensor.normal(shape, using: &generator)
            let targets = [x] + (affine ? [w, b].compactMap { $0 } : [])
            let got = gradients(of: fused, wrt: targets, seed: seed)
            let expected = gradients(of: reference, wrt: targets, seed: seed)
            for (index, (g, e)) in zip(got, expected).enumerated() {
                #expect(g.shape == e.shape)
                expectClose(g.scalars, e.scalars, tolerance: 1e-4, "gradient \(index) of \(shape) affine \(affine)")
            }
        }
    }

    @Test mutating func gradientsFirstAndSecondOrder() {
        let x = Tensor.normal([4, 2, 3], using: &generator)
        let w = Tensor.normal([2], using: &generator)
        let b = Tensor.normal([2], using: &generator)
        func normalized(_ inputs: [Tensor]) -> Tensor {
            Tensor.batchNormalized(inputs[0], weight: inputs[1], bias: inputs[2], epsilon: 1e-5).output
        }
        let first = checkGradients(at: [x, w, b], epsilon: 1e-2) { normalized($0) }
        #expect(first.passes(tolerance: 2e-2), "\(first)")
        // Second order: the create-graph backward pass, differentiated again (a gradient penalty through the layer).
        let second = checkSecondOrderGradients(at: [x, w, b], epsilon: 1e-2) { normalized($0).tanh() }
        #expect(second.passes(tolerance: 3e-2), "\(second)")
        let plain = checkSecondOrderGradients(at: [Tensor.normal([5, 3], using: &generator)], epsilon: 1e-2) {
            Tensor.batchNormalized($0[0], weight: nil, bias: nil, epsilon: 1e-3).output.sin()
        }
        #expect(plain.passes(tolerance: 3e-2), "\(plain)")
    }

    @Test mutating func secondOrderMatchesTheComposition() {
        let x = Tensor.normal([5, 4], using: &generator).requiringGradient()
        let w = Tensor.normal([4], using: &generator).requiringGradient()
        let b = Tensor.normal([4], using: &generator).requiringGradient()
        let weights = Tensor.normal([5, 4], using: &generator)
        func penalty(_ y: Tensor) -> [Tensor] {
            let g = gradients(of: (y.tanh() * weights).sum(), wrt: [x], createGraph: true)[0]
            return gradients(of: (g * g).sum(), wrt: [x, w, b])
        }
        let fused = penalty(Tensor.batchNormalized(x, weight: w, bias: b, epsilon: 1e-5).output)
        let reference = penalty(Self.composed(x, weight: w, bias: b, epsilon: 1e-5))
        for (g, e) in zip(fused, reference) { expectClose(g.scalars, e.scalars, tolerance: 1e-3, "second order") }
    }

    @Test mutating func offsetInputsKeepTheirPrecision() {
        // Values far from zero: the backward pass works on x − μ (never on x·b + c with μ folded into c), so the
        // gradient sums to zero per channel and matches the composition.
        let x = (Tensor.normal([8, 2], using: &generator) + 50).requiringGradient()
        let seed = Tensor.normal([8, 2], using: &generator)
        let fused = gradients(
            of: Tensor.batchNormalized(x, weight: nil, bias: nil, epsilon: 0).output, wrt: [x], seed: seed)
        let reference = gradients(of: Self.composed(x, weight: nil, bias: nil, epsilon: 0), wrt: [x], seed: seed)
        for channel in 0..<2 {
            let values = stride(from: channel, to: 16, by: 2).map { fused[0].scalars[$0] }
            let (total, size) = (values.reduce(0, +), values.reduce(0) { $0 + abs($1) })
            #expect(abs(total) < 1e-4 * size, "channel \(channel) sums to \(total) of \(size)")
        }
        expectClose(fused[0].scalars, reference[0].scalars, tolerance: 1e-3, "gradient")
    }

    @Test mutating func untrackedInputsGetNoGradientWork() {
        let x = Tensor.normal([6, 3], using: &generator)
        let w = Tensor.normal([3], using: &generator).requiringGradient()
        let y = Tensor.batchNormalized(x, weight: w, bias: nil, epsilon: 1e-5).output
        let dw = gradient(of: y.sum(), wrt: w)
        // d(Σ x̂·γ)/dγ = Σ x̂ = 0 per channel.
        for value in dw.scalars { #expect(abs(value) < 1e-4) }
        let constant = withoutGradients { Tensor.batchNormalized(x, weight: w, bias: nil, epsilon: 1e-5).output }
        #expect(constant.node == nil)
        expectClose(constant.scalars, y.scalars, tolerance: 0, "same values")
    }
}
