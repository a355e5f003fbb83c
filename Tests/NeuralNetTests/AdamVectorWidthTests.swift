import Autodiff
import Testing

@testable import NeuralNet

/// The C Adam kernel's bodies for every vector width the processor has (AVX-512, AVX2, scalar C: one macro-made
/// body per width) give the same bits as each other and as the Swift eight-lane kernel.
@Suite("Optimizers: Adam's C kernel at every vector width")
struct AdamVectorWidthTests {
    @Test func everyWidthGivesTheSameBits() {
        var generator = RandomGenerator(seed: 9)
        let constants = AdamConstants(
            shrink: 0.999, l2Penalty: 0.02, oneMinusBeta1: 0.1, beta2: 0.999, oneMinusBeta2: 0.001,
            scaledStepSize: 2e-3, scaledEpsilon: 1e-8)
        for count in [0, 5, 8, 16, 23, 64, 129] {
            let theta = Tensor.normal([count], using: &generator).scalars
            let gradient = Tensor.normal([count], using: &generator).scalars
            let m0 = Tensor.normal([count], using: &generator).scalars
            let v0 = Tensor.uniform([count], low: 0, high: 2, using: &generator).scalars
            /// lanes: 16, 8, 1 through the C kernel; -1 the Swift `SIMD8` kernel.
            func run(lanes: Int32) -> [[UInt32]] {
                adamMomentUpdate(theta: theta, gradient: gradient, m0: m0, v0: v0) { t, g, m, v, o in
                    if lanes < 0 {
                        AdamMoments.update(0..<count, theta: t, gradient: g, m: m, v: v, out: o, constants)
                    } else {
                        AdamMoments.updateVectorized(
                            0..<count, theta: t, gradient: g, m: m, v: v, out: o, constants, lanes: lanes)
                    }
                }.map { $0.map(\.bitPattern) }
            }
            let reference = run(lanes: -1)
            for lanes: Int32 in [16, 8, 1] {
                #expect(run(lanes: lanes) == reference, "\(lanes) lanes, count \(count)")
            }
        }
    }
}
