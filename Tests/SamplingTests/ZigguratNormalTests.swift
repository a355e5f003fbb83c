import Autodiff
import Foundation
import Testing

@testable import Sampling

/// The ziggurat normal: its tables against their defining equations and NumPy's constants, the bulk distribution
/// (KS, α = 0.001) and the tails (counts beyond 2, 3 and r within 4.5 binomial standard errors, and the law of the
/// tail draws by KS against the truncated normal).
@Suite struct ZigguratNormalTests {
    @Test func tablesSatisfyTheEqualAreaConstruction() {
        let tables = ZigguratNormal.tables
        let x = tables.w.map { $0 * 0x1.0p52 }
        // NumPy's ziggurat_constants.h: wi_double[0], wi_double[1], ki_double[0], fi_double[1].
        #expect(abs(tables.w[0] / 8.68362706080130616677e-16 - 1) < 1e-9)
        #expect(abs(tables.w[1] / 4.77933017572773682428e-17 - 1) < 1e-6)
        #expect(abs(Double(tables.k[0]) - Double(0x000E_F33D_8025_EF6A)) < 1e4)
        #expect(abs(tables.f[1] - 9.77101701267671596263e-01) < 1e-9)
        #expect(abs(x[255] - ZigguratNormal.Tables.r) < 1e-15)
        // Every strip i ≥ 2 has the same area xᵢ (fᵢ₋₁ − fᵢ).
        let area = x[255] * (tables.f[254] - tables.f[255])
        for i in 2..<256 { #expect(abs(x[i] * (tables.f[i - 1] - tables.f[i]) / area - 1) < 1e-9) }
        #expect(tables.k[1] == 0)
    }

    @Test func drawsPassKSAndMoments() {
        var generator = RandomGenerator(seed: 90)
        let count = 20000
        let draws = (0..<count).map { _ in ZigguratNormal.draw(using: &generator) }
        let statistic = StatisticalTests.kolmogorovSmirnov(draws, cdf: SpecialFunctions.normalCDF)
        #expect(statistic < StatisticalTests.kolmogorovSmirnovCritical(count), "KS \(statistic)")
        let mean = StatisticalTests.mean(draws)
        let variance = ConvergenceDiagnostics.sampleVariance(draws)
        #expect(abs(mean) < 4 / Double(count).squareRoot())
        #expect(abs(variance - 1) < 4 * (2 / Double(count)).squareRoot())
    }

    @Test func tailsHaveTheNormalMassAndShape() {
        var generator = RandomGenerator(seed: 91)
        let count = 1_000_000
        var buffer = [Double](repeating: 0, count: count)
        buffer.withUnsafeMutableBufferPointer { ZigguratNormal.fill($0, using: &generator) }
        let r = ZigguratNormal.Tables.r
        for threshold in [2.0, 3.0, r] {
            let p = 2 * SpecialFunctions.normalCDF(-threshold)
            let observed = Double(buffer.lazy.filter { abs($0) > threshold }.count)
            let expected = p * Double(count)
            let standardError = (expected * (1 - p)).squareRoot()
            #expect(abs(observed - expected) < 4.5 * standardError, "beyond \(threshold): \(observed) vs \(expected)")
        }
        // Beyond 3: |x| follows the normal truncated to (3, ∞).
        let tail = buffer.filter { abs($0) > 3 }.map(abs)
        let survivalAtThree = SpecialFunctions.normalCDF(-3)
        let statistic = StatisticalTests.kolmogorovSmirnov(tail) { x in
            1 - SpecialFunctions.normalCDF(-x) / survivalAtThree
        }
        #expect(statistic < StatisticalTests.kolmogorovSmirnovCritical(tail.count), "tail KS \(statistic)")
        // Both signs appear in the far tail (the sign bit is used there too).
        #expect(buffer.contains { $0 > r } && buffer.contains { $0 < -r })
    }
}
