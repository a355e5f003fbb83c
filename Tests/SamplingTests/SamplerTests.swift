import Autodiff
import Foundation
import Testing

@testable import Sampling

/// Inverse-transform, rejection and importance sampling with fixed seeds.
@Suite struct SamplerTests {
    @Test func numericInversionOfLogisticCDFPassesKS() {
        let cdf: @Sendable (Double) -> Double = { 1 / (1 + exp(-$0)) }
        let density: @Sendable (Double) -> Double = { exp(-$0) / ((1 + exp(-$0)) * (1 + exp(-$0))) }
        let newton = InverseTransformSampler(cdf: cdf, density: density)
        let bisection = InverseTransformSampler(cdf: cdf)
        #expect(abs(newton.quantile(0.9) - log(9)) < 1e-9)
        #expect(abs(bisection.quantile(0.001) - log(0.001 / 0.999)) < 1e-9)
        var generator = RandomGenerator(seed: 60)
        let samples = newton.samples(count: 3000, using: &generator)
        #expect(
            StatisticalTests.kolmogorovSmirnov(samples, cdf: cdf) < StatisticalTests.kolmogorovSmirnovCritical(3000))
    }

    @Test func closedFormInverseTransformPassesKS() {
        let exponential = Exponential(rate: 2)
        var generator = RandomGenerator(seed: 61)
        let samples = InverseTransformSampler(exponential).samples(count: 3000, using: &generator)
        #expect(
            StatisticalTests.kolmogorovSmirnov(samples, cdf: exponential.cdf)
                < StatisticalTests.kolmogorovSmirnovCritical(3000))
    }

    /// `p̄(x) = exp(−x²/2)`, `q = N(0, 2²)`: `p̄/q ≤ 2√(2π) ≈ 5.013`, acceptance `√(2π)/k`.
    @Test func rejectionSamplingWithValidBound() {
        let target = UnnormalizedDensity(univariate: { -0.5 * $0 * $0 })
        let sampler = RejectionSampler(target: target, proposal: Normal(standardDeviation: 2), bound: 5.02)
        var generator = RandomGenerator(seed: 62)
        let result = sampler.sample(count: 3000, using: &generator)
        #expect(!result.boundIsWrong)
        let expectedRate = (2 * Double.pi).squareRoot() / 5.02
        let rateError = (expectedRate * (1 - expectedRate) / Double(result.proposals)).squareRoot()
        #expect(abs(result.acceptanceRate - expectedRate) < 4 * rateError)
        #expect(
            StatisticalTests.kolmogorovSmirnov(result.samples, cdf: Normal().cdf)
                < StatisticalTests.kolmogorovSmirnovCritical(3000))
    }

    @Test func rejectionSamplingReportsAWrongBound() {
        let target = UnnormalizedDensity(univariate: { -0.5 * $0 * $0 })
        let sampler = RejectionSampler(target: target, proposal: Normal(standardDeviation: 2), bound: 1)
        var generator = RandomGenerator(seed: 63)
        let result = sampler.sample(count: 200, using: &generator)
        #expect(result.boundIsWrong)
        #expect(result.largestEnvelopeRatio > 1 && result.largestEnvelopeRatio <= 2 * (2 * Double.pi).squareRoot())
        let x = result.boundViolations[0]
        #expect(target(x) > log(1) + Normal(standardDeviation: 2).logDensity(x))
    }

    /// Target `N(1, 1)` through proposal `N(0, 2²)`: estimates of `E[x] = 1`, `E[x²] = 2` and `Z` within 4 SE.
    @Test func importanceSamplingEstimatesMomentsAndNormalizer() {
        let normalized = UnnormalizedDensity(univariate: { Normal(mean: 1).logDensity($0) })
        var generator = RandomGenerator(seed: 64)
        let sample = ImportanceSampler(target: normalized, proposal: Normal(standardDeviation: 2))
            .sample(count: 20000, using: &generator)
        #expect(abs(sample.plainEstimate { $0 } - 1) < 0.05)
        #expect(abs(sample.plainEstimate { _ in 1 } - 1) < 0.03)
        let unnormalized = UnnormalizedDensity(univariate: { -0.5 * ($0 - 1) * ($0 - 1) })
        var second = RandomGenerator(seed: 65)
        let weighted = ImportanceSampler(target: unnormalized, proposal: Normal(standardDeviation: 2))
            .sample(count: 20000, using: &second)
        let ess = weighted.effectiveSampleSize
        #expect(ess > 1000 && ess < 20000)
        let meanError = (1 / ess).squareRoot()
        #expect(abs(weighted.selfNormalizedEstimate { $0 } - 1) < 4 * meanError)
        #expect(abs(weighted.selfNormalizedEstimate { $0 * $0 } - 2) < 4 * (2 * 2 + 4 * 1) / ess.squareRoot())
        #expect(abs(weighted.normalizingConstant / (2 * Double.pi).squareRoot() - 1) < 0.03)
    }
}
