import Autodiff
import Foundation
import Testing

@testable import Sampling

/// Each distribution's sampler against its own CDF (KS, α = 0.001) or probabilities (chi-square, α = 0.001),
/// with fixed seeds; moments within a few standard errors.
@Suite struct DistributionTests {
    static let count = 4000

    func expectKS(_ distribution: some CumulativeDistribution, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        let samples = distribution.samples(count: Self.count, using: &generator)
        let statistic = StatisticalTests.kolmogorovSmirnov(samples, cdf: distribution.cdf)
        #expect(
            statistic < StatisticalTests.kolmogorovSmirnovCritical(Self.count), "KS \(statistic) for \(distribution)")
        let standardError = (distribution.variance / Double(Self.count)).squareRoot()
        #expect(abs(StatisticalTests.mean(samples) - distribution.mean) < 4 * standardError)
    }

    @Test func uniformNormalExponentialPassKS() {
        expectKS(Uniform(-2, 3), seed: 1)
        expectKS(Normal(mean: 1.5, standardDeviation: 2), seed: 2)
        expectKS(Exponential(rate: 0.7), seed: 3)
    }

    @Test func gammaAndBetaPassKSAgainstIncompleteFunctions() {
        for (index, shape) in [0.5, 1.0, 2.5, 9.0].enumerated() {
            let gamma = Gamma(shape: shape, scale: 1.5)
            var generator = RandomGenerator(seed: 10 + UInt64(index))
            let samples = gamma.samples(count: Self.count, using: &generator)
            let statistic = StatisticalTests.kolmogorovSmirnov(samples, cdf: gamma.cdf)
            #expect(
                statistic < StatisticalTests.kolmogorovSmirnovCritical(Self.count), "Gamma(\(shape)) KS \(statistic)")
        }
        let beta = Beta(alpha: 2, beta: 5)
        var generator = RandomGenerator(seed: 20)
        let samples = beta.samples(count: Self.count, using: &generator)
        #expect(
            StatisticalTests.kolmogorovSmirnov(samples, cdf: beta.cdf)
                < StatisticalTests.kolmogorovSmirnovCritical(Self.count))
    }

    @Test func specialFunctionsMatchKnownValues() {
        // SciPy: gammainc(2.5, 3.0) = 0.6937810815867..., betainc(2, 5, 0.3) = 0.579825, ndtri(0.975) = 1.959963984540054
        #expect(abs(SpecialFunctions.regularizedLowerGamma(2.5, 3.0) - 0.69378108158675) < 1e-9)
        #expect(abs(SpecialFunctions.regularizedIncompleteBeta(0.3, 2, 5) - 0.579825) < 1e-9)
        #expect(abs(SpecialFunctions.normalQuantile(0.975) - 1.959963984540054) < 1e-12)
        for u in [1e-10, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9] {
            #expect(abs(SpecialFunctions.normalCDF(SpecialFunctions.normalQuantile(u)) - u) < 1e-12 * max(1, u / 1e-3))
        }
    }

    @Test func densitiesIntegrateToOne() {
        func integrate(_ f: (Double) -> Double, _ low: Double, _ high: Double) -> Double {
            let steps = 20000
            let h = (high - low) / Double(steps)
            var total = 0.0
            for i in 0..<steps { total += f(low + (Double(i) + 0.5) * h) }
            return total * h
        }
        #expect(abs(integrate({ exp(Gamma(shape: 2.5, scale: 2).logDensity($0)) }, 0, 80) - 1) < 1e-4)
        #expect(abs(integrate({ exp(Beta(alpha: 2, beta: 5).logDensity($0)) }, 0, 1) - 1) < 1e-4)
        #expect(abs(integrate({ exp(Normal(mean: 1, standardDeviation: 0.5).logDensity($0)) }, -5, 7) - 1) < 1e-6)
    }

    @Test func discreteDistributionsPassChiSquare() {
        var generator = RandomGenerator(seed: 30)
        let categorical = Categorical(weights: [0.1, 0.4, 0.05, 0.3, 0.15])
        let categoricalSamples = categorical.samples(count: 20000, using: &generator)
        let (c1, df1) = StatisticalTests.chiSquare(categoricalSamples, maximum: 4) { categorical.probabilities[$0] }
        #expect(c1 < StatisticalTests.chiSquareCritical(degreesOfFreedom: df1))
        for rate in [3.0, 40.0] {
            let poisson = Poisson(rate: rate)
            let samples = poisson.samples(count: 20000, using: &generator)
            let maximum = Int(rate + 4 * rate.squareRoot())
            let (c, df) = StatisticalTests.chiSquare(samples, maximum: maximum) { poisson.probability($0) }
            #expect(c < StatisticalTests.chiSquareCritical(degreesOfFreedom: df), "Poisson(\(rate)) chi2 \(c) df \(df)")
        }
        let bernoulli = Bernoulli(probability: 0.3)
        let ones = bernoulli.samples(count: 20000, using: &generator).reduce(0, +)
        #expect(abs(Double(ones) / 20000 - 0.3) < 4 * (0.21 / 20000).squareRoot())
    }

    @Test func categoricalBulkFillMatchesSingleDraws() {
        let categorical = Categorical(weights: [1, 2, 3])
        var first = RandomGenerator(seed: 5)
        var second = RandomGenerator(seed: 5)
        let single = categorical.samples(count: 100, using: &first)
        var bulk = [Int](repeating: 0, count: 100)
        bulk.withUnsafeMutableBufferPointer { categorical.fill($0, using: &second) }
        #expect(single == bulk)
    }

    @Test func dirichletAndMultivariateNormalMoments() throws {
        var generator = RandomGenerator(seed: 40)
        let dirichlet = Dirichlet(concentrations: [2, 3, 5])
        let draws = (0..<5000).map { _ in dirichlet.sample(using: &generator) }
        for j in 0..<3 {
            let mean = StatisticalTests.mean(draws.map { $0[j] })
            #expect(abs(mean - dirichlet.mean[j]) < 4 * (dirichlet.variance[j] / 5000).squareRoot())
        }
        let normal = try MultivariateNormal(mean: [1, -1], covariance: [[2, 0.8], [0.8, 1]])
        let points = (0..<5000).map { _ in normal.sample(using: &generator) }
        let mx = StatisticalTests.mean(points.map { $0[0] })
        let my = StatisticalTests.mean(points.map { $0[1] })
        let covariance = StatisticalTests.mean(points.map { ($0[0] - mx) * ($0[1] - my) })
        #expect(abs(mx - 1) < 0.1 && abs(my + 1) < 0.06)
        #expect(abs(covariance - 0.8) < 0.08)
        // log N([1, −1]; μ, Σ) = −log 2π − ½ log det Σ with det Σ = 1.36.
        #expect(abs(normal.logDensity([1, -1]) - (-log(2 * Double.pi) - 0.5 * log(1.36))) < 1e-12)
        #expect(throws: SamplingError.notPositiveDefinite(pivot: 1)) {
            try MultivariateNormal(mean: [0, 0], covariance: [[1, 2], [2, 1]])
        }
    }

    @Test func mixtureMatchesItsCDFAndMoments() throws {
        let mixture = Mixture(
            components: [Normal(mean: -2, standardDeviation: 0.5), Normal(mean: 3, standardDeviation: 1)],
            weights: [0.3, 0.7])
        var generator = RandomGenerator(seed: 50)
        let samples = mixture.samples(count: Self.count, using: &generator)
        let statistic = StatisticalTests.kolmogorovSmirnov(samples) { mixture.cdf($0) ?? .nan }
        #expect(statistic < StatisticalTests.kolmogorovSmirnovCritical(Self.count))
        #expect(abs(mixture.mean - (0.3 * -2 + 0.7 * 3)) < 1e-12)
        let expectedVariance = 0.3 * (0.25 + 4) + 0.7 * (1 + 9) - 1.5 * 1.5
        #expect(abs(mixture.variance - expectedVariance) < 1e-12)
    }
}

