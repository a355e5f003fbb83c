import Foundation
import Testing

@testable import Autodiff

/// The vectorized exp / tanh / sigmoid kernels against `Double` libm: max relative error ≤ 2e-7 on a dense grid
/// over a wide range, tiny magnitudes, the polynomial's range boundaries, and exact libm behaviour outside it.
@Suite("Vectorized exp, tanh, sigmoid kernels: accuracy")
struct VectorizedMathTests {
    /// 24 001 points over [−120, 120] (step 0.01, offset so they are not round numbers), ±10⁻³⁰…1 geometrically,
    /// and the edges of the fast ranges.
    static let grid: [Float] = {
        var points = (0...24_000).map { Float(-120 + 0.01 * Double($0) + 0.000_37) }
        var magnitude: Float = 1e-30
        while magnitude < 1 {
            points += [magnitude, -magnitude]
            magnitude *= 1.5
        }
        points += [
            0, -0.0, 0.625, -0.625, 0.624_999_9, 10, -10, 20, -87, -86.999_99, 86.999_99, 87, 88, 87.999_99,
            88.5, -88.5, -103, -104, 89, 1e30, -1e30,
        ]
        return points
    }()

    static func maxRelativeError(_ values: [Float], _ reference: (Double) -> Double) -> (error: Double, at: Float) {
        var worst = (error: 0.0, at: Float(0))
        for (x, value) in zip(grid, values) {
            let exact = reference(Double(x))
            // Relative error is the measure for normal results; subnormal ones must be within one subnormal step of
            // the exact value, and 0 and ±∞ must match exactly.
            let rounded = Double(Float(exact))
            if rounded == 0 || rounded.isInfinite {
                if Double(value) != rounded { return (.infinity, x) }
                continue
            }
            if Swift.abs(rounded) < Double(Float.leastNormalMagnitude) {
                if Swift.abs(Double(value) - exact) > Double(Float.leastNonzeroMagnitude) { return (.infinity, x) }
                continue
            }
            let error = Swift.abs(Double(value) - exact) / Swift.abs(exact)
            if error > worst.error { worst = (error, x) }
        }
        return worst
    }

    @Test func expIsAccurate() {
        let worst = Self.maxRelativeError(Kernels.exp(Self.grid), Foundation.exp)
        #expect(worst.error <= 2e-7, "exp: \(worst)")
    }

    @Test func tanhIsAccurate() {
        let worst = Self.maxRelativeError(Kernels.tanh(Self.grid), Foundation.tanh)
        #expect(worst.error <= 2e-7, "tanh: \(worst)")
    }

    @Test func sigmoidIsAccurate() {
        let worst = Self.maxRelativeError(Kernels.sigmoid(Self.grid)) { 1 / (1 + Foundation.exp(-$0)) }
        #expect(worst.error <= 2e-7, "sigmoid: \(worst)")
    }

    @Test func specialValuesMatchLibm() {
        let specials: [Float] = [.infinity, -.infinity, .nan, 89, -100, -0.0, .greatestFiniteMagnitude]
        let exp = Kernels.exp(specials)
        #expect(exp[0] == .infinity && exp[1] == 0 && exp[2].isNaN && exp[3] == .infinity)
        #expect(exp[4] == Foundation.exp(Float(-100)) && exp[4] > 0)  // subnormal, as libm
        #expect(exp[5] == 1 && exp[6] == .infinity)
        let tanh = Kernels.tanh(specials)
        #expect(tanh[0] == 1 && tanh[1] == -1 && tanh[2].isNaN && tanh[3] == 1 && tanh[4] == -1)
        #expect(tanh[5] == 0 && tanh[5].sign == .minus && tanh[6] == 1)
        let sigmoid = Kernels.sigmoid(specials)
        #expect(sigmoid[0] == 1 && sigmoid[1] == 0 && sigmoid[2].isNaN && sigmoid[3] == 1)
        #expect(sigmoid[4] > 0 && sigmoid[4] < Float.leastNormalMagnitude)
        #expect(sigmoid[5] == 0.5 && sigmoid[6] == 1)
        #expect(Kernels.exp([]).isEmpty)
    }
}
