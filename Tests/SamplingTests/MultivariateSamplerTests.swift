import Autodiff
import Foundation
import Testing

@testable import Sampling

/// Rejection, importance and mixture sampling in 2-D against a correlated Gaussian whose constants are known:
/// `p̄(x) = exp(−½ xᵀΣ⁻¹x)`, `Σ = [[1, ½], [½, 1]]`, `Z = 2π √det Σ`. Tolerances are 4.5 standard errors.
@Suite struct MultivariateSamplerTests {
    static let covariance: [[Double]] = [[1, 0.5], [0.5, 1]]
    static let determinant = 0.75

    /// `log p̄` of `N(mean, Σ)` without the normalizer.
    static func unnormalizedTarget(mean: [Double] = [0, 0], normalized: Bool = false) -> UnnormalizedDensity {
        let constant = normalized ? -log(2 * Double.pi * determinant.squareRoot()) : 0
        return UnnormalizedDensity(dimension: 2) { x in
            let a = x[0] - mean[0]
            let b = x[1] - mean[1]
            // Σ⁻¹ = [[1, −½], [−½, 1]] / det.
            return constant - 0.5 * (a * a - a * b + b * b) / determinant
        }
    }

    @Test func rejectionAcceptsAtRateZOverKAndReproducesTheCovariance() throws {
        let proposal = try MultivariateNormal(mean: [0, 0], covariance: [[4, 0], [0, 4]])
        // p̄/q = 8π exp(−½ xᵀ(Σ⁻¹ − I/4)x) ≤ 8π since Σ⁻¹ − I/4 is positive definite.
        let sampler = MultivariateRejectionSampler(
            target: Self.unnormalizedTarget(), proposal: proposal, bound: 8 * Double.pi)
        var generator = RandomGenerator(seed: 100)
        let result = sampler.sample(count: 2000, using: &generator)
        #expect(result.count == 2000 && !result.boundIsWrong && result.largestEnvelopeRatio == 0)
        let expectedRate = Self.determinant.squareRoot() / 4
        let standardError = (expectedRate * (1 - expectedRate) / Double(result.proposals)).squareRoot()
        #expect(abs(result.acceptanceRate - expectedRate) < 4.5 * standardError, "rate \(result.acceptanceRate)")
        var sums = [0.0, 0.0, 0.0]
        for i in 0..<result.count {
            let x = result.sample(i)
            sums[0] += x[0] * x[0]
            sums[1] += x[0] * x[1]
            sums[2] += x[1] * x[1]
        }
        let n = Double(result.count)
        #expect(abs(sums[0] / n - 1) < 0.15 && abs(sums[1] / n - 0.5) < 0.12 && abs(sums[2] / n - 1) < 0.15)
    }

    @Test func rejectionDetectsATooSmallBound() throws {
        let proposal = try MultivariateNormal(mean: [0, 0], covariance: [[4, 0], [0, 4]])
        let sampler = MultivariateRejectionSampler(
            target: Self.unnormalizedTarget(), proposal: proposal, bound: 2 * Double.pi)
        var generator = RandomGenerator(seed: 101)
        let result = sampler.sample(count: 500, using: &generator)
        #expect(result.boundIsWrong)
        #expect(result.largestEnvelopeRatio > 2 && result.largestEnvelopeRatio <= 4)
        #expect(result.boundViolations.allSatisfy { $0.count == 2 })
    }

    @Test func importanceEstimatesMomentsConstantAndESS() throws {
        let proposal = try MultivariateNormal(mean: [0, 0], covariance: [[4, 0], [0, 4]])
        let target = Self.unnormalizedTarget(mean: [1, -1], normalized: true)
        let sampler = MultivariateImportanceSampler(target: target, proposal: proposal)
        var generator = RandomGenerator(seed: 102)
        let draws = sampler.sample(count: 20000, using: &generator)
        #expect(abs(draws.normalizingConstant - 1) < 0.05)
        #expect(abs(draws.selfNormalizedEstimate { $0[0] } - 1) < 0.05)
        #expect(abs(draws.selfNormalizedEstimate { $0[0] * $0[1] } + 0.5) < 0.08)
        #expect(abs(draws.plainEstimate { $0[1] } + 1) < 0.08)
        #expect(draws.effectiveSampleSize > 2000 && draws.effectiveSampleSize < 20000)
        // Proposal = target: equal weights, ESS = N.
        let exact = try MultivariateNormal(mean: [1, -1], covariance: Self.covariance)
        let perfect = MultivariateImportanceSampler(target: target, proposal: exact).sample(
            count: 500, using: &generator)
        #expect(abs(perfect.effectiveSampleSize - 500) < 1e-6)
    }

    @Test func mixtureSamplesComponentsInProportionAndEvaluatesTheDensity() throws {
        let left = try MultivariateNormal(mean: [-3, 0], covariance: [[1, 0], [0, 1]])
        let right = try MultivariateNormal(mean: [3, 0], covariance: Self.covariance)
        let mixture = MultivariateMixture(components: [left, right], weights: [3, 7])
        var generator = RandomGenerator(seed: 103)
        let count = 4000
        var leftCount = 0.0
        for _ in 0..<count where mixture.sample(using: &generator)[0] < 0 { leftCount += 1 }
        #expect(abs(leftCount / Double(count) - 0.3) < 4.5 * (0.21 / Double(count)).squareRoot())
        let point = [0.5, 0.2]
        let direct = log(0.3 * exp(left.logDensity(point)) + 0.7 * exp(right.logDensity(point)))
        #expect(abs(mixture.logDensity(point) - direct) < 1e-12)
        let responsibilities = mixture.responsibilities(point)
        #expect(abs(responsibilities.reduce(0, +) - 1) < 1e-12 && responsibilities[1] > responsibilities[0])
        // As a proposal for its own right component: weights ≈ 1/0.7 on right draws and ≈ 0 on left ones, so
        // Kish's ESS ≈ the number of right draws ≈ 0.7 N.
        let sampler = MultivariateImportanceSampler(
            target: Self.unnormalizedTarget(mean: [3, 0], normalized: true), proposal: mixture)
        let weighted = sampler.sample(count: 4000, using: &generator)
        #expect(abs(weighted.normalizingConstant - 1) < 0.06)
        #expect(abs(weighted.effectiveSampleSize / 4000 - 0.7) < 0.05)
    }
}
