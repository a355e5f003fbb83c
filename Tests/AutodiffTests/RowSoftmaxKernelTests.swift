import Foundation
import Testing

@testable import Autodiff

/// The C row kernels behind `softmax` / `logSoftmax` on the last axis, the softmax backward product and the Gumbel
/// noise: every vector width against a `Double` reference, and the special rows (NaN, ±∞, terms below e⁻⁸⁷).
@Suite("Kernels: row softmax, softmax backward, Gumbel noise")
struct RowSoftmaxKernelTests {
    /// The widths to check: 16 and 8 fall back to the widest the processor has, so every width it has is covered.
    let lanes: [Int32] = [16, 8, 1]

    /// Rows of `width` scalars spread over ±`spread` (so some terms fall below e⁻⁸⁷ when `spread` is large).
    func rows(_ count: Int, width: Int, spread: Float, seed: UInt64) -> [Float] {
        var generator = RandomGenerator(seed: seed)
        return (0..<(count * width)).map { _ in (generator.nextUnitFloat() - 0.5) * 2 * spread }
    }

    func reference(_ x: [Float], width: Int, logarithmic: Bool) -> [Double] {
        stride(from: 0, to: x.count, by: width).flatMap { start -> [Double] in
            let row = x[start..<(start + width)].map(Double.init)
            let maximum = row.max() ?? 0
            let total = row.reduce(0) { $0 + Foundation.exp($1 - maximum) }
            return row.map {
                logarithmic ? ($0 - maximum) - Foundation.log(total) : Foundation.exp($0 - maximum) / total
            }
        }
    }

