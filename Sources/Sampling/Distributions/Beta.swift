import Autodiff
import Foundation

/// The beta distribution `Beta(a, b)` on `[0, 1]`, sampled as `X/(X + Y)` with `X ~ Gamma(a)`, `Y ~ Gamma(b)`.
public struct Beta: CumulativeDistribution {
    /// First shape `a > 0`.
    public let alpha: Double
    /// Second shape `b > 0`.
    public let beta: Double

    /// `Beta(alpha, beta)`.
    public init(alpha: Double, beta: Double) {
        precondition(alpha > 0 && beta > 0, "Beta: alpha \(alpha) and beta \(beta) must be positive")
        self.alpha = alpha
        self.beta = beta
    }

    /// `(a − 1) log x + (b − 1) log(1 − x) − log B(a, b)`.
    public func logDensity(_ x: Double) -> Double {
        guard x > 0 && x < 1 else { return -.infinity }
        return (alpha - 1) * log(x) + (beta - 1) * log1p(-x) - (lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta))
    }
    /// `X/(X + Y)` with gamma draws.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Double {
        let x = Gamma.standardDraw(shape: alpha, using: &generator)
        let y = Gamma.standardDraw(shape: beta, using: &generator)
        return x / (x + y)
    }
    /// `a/(a + b)`.
    public var mean: Double { alpha / (alpha + beta) }
    /// `ab/((a + b)²(a + b + 1))`.
    public var variance: Double {
        let total = alpha + beta
        return alpha * beta / (total * total * (total + 1))
    }
    /// `I_x(a, b)`, the regularized incomplete beta function.
    public func cdf(_ x: Double) -> Double { SpecialFunctions.regularizedIncompleteBeta(x, alpha, beta) }
    /// `I⁻¹(a, b, u)`: the quantile by numeric inversion of the incomplete beta function (SciPy `beta.ppf`).
    public func inverseCDF(_ u: Double) -> Double { SpecialFunctions.inverseRegularizedIncompleteBeta(alpha, beta, u) }
}
