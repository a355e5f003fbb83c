import Autodiff
import Foundation

/// A finite mixture `p(x) = Σₖ wₖ pₖ(x)` of univariate distributions, sampled by drawing a component then a point.
public struct Mixture: ContinuousDistribution {
    /// The components.
    public let components: [any ContinuousDistribution]
    /// The component selector (normalized weights).
    public let selector: Categorical

    /// A mixture of `components` with non-negative `weights` (normalized here).
    public init(components: [any ContinuousDistribution], weights: [Double]) {
        precondition(
            components.count == weights.count,
            "Mixture: \(components.count) components but \(weights.count) weights")
        self.components = components
        self.selector = Categorical(weights: weights)
    }

    /// `log Σₖ wₖ pₖ(x)` via log-sum-exp.
    public func logDensity(_ x: Double) -> Double {
        SpecialFunctions.logSumExp(zip(components, selector.probabilities).map { log($1) + $0.logDensity(x) })
    }
    /// Draws a component index, then from that component.
    public func sample(using generator: inout RandomGenerator) -> Double {
        components[selector.sample(using: &generator)].sample(using: &generator)
    }
    /// `Σ wₖ μₖ`.
    public var mean: Double { zip(components, selector.probabilities).reduce(0) { $0 + $1.1 * $1.0.mean } }
    /// `Σ wₖ (σₖ² + μₖ²) − μ²`.
    public var variance: Double {
        let second = zip(components, selector.probabilities).reduce(0) {
            $0 + $1.1 * ($1.0.variance + $1.0.mean * $1.0.mean)
        }
        return second - mean * mean
    }
    /// `Σ wₖ Fₖ(x)` when every component has a CDF, otherwise `nil`.
    public func cdf(_ x: Double) -> Double? {
        var total = 0.0
        for (component, weight) in zip(components, selector.probabilities) {
            guard let cumulative = component as? any CumulativeDistribution else { return nil }
            total += weight * cumulative.cdf(x)
        }
        return total
    }
}
