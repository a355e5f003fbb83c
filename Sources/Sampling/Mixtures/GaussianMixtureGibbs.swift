import Autodiff
import Foundation

/// Gibbs sampling of a 1-D Gaussian mixture with latent labels (Diebolt & Robert 1994):
/// `π ~ Dirichlet(α)`, `μₖ ~ N(0, τ²)`, `zᵢ ~ Cat(π)`, `xᵢ | zᵢ ~ N(μ_{zᵢ}, σ²)` with known `σ`.
/// Full conditionals: `p(zᵢ = k | ·) ∝ πₖ N(xᵢ; μₖ, σ²)`; `μₖ | · ~ N(Sₖ/σ² · v, v)` with
/// `v = 1/(nₖ/σ² + 1/τ²)`; `π | z ~ Dirichlet(α + n)`.
public struct GaussianMixtureGibbs: Sendable {
    /// The number of components `K`.
    public let components: Int
    /// The known component standard deviation `σ`.
    public let noiseStandardDeviation: Double
    /// The prior standard deviation `τ` of the means.
    public let priorStandardDeviation: Double
    /// The symmetric Dirichlet concentration `α`.
    public let concentration: Double

    /// The model with `components` clusters.
    public init(
        components: Int, noiseStandardDeviation: Double = 1, priorStandardDeviation: Double = 10,
        concentration: Double = 1
    ) {
        precondition(components >= 1, "GaussianMixtureGibbs: components \(components) must be ≥ 1")
        self.components = components
        self.noiseStandardDeviation = noiseStandardDeviation
        self.priorStandardDeviation = priorStandardDeviation
        self.concentration = concentration
    }

    /// Runs `burnIn + draws` sweeps; the chain holds `(μ₁…μ_K, π₁…π_K)` per draw. Means start at spread quantiles.
    public func run(data: [Double], draws: Int, burnIn: Int = 200, using generator: inout RandomGenerator)
        -> MarkovChain
    {
        precondition(!data.isEmpty, "GaussianMixtureGibbs.run: data must not be empty")
        let sorted = data.sorted()
        var means = (0..<components).map { sorted[(2 * $0 + 1) * sorted.count / (2 * components)] }
        var weights = [Double](repeating: 1 / Double(components), count: components)
        var labels = [Int](repeating: 0, count: data.count)
        let noiseVariance = noiseStandardDeviation * noiseStandardDeviation
        let priorPrecision = 1 / (priorStandardDeviation * priorStandardDeviation)
        var values: [Double] = []
        values.reserveCapacity(draws * 2 * components)
        var logits = [Double](repeating: 0, count: components)
        for sweep in 0..<(burnIn + draws) {
            var counts = [Double](repeating: 0, count: components)
            var sums = [Double](repeating: 0, count: components)
            for (i, x) in data.enumerated() {
                for k in 0..<components {
                    let r = x - means[k]
                    logits[k] = log(weights[k]) - 0.5 * r * r / noiseVariance
                }
                let maximum = logits.max() ?? 0
                var total = 0.0
                for k in 0..<components {
                    logits[k] = exp(logits[k] - maximum)
                    total += logits[k]
                }
                var u = generator.nextUnitDouble() * total
                var label = components - 1
                for k in 0..<components {
                    u -= logits[k]
                    if u < 0 {
                        label = k
                        break
                    }
                }
                labels[i] = label
                counts[label] += 1
                sums[label] += x
            }
            for k in 0..<components {
                let variance = 1 / (counts[k] / noiseVariance + priorPrecision)
                means[k] =
                    variance * sums[k] / noiseVariance + variance.squareRoot() * ZigguratNormal.draw(using: &generator)
            }
            weights = Dirichlet(concentrations: counts.map { $0 + concentration }).sample(using: &generator)
            if sweep >= burnIn {
                values.append(contentsOf: means)
                values.append(contentsOf: weights)
            }
        }
        return MarkovChain(dimension: 2 * components, values: values, acceptanceRate: 1)
    }

    /// `chains` independent chains on the same data, run in parallel (`ParallelChains`, per-chain seeds derived
    /// from `seed`); deterministic given `seed`.
    public func runChains(data: [Double], chains: Int, draws: Int, burnIn: Int = 200, seed: UInt64) -> [MarkovChain] {
        let sampler = self
        return ParallelChains.run(count: chains, seed: seed) { _, generator in
            sampler.run(data: data, draws: draws, burnIn: burnIn, using: &generator)
        }
    }
}
