import Autodiff
import Foundation

/// Inverse-transform sampling (Devroye 1986, §II.2): draw `u ~ U(0, 1)` and return `x = F⁻¹(u)`.
///
/// With a closed-form quantile use `init(quantile:)`; with only a CDF, `init(cdf:density:)` inverts it numerically:
/// expand a bracket `[lo, hi]` with `F(lo) ≤ u ≤ F(hi)`, then safeguarded Newton steps (when a density is given)
/// falling back to bisection, until the bracket is narrower than `tolerance`.
public struct InverseTransformSampler: Sendable {
    /// `F⁻¹(u)`.
    public let quantile: @Sendable (Double) -> Double

    /// A sampler from a closed-form quantile function.
    public init(quantile: @escaping @Sendable (Double) -> Double) {
        self.quantile = quantile
    }

    /// A sampler that inverts `cdf` numerically (bracketing, then Newton with `density` or bisection).
    public init(
        cdf: @escaping @Sendable (Double) -> Double, density: (@Sendable (Double) -> Double)? = nil,
        initialBracket: ClosedRange<Double> = -1...1, tolerance: Double = 1e-12
    ) {
        self.quantile = { u in
            InverseTransformSampler.invert(
                cdf: cdf, density: density, at: u, bracket: initialBracket, tolerance: tolerance)
        }
    }

    /// A sampler using a distribution's own inverse CDF.
    public init(_ distribution: some CumulativeDistribution) {
        self.quantile = { distribution.inverseCDF($0) }
    }

    /// One draw `F⁻¹(U)`.
    public func sample(using generator: inout RandomGenerator) -> Double {
        var u = generator.nextUnitDouble()
        while u == 0 { u = generator.nextUnitDouble() }
        return quantile(u)
    }

    /// `count` draws.
    public func samples(count: Int, using generator: inout RandomGenerator) -> [Double] {
        (0..<count).map { _ in sample(using: &generator) }
    }

    /// Solves `F(x) = u` by bracket expansion then Newton–bisection.
    public static func invert(
        cdf: (Double) -> Double, density: ((Double) -> Double)?, at u: Double, bracket: ClosedRange<Double>,
        tolerance: Double
    ) -> Double {
        var low = bracket.lowerBound
        var high = bracket.upperBound
        var width = max(high - low, 1)
        var expansions = 0
        while cdf(low) > u && expansions < 200 {
            low -= width
            width *= 2
            expansions += 1
        }
        width = max(high - low, 1)
        expansions = 0
        while cdf(high) < u && expansions < 200 {
            high += width
            width *= 2
            expansions += 1
        }
        var x = (low + high) / 2
        for _ in 0..<200 {
            let value = cdf(x) - u
            if value > 0 { high = x } else { low = x }
            if high - low < tolerance * max(1, abs(x)) { break }
            var next = (low + high) / 2
            if let density {
                let slope = density(x)
                if slope > 0 {
                    let newton = x - value / slope
                    if newton > low && newton < high { next = newton }
                }
            }
            if next == x { break }
            x = next
        }
        return x
    }
}
