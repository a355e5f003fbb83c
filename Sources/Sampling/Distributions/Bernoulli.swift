import Autodiff
import Foundation

/// The Bernoulli distribution: `P(X = 1) = p`, `P(X = 0) = 1 − p`.
public struct Bernoulli: DiscreteDistribution {
    /// The success probability.
    public let probability: Double

    /// `Bernoulli(probability)`; requires `0 ≤ probability ≤ 1`.
    public init(probability: Double) {
        precondition((0...1).contains(probability), "Bernoulli: probability \(probability) must lie in [0, 1]")
        self.probability = probability
    }

    /// `log p` at 1, `log(1 − p)` at 0, `−∞` elsewhere.
    public func logProbability(_ k: Int) -> Double {
        switch k {
        case 1: log(probability)
        case 0: log1p(-probability)
        default: -.infinity
        }
    }
    /// `1` if `U < p`.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Int {
        generator.nextUnitDouble() < probability ? 1 : 0
    }
    /// `p`.
    public var mean: Double { probability }
    /// `p(1 − p)`.
    public var variance: Double { probability * (1 - probability) }
}
