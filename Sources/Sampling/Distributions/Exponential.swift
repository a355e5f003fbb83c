import Autodiff
import Foundation

/// The exponential distribution with rate `λ` (density `λ e^{−λx}`, `x ≥ 0`), sampled by inverse transform (Devroye 1986, §II.2).
public struct Exponential: CumulativeDistribution {
    /// The rate `λ > 0`.
    public let rate: Double

    /// An exponential distribution with the given rate.
    public init(rate: Double = 1) {
        precondition(rate > 0, "Exponential: rate \(rate) must be positive")
        self.rate = rate
    }

    /// `log λ − λx` for `x ≥ 0`.
    public func logDensity(_ x: Double) -> Double { x < 0 ? -.infinity : log(rate) - rate * x }
    /// `−log(1 − U)/λ`.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Double {
        -Foundation.log(1 - generator.nextUnitDouble()) / rate
    }
    /// `1/λ`.
    public var mean: Double { 1 / rate }
    /// `1/λ²`.
    public var variance: Double { 1 / (rate * rate) }
    /// `1 − e^{−λx}`.
    public func cdf(_ x: Double) -> Double { x <= 0 ? 0 : -expm1(-rate * x) }
    /// `−log(1 − u)/λ`.
    public func inverseCDF(_ u: Double) -> Double { -log1p(-u) / rate }
}