    @Test func softmaxRowsMatchTheDoubleReferenceAtEveryWidth() {
        for (width, spread) in [(1, 3), (7, 5), (17, 40), (33, 150), (9357, 8), (9357, 150)] as [(Int, Float)] {
            let x = rows(5, width: width, spread: spread, seed: UInt64(width))
            for logarithmic in [false, true] {
                let expected = reference(x, width: width, logarithmic: logarithmic)
                for lane in lanes {
                    let result = Kernels.softmaxRows(x, width: width, logarithmic: logarithmic, lanes: lane)
                    var worst = 0.0
                    for (value, exact) in zip(result, expected) {
                        // Relative error 2e-6 (the exponential's 1e-7 plus the sum's rounding) and the argument's
                        // rounding (below); entries below the smallest normal float may be 0.
                        let error =
                            logarithmic
                            ? Swift.abs(Double(value) - exact) / Swift.max(1, Swift.abs(exact))
                            : (exact < 1e-37 ? Double(value) : Swift.abs(Double(value) - exact) / exact)
                        worst = Swift.max(worst, error)
                    }
                    // Plus the rounding of x − max in Float (relative 2⁻²⁴ of up to 2·spread), as in any float softmax,
                    // and of the row sum (√width roundings, the one-lane kernel adding in sequence).
                    let allowed = 2e-6 + 1.2e-7 * (2 * Double(spread) + Double(width).squareRoot())
                    #expect(
                        worst < allowed, "width \(width) spread \(spread) log \(logarithmic) lanes \(lane): \(worst)")
                }
            }
        }
    }

    @Test func specialRowsBehaveAsTheScalarFormula() {
        // Row 0: one NaN; row 1: +∞; row 2: all −∞; row 3: −∞ and a term far below the maximum; row 4: ordinary.
        let width = 20
        var x = rows(5, width: width, spread: 2, seed: 3)
        x[3] = .nan
        x[width + 4] = .infinity
        for k in 0..<width { x[2 * width + k] = -.infinity }
        x[3 * width + 1] = -.infinity
        x[3 * width + 2] = -1e30
        for lane in lanes {
            let probabilities = Kernels.softmaxRows(x, width: width, logarithmic: false, lanes: lane)
            let logarithms = Kernels.softmaxRows(x, width: width, logarithmic: true, lanes: lane)
            for row in 0..<3 {
                let slice = (row * width)..<((row + 1) * width)
                #expect(probabilities[slice].allSatisfy { $0.isNaN }, "lanes \(lane) row \(row)")
                #expect(logarithms[slice].allSatisfy { $0.isNaN }, "lanes \(lane) row \(row)")
            }
            #expect(probabilities[3 * width + 1] == 0 && probabilities[3 * width + 2] == 0, "lanes \(lane)")
            #expect(logarithms[3 * width + 1] == -.infinity, "lanes \(lane)")
            let ordinary = probabilities[(3 * width)..<(5 * width)]
            #expect(ordinary.allSatisfy { $0.isFinite }, "lanes \(lane)")
            let total = probabilities[(4 * width)..<(5 * width)].reduce(0, +)
            #expect(Swift.abs(total - 1) < 1e-5, "lanes \(lane): \(total)")
        }
        // Through the op: the same as the kernel, and the last-axis path agrees with the strided one.
        let tensor = Tensor(shape: [5, width], scalars: x)
        let viaOp = tensor.softmax(axis: -1).scalars
        let strided = tensor.transposed().softmax(axis: 0).transposed().scalars
        for (a, b) in zip(viaOp, strided) { #expect(a.isNaN ? b.isNaN : Swift.abs(a - b) <= 1e-6) }
    }

    @Test func softmaxBackwardRowsMatchTheTensorFormulaAtEveryWidth() {
        for width in [1, 9, 31, 1000] {
            let y = Kernels.softmaxRows(rows(3, width: width, spread: 4, seed: 5), width: width, logarithmic: false)
            let g = rows(3, width: width, spread: 1, seed: 6)
            let yTensor = Tensor(shape: [3, width], scalars: y)
            let gTensor = Tensor(shape: [3, width], scalars: g)
            let expected = (yTensor * (gTensor - (gTensor * yTensor).sum(axis: 1, keepingDimensions: true))).scalars
            for lane in lanes {
                let result = Kernels.softmaxBackwardRows(y, g, width: width, lanes: lane)
                for (a, b) in zip(result, expected) {
                    #expect(Swift.abs(a - b) <= 1e-6 * Swift.max(1, Swift.abs(b)), "width \(width) lanes \(lane)")
                }
            }
        }
    }

    @Test func fusedSoftmaxBackwardEqualsTheRecordedOne() {
        var generator = RandomGenerator(seed: 9)
        let x = Tensor.normal([4, 50], using: &generator).requiringGradient()
        let weights = Tensor.normal([4, 50], using: &generator)
        let fused = gradients(of: (x.softmax() * weights).sum(), wrt: [x])[0]
        // createGraph: true records the backward pass, which takes the differentiable formula.
        let recorded = gradients(of: (x.softmax() * weights).sum(), wrt: [x], createGraph: true)[0]
        #expect(NeuralOpsReference.close(fused.scalars, recorded.scalars, tolerance: 1e-6))
        #expect(fused.scalars.contains { $0 != 0 })
    }

    @Test func gumbelNoiseMatchesTheDoubleFormulaWithTheSameBitsAtEveryWidth() {
        // Every uniform the sampler can draw, (k + 0.5)·2⁻²³, thinned to every 61st.
        let uniforms = stride(from: 0, to: 1 << 23, by: 61).map { (Float($0) + 0.5) * 0x1.0p-23 }
        var results: [[Float]] = []
        for lane in lanes {
            var noise = uniforms
            Kernels.gumbelNoise(&noise, lanes: lane)
            results.append(noise)
        }
        #expect(results.allSatisfy { $0 == results[0] }, "the widths differ")
        var worst = 0.0
        for (u, g) in zip(uniforms, results[0]) {
            let exact = -Foundation.log(-Foundation.log(Double(u)))
            worst = Swift.max(worst, Swift.abs(Double(g) - exact) / Swift.max(1, Swift.abs(exact)))
        }
        #expect(worst < 1e-6, "\(worst)")
        #expect(results[0].allSatisfy { $0.isFinite })
    }
}
