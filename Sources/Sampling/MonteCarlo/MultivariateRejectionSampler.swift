import Autodiff
import Foundation

/// Rejection sampling in `ℝ^d` (von Neumann 1951; Devroye 1986, §II.3): draw `x ~ q`, accept with probability `p̄(x) / (k q(x))`.
///
/// The same diagnostics as the univariate `RejectionSampler`: the acceptance rate (expected `Z/k`), and every
/// proposed point where the envelope `k q(x) ≥ p̄(x)` fails is recorded, so a wrong bound is detected.
public struct MultivariateRejectionSampler<Proposal: MultivariateDistribution>: Sendable {
    /// The unnormalized target `p̄`.
    public let target: UnnormalizedDensity
    /// The proposal `q`.
    public let proposal: Proposal
    /// `log k`.
    public let logBound: Double

    /// A rejection sampler for `target` with envelope `bound · proposal` (dimensions must agree).
    public init(target: UnnormalizedDensity, proposal: Proposal, bound: Double) {
        precondition(bound > 0, "MultivariateRejectionSampler: bound \(bound) must be positive")
        precondition(
            target.dimension == proposal.dimension,
            "MultivariateRejectionSampler: target dimension \(target.dimension) ≠ proposal \(proposal.dimension)")
        self.target = target
        self.proposal = proposal
        self.logBound = log(bound)
    }

    /// Proposes until `count` points are accepted (or `maximumProposals` is reached).
    public func sample(count: Int, maximumProposals: Int = 100_000_000, using generator: inout RandomGenerator)
        -> MultivariateRejectionResult
    {
        let dimension = target.dimension
        var accepted: [Double] = []
        accepted.reserveCapacity(count * dimension)
        var proposals = 0
        var violations: [[Double]] = []
        var worstRatio = 0.0
        while accepted.count < count * dimension && proposals < maximumProposals {
            let x = proposal.sample(using: &generator)
            proposals += 1
            let logRatio = target(x) - logBound - proposal.logDensity(x)
            if logRatio > 0 {
                if violations.count < 100 { violations.append(x) }
                worstRatio = max(worstRatio, exp(logRatio))
            }
            if log(1 - generator.nextUnitDouble()) <= logRatio { accepted.append(contentsOf: x) }
        }
        return MultivariateRejectionResult(
            dimension: dimension, values: accepted, proposals: proposals, boundViolations: violations,
            largestEnvelopeRatio: worstRatio)
    }
}

/// What a multivariate rejection-sampling run produced and how well the envelope fit.
public struct MultivariateRejectionResult: Sendable {
    /// The dimension of each draw.
    public let dimension: Int
    /// Accepted draws, row-major (`count × dimension`).
    public let values: [Double]
    /// Proposals made.
    public let proposals: Int
    /// Up to 100 proposed points where `p̄(x) > k q(x)` (empty when the bound held at every proposal).
    public let boundViolations: [[Double]]
    /// The largest `p̄(x) / (k q(x))` seen above 1 (0 when the bound held); multiply `k` by at least this.
    public let largestEnvelopeRatio: Double

    /// The number of accepted draws.
    public var count: Int { values.count / dimension }
    /// Accepted draw `index`.
    public func sample(_ index: Int) -> [Double] { Array(values[(index * dimension)..<((index + 1) * dimension)]) }
    /// Accepted / proposed; for a valid bound its expectation is `Z / k` with `Z = ∫ p̄`.
    public var acceptanceRate: Double { proposals == 0 ? 0 : Double(count) / Double(proposals) }
    /// Whether the bound `p̄ ≤ k q` was violated at any proposed point.
    public var boundIsWrong: Bool { !boundViolations.isEmpty }
}