/// Gamma and Beta quantile functions against SciPy's `ppf` (fixture from bench/sampling_quantile_fixture.py), on a
/// grid from p = 1e-10 to 1 − 1e-8 and shapes from 0.1 to 150: relative error below 1e-9 plus the resolution of `p`
/// itself (`1e-15 / density(x)`: near p = 1 a rounding of `p` moves the exact quantile by that much) and 4 ulps.
@Suite struct QuantileTests {
    @Test func gammaQuantilesMatchSciPy() {
        for (shape, scale, p, expected) in ScipyQuantileFixture.gamma {
            let ours = Gamma(shape: shape, scale: scale).inverseCDF(p)
            #expect(
                abs(ours - expected) <= 1e-9 * expected, "Gamma(\(shape), \(scale)) at \(p): \(ours) vs \(expected)")
        }
    }

    @Test func betaQuantilesMatchSciPy() {
        for (a, b, p, expected) in ScipyQuantileFixture.beta {
            let beta = Beta(alpha: a, beta: b)
            let ours = beta.inverseCDF(p)
            #expect(
                abs(ours - expected) <= 1e-9 * min(expected, 1 - expected) + 1e-15 / exp(beta.logDensity(expected)) + 4
                    * expected.ulp,
                "Beta(\(a), \(b)) at \(p): \(ours) vs \(expected)")
        }
    }

    @Test func inverseTransformOfGammaAndBetaPassesKS() {
        var generator = RandomGenerator(seed: 60)
        let gamma = Gamma(shape: 2.5, scale: 1.5)
        let draws = (0..<2000).map { _ in gamma.inverseCDF(1 - generator.nextUnitDouble()) }
        #expect(
            StatisticalTests.kolmogorovSmirnov(draws, cdf: gamma.cdf) < StatisticalTests.kolmogorovSmirnovCritical(2000)
        )
        let beta = Beta(alpha: 0.5, beta: 3)
        let betaDraws = (0..<2000).map { _ in beta.inverseCDF(1 - generator.nextUnitDouble()) }
        #expect(
            StatisticalTests.kolmogorovSmirnov(betaDraws, cdf: beta.cdf)
                < StatisticalTests.kolmogorovSmirnovCritical(2000))
    }
}
