import Autodiff
import Foundation

/// Rejection sampling (von Neumann 1951; Devroye 1986, §II.3): draw `x ~ q`, accept with probability `p̄(x) / (k q(x))`.
///
/// Requires the envelope `k q(x) ≥ p̄(x)` everywhere. When a proposed point violates it the bound is wrong and the
/// accepted points are not draws from `p`; the sampler records every such point in `RejectionResult.boundViolations`.
public struct RejectionSampler<Proposal: ContinuousDistribution>: Sendable {
    /// The unnormalized target `p̄`.
    public let target: UnnormalizedDensity
    /// The proposal `q`.
    public let proposal: Proposal
    /// `log k`.
    public let logBound: Double

    /// A rejection sampler for `target` with envelope `bound · proposal`.
    public init(target: UnnormalizedDensity, proposal: Proposal, bound: Double) {
        precondition(bound > 0, "RejectionSampler: bound \(bound) must be positive")
        precondition(target.dimension == 1, "RejectionSampler: target must be univariate")
        self.target = target
        self.proposal = proposal
        self.logBound = log(bound)
    }

    /// Proposes until `count` points are accepted (or `maximumProposals` is reached).
    public func sample(count: Int, maximumProposals: Int = 100_000_000, using generator: inout RandomGenerator)
        -> RejectionResult
    {
        var accepted: [Double] = []
        accepted.reserveCapacity(count)
        var proposals = 0
        var violations: [Double] = []
        var worstRatio = 0.0
        while accepted.count < count && proposals < maximumProposals {
            let x = proposal.sample(using: &generator)
            proposals += 1
            let logRatio = target(x) - logBound - proposal.logDensity(x)
            if logRatio > 0 {
                if violations.count < 100 { violations.append(x) }
                worstRatio = max(worstRatio, exp(logRatio))
            }
            if log(1 - generator.nextUnitDouble()) <= logRatio { accepted.append(x) }
        }
        return RejectionResult(
            samples: accepted, proposals: proposals, boundViolations: violations, largestEnvelopeRatio: worstRatio)
    }
}

/// What a rejection-sampling run produced and how well the envelope fit.
public struct RejectionResult: Sendable {
    /// The accepted draws.
    public let samples: [Double]
    /// Proposals made.
    public let proposals: Int
    /// Up to 100 proposed points where `p̄(x) > k q(x)` (empty when the bound held at every proposal).
    public let boundViolations: [Double]
    /// The largest `p̄(x) / (k q(x))` seen above 1 (0 when the bound held); multiply `k` by at least this.
    public let largestEnvelopeRatio: Double

    /// Accepted / proposed; for a valid bound its expectation is `Z / k` with `Z = ∫ p̄`.
    public var acceptanceRate: Double { proposals == 0 ? 0 : Double(samples.count) / Double(proposals) }
    /// Whether the bound `p̄ ≤ k q` was violated at any proposed point.
    public var boundIsWrong: Bool { !boundViolations.isEmpty }
}
