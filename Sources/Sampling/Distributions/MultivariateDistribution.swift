import Autodiff
import Foundation

/// A distribution over `ℝ^d` that can be sampled and evaluated: the proposal family for the multivariate rejection
/// and importance samplers  and the components of `MultivariateMixture`.
public protocol MultivariateDistribution: Sendable {
    /// The dimension `d`.
    var dimension: Int { get }
    /// `log q(x)` (normalized).
    func logDensity(_ x: [Double]) -> Double
    /// One draw.
    func sample(using generator: inout RandomGenerator) -> [Double]
}

extension MultivariateNormal: MultivariateDistribution {}
