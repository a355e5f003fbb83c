import Autodiff
import Foundation

/// Importance sampling (Kahn & Marshall 1953; Robert & Casella 2004, §3.3): draw `xᵢ ~ q` and weight them by `wᵢ = p̄(xᵢ)/q(xᵢ)` instead of rejecting.
///
/// Plain: `E_p[f] ≈ (1/N) Σ wᵢ f(xᵢ)` (requires a normalized `p`). Self-normalized: `Σ wᵢ f(xᵢ) / Σ wᵢ` (any
/// `p̄`). Kish's effective sample size `(Σ w)² / Σ w²` says how many independent draws the weighted set is worth.
public struct ImportanceSampler<Proposal: ContinuousDistribution>: Sendable {
    /// The target `p̄` (normalized for the plain estimator).
    public let target: UnnormalizedDensity
    /// The proposal `q`.
    public let proposal: Proposal

    /// An importance sampler for `target` using `proposal`.
    public init(target: UnnormalizedDensity, proposal: Proposal) {
        precondition(target.dimension == 1, "ImportanceSampler: target must be univariate")
        self.target = target
        self.proposal = proposal
    }

    /// `count` weighted draws.
    public func sample(count: Int, using generator: inout RandomGenerator) -> ImportanceSample {
        var points = [Double](repeating: 0, count: count)
        var logWeights = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let x = proposal.sample(using: &generator)
            points[index] = x
            logWeights[index] = target(x) - proposal.logDensity(x)
        }
        return ImportanceSample(points: points, logWeights: logWeights)
    }
}

/// Weighted draws from an importance sampler.
public struct ImportanceSample: Sendable {
    /// The draws `xᵢ ~ q`.
    public let points: [Double]
    /// `log wᵢ = log p̄(xᵢ) − log q(xᵢ)`.
    public let logWeights: [Double]

    /// Weights scaled by `exp(−max log w)` for stability (ratios are exact).
    var weights: ImportanceWeights { ImportanceWeights(logWeights: logWeights) }

    /// The plain estimate `(1/N) Σ wᵢ f(xᵢ)` (unbiased when `p̄` is normalized).
    public func plainEstimate(_ function: (Double) -> Double) -> Double {
        weights.plainEstimate { function(points[$0]) }
    }

    /// The self-normalized estimate `Σ wᵢ f(xᵢ) / Σ wᵢ`.
    public func selfNormalizedEstimate(_ function: (Double) -> Double) -> Double {
        weights.selfNormalizedEstimate { function(points[$0]) }
    }

    /// `(1/N) Σ wᵢ`: an unbiased estimate of the normalizing constant `Z = ∫ p̄`.
    public var normalizingConstant: Double { weights.normalizingConstant }

    /// Kish's effective sample size `(Σ wᵢ)² / Σ wᵢ²`.
    public var effectiveSampleSize: Double { weights.effectiveSampleSize }
}
