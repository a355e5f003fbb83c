import Autodiff
import Foundation

/// The normal distribution `N(μ, σ²)` (NumPy `Generator.normal`, SciPy `stats.norm`).
public struct Normal: CumulativeDistribution {
    /// The mean `μ`.
    public let mean: Double
    /// The standard deviation `σ > 0`.
    public let standardDeviation: Double

    /// `N(mean, standardDeviation²)`.
    public init(mean: Double = 0, standardDeviation: Double = 1) {
        precondition(standardDeviation > 0, "Normal: standardDeviation \(standardDeviation) must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// `−½((x − μ)/σ)² − log σ − ½ log 2π`.
    public func logDensity(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return -0.5 * z * z - log(standardDeviation) - 0.5 * log(2 * Double.pi)
    }
    /// `μ + σ·Z` with `Z` from the ziggurat (`ZigguratNormal`, as NumPy's `Generator.normal`).
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Double {
        mean + standardDeviation * ZigguratNormal.draw(using: &generator)
    }
    /// Bulk fill with ziggurat draws (tables borrowed once).
    ///
    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe
    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator) {
        ZigguratNormal.fill(buffer, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }
    /// `σ²`.
    public var variance: Double { standardDeviation * standardDeviation }
    /// `Φ((x − μ)/σ)`.
    public func cdf(_ x: Double) -> Double { SpecialFunctions.normalCDF((x - mean) / standardDeviation) }
    /// `μ + σ Φ⁻¹(u)`.
    public func inverseCDF(_ u: Double) -> Double { mean + standardDeviation * SpecialFunctions.normalQuantile(u) }
}
