import Testing
import _MontagueTestSupport

@testable import Autodiff

/// The fused multi-width 1-D convolution + ReLU + max-over-time op (Kim 2014's text CNN, SeqGAN's discriminator)
/// against the unfused composition, and its first and second derivatives against central differences.
@Suite("Neural ops: fused 1-D convolution, ReLU and max pooling")
struct ConvolutionMaxPoolTests {
    var generator = RandomGenerator(seed: 31)

    /// `[B, L, E]` input and banks of widths `widths` with `counts` filters.
    mutating func operands(batch: Int, length: Int, channels: Int, widths: [Int], counts: [Int])
        -> (Tensor, [Tensor], [Tensor])
    {
        let input = Tensor.normal([batch, length, channels], using: &generator)
        let weights = zip(widths, counts).map { width, count in
            Tensor.normal([count, channels, width], standardDeviation: 0.5, using: &generator)
        }
        let biases = counts.map { Tensor.normal([$0], standardDeviation: 0.5, using: &generator) }
        return (input, weights, biases)
    }

    /// Operands whose pooled pre-activations are at least `margin` from every kink: the top two positions of each
    /// (sequence, filter) pair differ by more than `margin` and the maximum is more than `margin` from 0 — so central
    /// differences with a step well below `margin` never cross a switch of the arg-max or of the ReLU. The first
    /// seed from 0 that qualifies (deterministic).
    static func wellSeparated(
        batch: Int, length: Int, channels: Int, widths: [Int], counts: [Int], margin: Float = 0.05
    ) -> (Tensor, [Tensor], [Tensor]) {
        for seed in UInt64(0)..<1000 {
            var test = ConvolutionMaxPoolTests(generator: RandomGenerator(seed: seed))
            let (x, w, b) = test.operands(
                batch: batch, length: length, channels: channels, widths: widths, counts: counts)
            let separated = zip(w, b).allSatisfy { weight, bias in
                let pre = conv1d(x.transposed(1, 2), weight: weight, bias: bias)  // [B, F, T]
                let steps = pre.shape[2]
                return (0..<(pre.count / steps)).allSatisfy { row in
                    let values = pre.scalars[(row * steps)..<((row + 1) * steps)].sorted(by: >)
                    return abs(values[0]) > margin && (steps == 1 || values[0] - values[1] > margin)
                }
            }
            if separated { return (x, w, b) }
        }
        Issue.record("no well-separated operands in 1,000 seeds")
        return (Tensor.zeros([batch, length, channels]), [], [])
    }

    @Test mutating func valuesAndGradientsEqualTheUnfusedComposition() {
        let (x, w, b) = operands(batch: 5, length: 9, channels: 4, widths: [1, 3, 9, 2], counts: [3, 4, 2, 5])
        let leaves = ([x] + w + b).map { $0.requiringGradient() }
        let (lx, lw, lb) = (leaves[0], Array(leaves[1...4]), Array(leaves[5...]))
        let fused = Tensor.convolutionMaxPool1D(lx, weights: lw, biases: lb)
        let unfused = Tensor.unfusedConvolutionMaxPool1D(lx, weights: lw, biases: lb)
        #expect(fused.node?.op == "convolutionMaxPool1D")
        #expect(fused.shape == [5, 14])
        expectClose(fused.scalars, unfused.scalars, "values")
        #expect(fused.scalars.contains(0) && fused.scalars.contains { $0 > 0 }, "both sides of the ReLU")
        let seed = Tensor.normal([5, 14], using: &generator)
        let got = gradients(of: fused, wrt: leaves, seed: seed)
        let expected = gradients(of: unfused, wrt: leaves, seed: seed)
        for (index, (g, e)) in zip(got, expected).enumerated() {
            #expect(g.shape == e.shape, "operand \(index)")
            expectClose(g.scalars, e.scalars, "operand \(index)")
        }
    }

    @Test mutating func onlySomeOperandsTracked() {
        let (x, w, b) = operands(batch: 3, length: 6, channels: 3, widths: [2, 4], counts: [3, 2])
        let tracked = w[1].requiringGradient()
        let fused = Tensor.convolutionMaxPool1D(x, weights: [w[0], tracked], biases: b)
        let unfused = Tensor.unfusedConvolutionMaxPool1D(x, weights: [w[0], tracked], biases: b)
        let seed = Tensor.normal([3, 5], using: &generator)
        expectClose(
            gradients(of: fused, wrt: [tracked], seed: seed)[0].scalars,
            gradients(of: unfused, wrt: [tracked], seed: seed)[0].scalars, "one weight")
    }

    @Test mutating func firstDerivativesMatchFiniteDifferences() {
        let (x, w, b) = Self.wellSeparated(batch: 2, length: 5, channels: 3, widths: [1, 2, 5], counts: [2, 3, 2])
        guard w.count == 3 else { return }
        let result = checkGradients(at: [x] + w + b, epsilon: 1e-3) { points in
            Tensor.convolutionMaxPool1D(points[0], weights: Array(points[1...3]), biases: Array(points[4...]))
        }
        #expect(result.passes(tolerance: 2e-2), "max error \(result.maxError)")
    }

    @Test mutating func secondDerivativesMatchFiniteDifferences() {
        // Squared so that the second derivative is not zero almost everywhere.
        let (x, w, b) = Self.wellSeparated(batch: 2, length: 4, channels: 2, widths: [1, 3], counts: [2, 2])
        guard w.count == 2 else { return }
        let result = checkSecondOrderGradients(at: [x] + w + b, epsilon: 1e-3) { points in
            let features = Tensor.convolutionMaxPool1D(
                points[0], weights: Array(points[1...2]), biases: Array(points[3...]))
            return features * features
        }
        #expect(result.passes(tolerance: 2e-2), "max error \(result.maxError)")
    }

    @Test mutating func withoutRecordingNoNode() {
        let (x, w, b) = operands(batch: 2, length: 4, channels: 2, widths: [2], counts: [3])
        let y = withoutGradients {
            Tensor.convolutionMaxPool1D(x.requiringGradient(), weights: w, biases: b)
        }
        #expect(y.node == nil)
        expectClose(y.scalars, Tensor.unfusedConvolutionMaxPool1D(x, weights: w, biases: b).scalars, "values")
    }
}
