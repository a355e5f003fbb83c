import Autodiff
import Foundation

/// Importance sampling in `ℝ^d` (Kahn & Marshall 1953; Robert & Casella 2004, §3.3): draw `xᵢ ~ q` and weight them by `wᵢ = p̄(xᵢ)/q(xᵢ)`.
///
/// The same estimators and diagnostic as the univariate `ImportanceSampler`: plain `(1/N) Σ wᵢ f(xᵢ)`,
/// self-normalized `Σ wᵢ f(xᵢ) / Σ wᵢ`, the normalizing constant `(1/N) Σ wᵢ` and Kish's ESS `(Σ w)² / Σ w²`.
public struct MultivariateImportanceSampler<Proposal: MultivariateDistribution>: Sendable {
    /// The target `p̄` (normalized for the plain estimator).
    public let target: UnnormalizedDensity
    /// The proposal `q`.
    public let proposal: Proposal

    /// An importance sampler for `target` using `proposal` (dimensions must agree).
    public init(target: UnnormalizedDensity, proposal: Proposal) {
        precondition(
            target.dimension == proposal.dimension,
            "MultivariateImportanceSampler: target dimension \(target.dimension) ≠ proposal \(proposal.dimension)")
        self.target = target
        self.proposal = proposal
    }

    /// `count` weighted draws.
    public func sample(count: Int, using generator: inout RandomGenerator) -> MultivariateImportanceSample {
        var values: [Double] = []
        values.reserveCapacity(count * target.dimension)
        var logWeights = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let x = proposal.sample(using: &generator)
            values.append(contentsOf: x)
            logWeights[index] = target(x) - proposal.logDensity(x)
        }
        return MultivariateImportanceSample(dimension: target.dimension, values: values, logWeights: logWeights)
    }
}

/// Weighted draws in `ℝ^d` from an importance sampler.
public struct MultivariateImportanceSample: Sendable {
    /// The dimension of each draw.
    public let dimension: Int
    /// The draws `xᵢ ~ q`, row-major.
    public let values: [Double]
    /// `log wᵢ = log p̄(xᵢ) − log q(xᵢ)`.
    public let logWeights: [Double]

    /// Draw `index`.
    public func point(_ index: Int) -> [Double] { Array(values[(index * dimension)..<((index + 1) * dimension)]) }

    /// Weights scaled by `exp(−max log w)` for stability (ratios are exact).
    var weights: ImportanceWeights { ImportanceWeights(logWeights: logWeights) }

    /// The plain estimate `(1/N) Σ wᵢ f(xᵢ)` (unbiased when `p̄` is normalized).
    public func plainEstimate(_ function: ([Double]) -> Double) -> Double {
        weights.plainEstimate { function(point($0)) }
    }

    /// The self-normalized estimate `Σ wᵢ f(xᵢ) / Σ wᵢ`.
    public func selfNormalizedEstimate(_ function: ([Double]) -> Double) -> Double {
        weights.selfNormalizedEstimate { function(point($0)) }
    }

    /// `(1/N) Σ wᵢ`: an unbiased estimate of the normalizing constant `Z = ∫ p̄`.
    public var normalizingConstant: Double { weights.normalizingConstant }

    /// Kish's effective sample size `(Σ wᵢ)² / Σ wᵢ²`.
    public var effectiveSampleSize: Double { weights.effectiveSampleSize }
}
