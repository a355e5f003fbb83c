import Autodiff
import Foundation

/// A finite mixture `p(x) = Σₖ wₖ pₖ(x)` of distributions over `ℝ^d`, sampled by drawing a component index from
/// `Categorical(w)` and then a point from that component (ancestral sampling of the latent label `z`; Bishop, PRML §8.1.2).
public struct MultivariateMixture: MultivariateDistribution {
    /// The components (all of the same dimension).
    public let components: [any MultivariateDistribution]
    /// The component selector (normalized weights).
    public let selector: Categorical

    /// A mixture of `components` with non-negative `weights` (normalized here).
    public init(components: [any MultivariateDistribution], weights: [Double]) {
        precondition(
            !components.isEmpty && components.count == weights.count,
            "MultivariateMixture: \(components.count) components but \(weights.count) weights")
        let dimension = components[0].dimension
        precondition(
            components.allSatisfy { $0.dimension == dimension },
            "MultivariateMixture: components have dimensions \(components.map(\.dimension))")
        self.components = components
        self.selector = Categorical(weights: weights)
    }

    /// The dimension `d`.
    public var dimension: Int { components[0].dimension }

    /// `log Σₖ wₖ pₖ(x)` via log-sum-exp.
    public func logDensity(_ x: [Double]) -> Double {
        SpecialFunctions.logSumExp(zip(components, selector.probabilities).map { log($1) + $0.logDensity(x) })
    }

    /// Draws a component index, then a point from that component.
    public func sample(using generator: inout RandomGenerator) -> [Double] {
        components[selector.sample(using: &generator)].sample(using: &generator)
    }

    /// `p(z = k | x) = wₖ pₖ(x) / p(x)`: the posterior over components (the E step's responsibilities,
    /// Bishop, PRML §9.2).
    public func responsibilities(_ x: [Double]) -> [Double] {
        let terms = zip(components, selector.probabilities).map { log($1) + $0.logDensity(x) }
        let normalizer = SpecialFunctions.logSumExp(terms)
        return terms.map { exp($0 - normalizer) }
    }
}
