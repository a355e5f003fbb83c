import Autodiff
import Foundation

/// Gibbs sampling (Geman & Geman 1984; one coordinate at a time from its full conditional) of a bivariate
/// Gaussian with correlation `ρ`, alternating the full conditionals
/// `x | y ~ N(μx + ρ σx/σy (y − μy), σx²(1 − ρ²))` and symmetrically for `y | x`.
public struct BivariateGaussianGibbs: Sendable {
    /// `(μx, μy)`.
    public let means: (Double, Double)
    /// `(σx, σy)`.
    public let standardDeviations: (Double, Double)
    /// `ρ ∈ (−1, 1)`.
    public let correlation: Double

    /// The sampler for `N((μx, μy), [[σx², ρσxσy], [ρσxσy, σy²]])`.
    public init(means: (Double, Double) = (0, 0), standardDeviations: (Double, Double) = (1, 1), correlation: Double) {
        precondition(abs(correlation) < 1, "BivariateGaussianGibbs: correlation \(correlation) must lie in (−1, 1)")
        precondition(standardDeviations.0 > 0 && standardDeviations.1 > 0, "BivariateGaussianGibbs: σ must be > 0")
        self.means = means
        self.standardDeviations = standardDeviations
        self.correlation = correlation
    }

    /// `burnIn + draws` sweeps from `initial`; returns the last `draws` states.
    public func run(
        from initial: (Double, Double) = (0, 0), draws: Int, burnIn: Int = 100, using generator: inout RandomGenerator
    ) -> MarkovChain {
        var (x, y) = initial
        let (sx, sy) = standardDeviations
        let conditionalX = sx * (1 - correlation * correlation).squareRoot()
        let conditionalY = sy * (1 - correlation * correlation).squareRoot()
        var values = [Double](repeating: 0, count: 2 * draws)
        for sweep in 0..<(burnIn + draws) {
            x = means.0 + correlation * sx / sy * (y - means.1) + conditionalX * ZigguratNormal.draw(using: &generator)
            y = means.1 + correlation * sy / sx * (x - means.0) + conditionalY * ZigguratNormal.draw(using: &generator)
            if sweep >= burnIn {
                values[2 * (sweep - burnIn)] = x
                values[2 * (sweep - burnIn) + 1] = y
            }
        }
        return MarkovChain(dimension: 2, values: values, acceptanceRate: 1)
    }

    /// One chain per start, run in parallel (`ParallelChains`, per-chain seeds derived from `seed`).
    public func runChains(from initials: [(Double, Double)], draws: Int, burnIn: Int = 100, seed: UInt64)
        -> [MarkovChain]
    {
        let sampler = self
        let starts = initials.map { [$0.0, $0.1] }
        return ParallelChains.run(count: initials.count, seed: seed) { chain, generator in
            sampler.run(from: (starts[chain][0], starts[chain][1]), draws: draws, burnIn: burnIn, using: &generator)
        }
    }
}
