import Autodiff
import Foundation

/// The Dirichlet distribution on the probability simplex, sampled by normalizing independent `Gamma(αᵢ)` draws.
public struct Dirichlet: Sendable {
    /// The concentrations `αᵢ > 0`.
    public let concentrations: [Double]

    /// `Dirichlet(concentrations)`.
    public init(concentrations: [Double]) {
        precondition(
            !concentrations.isEmpty && concentrations.allSatisfy { $0 > 0 },
            "Dirichlet: concentrations \(concentrations) must be non-empty and positive")
        self.concentrations = concentrations
    }

    /// `Σ (αᵢ − 1) log xᵢ − Σ log Γ(αᵢ) + log Γ(Σ αᵢ)`.
    public func logDensity(_ x: [Double]) -> Double {
        precondition(x.count == concentrations.count, "Dirichlet.logDensity: \(x.count) ≠ \(concentrations.count)")
        var result: Double = lgamma(totalConcentration)
        for index in x.indices {
            let value: Double = x[index]
            let alpha: Double = concentrations[index]
            guard value > 0 else { return -.infinity }
            result += (alpha - 1) * log(value) - lgamma(alpha)
        }
        return result
    }
    /// `α₀ = Σ αᵢ`.
    public var totalConcentration: Double {
        var total = 0.0
        for alpha in concentrations { total += alpha }
        return total
    }
    /// One draw (a probability vector).
    public func sample(using generator: inout RandomGenerator) -> [Double] {
        var draws = concentrations.map { Gamma.standardDraw(shape: $0, using: &generator) }
        var total = 0.0
        for draw in draws { total += draw }
        for index in draws.indices { draws[index] /= total }
        return draws
    }
    /// `αᵢ / Σ α`.
    public var mean: [Double] {
        let total = totalConcentration
        return concentrations.map { $0 / total }
    }
    /// Marginal variances `αᵢ(α₀ − αᵢ)/(α₀²(α₀ + 1))`.
    public var variance: [Double] {
        let total = totalConcentration
        return concentrations.map { $0 * (total - $0) / (total * total * (total + 1)) }
    }
}
