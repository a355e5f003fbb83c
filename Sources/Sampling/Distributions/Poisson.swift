import Autodiff
import Foundation

/// The Poisson distribution with rate `λ`. Sampling follows NumPy: multiplication of uniforms for `λ < 10`,
/// and Hörmann's PTRS transformed rejection (1993, "The transformed rejection method for generating Poisson random
/// variables") above.
public struct Poisson: DiscreteDistribution {
    /// The rate `λ ≥ 0`.
    public let rate: Double

    /// `Poisson(rate)`.
    public init(rate: Double) {
        precondition(rate >= 0 && rate.isFinite, "Poisson: rate \(rate) must be finite and non-negative")
        self.rate = rate
    }

    /// `k log λ − λ − log k!`.
    public func logProbability(_ k: Int) -> Double {
        guard k >= 0 else { return -.infinity }
        if rate == 0 { return k == 0 ? 0 : -.infinity }
        return Double(k) * log(rate) - rate - lgamma(Double(k) + 1)
    }
    /// One draw.
    public func sample(using generator: inout RandomGenerator) -> Int {
        if rate == 0 { return 0 }
        if rate < 10 {
            let limit = exp(-rate)
            var product = generator.nextUnitDouble()
            var k = 0
            while product > limit {
                product *= generator.nextUnitDouble()
                k += 1
            }
            return k
        }
        let slam = rate.squareRoot()
        let loglam = log(rate)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invAlpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = generator.nextUnitDouble() - 0.5
            let v = generator.nextUnitDouble()
            let us = 0.5 - abs(u)
            let k = floor((2 * a / us + b) * u + rate + 0.43)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invAlpha) - log(a / (us * us) + b) <= -rate + k * loglam - lgamma(k + 1) { return Int(k) }
        }
    }
    /// `λ`.
    public var mean: Double { rate }
    /// `λ`.
    public var variance: Double { rate }
    /// `P(X ≤ k)`.
    public func cdf(_ k: Int) -> Double {
        guard k >= 0 else { return 0 }
        var total = 0.0
        for j in 0...k { total += exp(logProbability(j)) }
        return min(1, total)
    }
}
