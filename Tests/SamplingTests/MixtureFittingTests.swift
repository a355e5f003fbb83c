import Autodiff
import Foundation
import Testing

@testable import Sampling

/// EM against scikit-learn's GaussianMixture with pinned initialization, monotone log-likelihood;
/// CAVI with a monotone ELBO.
@Suite struct MixtureFittingTests {
    typealias Fixture = SklearnGaussianMixtureFixture

    static var points: [[Double]] {
        stride(from: 0, to: Fixture.points.count, by: 2).map { [Fixture.points[$0], Fixture.points[$0 + 1]] }
    }

    static func rows(_ flat: [Double], width: Int) -> [[Double]] {
        stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
    }

    @Test(arguments: GaussianMixtureModel.CovarianceType.allCases)
    func emMatchesScikitLearnWithPinnedInitialization(covarianceType: GaussianMixtureModel.CovarianceType) throws {
        let full = covarianceType == .full
        let identity: [Double] = full ? [1, 0, 0, 1] : [1, 1]
        let initial = GaussianMixtureModel(
            weights: Fixture.weightsInit, means: Self.rows(Fixture.meansInit, width: 2),
            covariances: Array(repeating: identity, count: 3), covarianceType: covarianceType)
        let fit = try GaussianMixtureEM(components: 3, covarianceType: covarianceType)
            .fit(Self.points, initialization: .given(initial))
        let expectedWeights = full ? Fixture.fullWeights : Fixture.diagonalWeights
        let expectedMeans = full ? Fixture.fullMeans : Fixture.diagonalMeans
        let expectedCovariances = full ? Fixture.fullCovariances : Fixture.diagonalCovariances
        #expect(fit.iterations == (full ? Fixture.fullIterations : Fixture.diagonalIterations))
        #expect(abs(fit.meanLogLikelihood - (full ? Fixture.fullLowerBound : Fixture.diagonalLowerBound)) < 1e-9)
        for (ours, theirs) in zip(fit.model.weights, expectedWeights) { #expect(abs(ours - theirs) < 1e-9) }
        for (ours, theirs) in zip(fit.model.means.flatMap { $0 }, expectedMeans) { #expect(abs(ours - theirs) < 1e-9) }
        for (ours, theirs) in zip(fit.model.covariances.flatMap { $0 }, expectedCovariances) {
            #expect(abs(ours - theirs) < 1e-9)
        }
        let score = try fit.model.meanLogLikelihood(points: Self.points)
        #expect(abs(score - (full ? Fixture.fullScore : Fixture.diagonalScore)) < 1e-9)
    }

    @Test(arguments: GaussianMixtureModel.CovarianceType.allCases)
    func emLogLikelihoodNeverDecreases(covarianceType: GaussianMixtureModel.CovarianceType) throws {
        let fit = try GaussianMixtureEM(components: 4, covarianceType: covarianceType, tolerance: 1e-10)
            .fit(Self.points, initialization: .kMeansPlusPlus(seed: 90))
        #expect(fit.meanLogLikelihoodHistory.count >= 2)
        for (before, after) in zip(fit.meanLogLikelihoodHistory, fit.meanLogLikelihoodHistory.dropFirst()) {
            #expect(after >= before - 1e-10, "log-likelihood fell from \(before) to \(after)")
        }
        #expect(abs(fit.model.weights.reduce(0.0) { $0 + $1 } - 1) < 1e-12)
    }

    @Test func emRejectsBadData() {
        #expect(throws: SamplingError.self) {
            try GaussianMixtureEM(components: 2).fit([[1, 2], [3]], initialization: .kMeansPlusPlus(seed: 1))
        }
        #expect(throws: SamplingError.self) {
            try GaussianMixtureEM(components: 3).fit([[1], [2]], initialization: .kMeansPlusPlus(seed: 1))
        }
    }

    @Test func caviELBONeverDecreasesAndFindsTheClusters() throws {
        var generator = RandomGenerator(seed: 91)
        var points: [[Double]] = []
        for center in [[-4.0, 0.0], [4.0, 1.0], [0.0, 6.0]] {
            for _ in 0..<60 { points.append(center.map { $0 + generator.nextStandardNormal() }) }
        }
        let fit = try VariationalGaussianMixture(components: 3).fit(points, using: &generator)
        #expect(fit.elboHistory.count >= 2)
        for (before, after) in zip(fit.elboHistory, fit.elboHistory.dropFirst()) {
            #expect(after >= before - 1e-9 * abs(before), "ELBO fell from \(before) to \(after)")
        }
        let found = fit.means.sorted { $0[0] < $1[0] }
        #expect(abs(found[0][0] + 4) < 0.5 && abs(found[2][0] - 4) < 0.5 && abs(found[1][1] - 6) < 0.5)
    }
}

/// Bishop §10.2 variational Bayesian Gaussian mixture: the ELBO never decreases, redundant components empty out,
/// the clusters and their covariances are found, and the responsibilities are a maximum of the ELBO.
@Suite struct BayesianGaussianMixtureTests {
    static func clusteredPoints(seed: UInt64) -> [[Double]] {
        var generator = RandomGenerator(seed: seed)
        var points: [[Double]] = []
        for (center, spread) in [([-4.0, 0.0], 0.5), ([4.0, 1.0], 1.0), ([0.0, 6.0], 0.7)] {
            for _ in 0..<80 {
                points.append(center.map { $0 + spread * ZigguratNormal.draw(using: &generator) })
            }
        }
        return points
    }

    @Test func digammaMatchesKnownValues() {
        // ψ(1) = −γ, ψ(½) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let gamma = 0.57721566490153286
        #expect(abs(SpecialFunctions.digamma(1) + gamma) < 1e-13)
        #expect(abs(SpecialFunctions.digamma(0.5) + gamma + 2 * log(2.0)) < 1e-13)
        let harmonic9 = (1...9).reduce(0.0) { $0 + 1 / Double($1) }
        #expect(abs(SpecialFunctions.digamma(10) - (harmonic9 - gamma)) < 1e-13)
    }

    @Test func elboNeverDecreasesAndRedundantComponentsEmpty() throws {
        let points = Self.clusteredPoints(seed: 95)
        var generator = RandomGenerator(seed: 96)
        let fitter = BayesianGaussianMixture(components: 6, weightConcentration: 0.01)
        let fit = try fitter.fit(points, using: &generator)
        #expect(fit.elboHistory.count >= 3)
        for (before, after) in zip(fit.elboHistory, fit.elboHistory.dropFirst()) {
            #expect(after >= before - 1e-9 * abs(before), "ELBO fell from \(before) to \(after)")
        }
        let weights = fit.posterior.expectedWeights
        let used = fit.posterior.components.indices.filter { weights[$0] > 0.05 }
        #expect(used.count == 3, "weights \(weights)")
        let found = used.map { fit.posterior.components[$0] }.sorted { $0.mean[0] < $1.mean[0] }
        #expect(abs(found[0].mean[0] + 4) < 0.3 && abs(found[2].mean[0] - 4) < 0.4 && abs(found[1].mean[1] - 6) < 0.3)
        // The tight cluster's posterior mean covariance E[Λ⁻¹]₀₀ = W⁻¹₀₀/(ν − D − 1), recomputed by hand from its 80
        // points (the responsibilities are 0/1 to ~1e-6 for clusters this far apart), Bishop (10.62)–(10.63).
        let cluster = points[0..<80].map { $0[0] }
        let clusterMean = cluster.reduce(0, +) / 80
        let scatter = cluster.reduce(0.0) { $0 + ($1 - clusterMean) * ($1 - clusterMean) }
        let gap = clusterMean - fit.prior.mean[0]
        let expected =
            (fit.prior.inverseScale[0] + scatter + fit.prior.meanPrecision * 80 / (fit.prior.meanPrecision + 80) * gap
                * gap) / (fit.prior.degreesOfFreedom + 80 - 2 - 1)
        #expect(
            abs(found[0].expectedCovariance[0] / expected - 1) < 1e-3,
            "\(found[0].expectedCovariance[0]) vs \(expected)")
        #expect(abs(found[0].degreesOfFreedom - (fit.prior.degreesOfFreedom + 80)) < 1e-3)
    }

    @Test func responsibilitiesMaximizeTheBoundForFixedFactors() throws {
        let points = Self.clusteredPoints(seed: 97)
        let flat = points.flatMap { $0 }
        var generator = RandomGenerator(seed: 98)
        let fitter = BayesianGaussianMixture(components: 3, maximumIterations: 5)
        let fit = try fitter.fit(points, using: &generator)
        let optimal = try fitter.expectationStep(points: flat, dimension: 2, posterior: fit.posterior)
        let best = try fitter.evidenceLowerBound(
            points: flat, dimension: 2, responsibilities: optimal, posterior: fit.posterior, prior: fit.prior)
        // Mixing the optimum with uniform responsibilities lowers the bound (it is concave in r).
        for mix in [0.01, 0.1, 0.5] {
            let perturbed = optimal.map { (1 - mix) * $0 + mix / 3 }
            let bound = try fitter.evidenceLowerBound(
                points: flat, dimension: 2, responsibilities: perturbed, posterior: fit.posterior, prior: fit.prior)
            #expect(bound < best, "mix \(mix): \(bound) ≥ \(best)")
        }
    }

    /// With one component the mean-field family contains the exact posterior (every `zₙ` is known), so the ELBO must
    /// equal the log evidence of the conjugate Normal–Wishart model (Murphy 2007, "Conjugate Bayesian analysis of the
    /// Gaussian distribution", eq. 266): `ln p(X) = −(nD/2) ln π + ln Γ_D(νₙ/2) − ln Γ_D(ν₀/2) + (ν₀/2) ln|W₀⁻¹|
    /// − (νₙ/2) ln|Wₙ⁻¹| + (D/2) ln(β₀/βₙ)`. Tolerance 1e-9 relative (rounding only).
    @Test func singleComponentELBOEqualsTheExactLogEvidence() throws {
        let points = Array(Self.clusteredPoints(seed: 99)[0..<50])
        var generator = RandomGenerator(seed: 100)
        let fit = try BayesianGaussianMixture(components: 1, maximumIterations: 3).fit(points, using: &generator)
        let d = 2
        let n = Double(points.count)
        func logMultivariateGamma(_ a: Double) -> Double {
            var total = Double(d * (d - 1)) / 4 * log(Double.pi)
            for j in 1...d { total += SpecialFunctions.logGamma(a + (1 - Double(j)) / 2) }
            return total
        }
        func logDeterminant2(_ m: [Double]) -> Double { log(m[0] * m[3] - m[1] * m[2]) }
        let prior = fit.prior
        let q = fit.posterior.components[0]
        let logEvidence =
            -n * Double(d) / 2 * log(Double.pi) + logMultivariateGamma(q.degreesOfFreedom / 2)
            - logMultivariateGamma(prior.degreesOfFreedom / 2) + prior.degreesOfFreedom / 2
            * logDeterminant2(prior.inverseScale) - q.degreesOfFreedom / 2 * logDeterminant2(q.inverseScale)
            + Double(d) / 2 * log(prior.meanPrecision / q.meanPrecision)
        let elbo = try #require(fit.elboHistory.last)
        #expect(abs(elbo - logEvidence) < 1e-9 * abs(logEvidence), "ELBO \(elbo) vs log evidence \(logEvidence)")
        #expect(abs(q.degreesOfFreedom - (prior.degreesOfFreedom + n)) < 1e-9)
    }

    /// The M step maximizes the bound over `q(π) q(μ, Λ)` for fixed responsibilities: moving any of `αₖ`, `βₖ`,
    /// `mₖ`, `νₖ` or `Wₖ⁻¹` away from its update lowers it (this checks the Dirichlet and Normal–Wishart terms).
    @Test func factorsMaximizeTheBoundForFixedResponsibilities() throws {
        let points = Self.clusteredPoints(seed: 101)
        let flat = points.flatMap { $0 }
        var generator = RandomGenerator(seed: 102)
        let fitter = BayesianGaussianMixture(components: 3, maximumIterations: 4)
        let fit = try fitter.fit(points, using: &generator)
        let optimal = try fitter.maximizationStep(
            points: flat, dimension: 2, responsibilities: fit.responsibilities, prior: fit.prior)
        func bound(_ posterior: BayesianMixturePosterior) throws -> Double {
            try fitter.evidenceLowerBound(
                points: flat, dimension: 2, responsibilities: fit.responsibilities, posterior: posterior,
                prior: fit.prior)
        }
        let best = try bound(optimal)
        typealias Component = BayesianMixturePosterior.Component
        let changes: [(String, (Component) throws -> Component)] = [
            (
                "alpha",
                { c in
                    try Component(
                        concentration: c.concentration * 1.05, meanPrecision: c.meanPrecision, mean: c.mean,
                        degreesOfFreedom: c.degreesOfFreedom, inverseScale: c.inverseScale)
                }
            ),
            (
                "beta",
                { c in
                    try Component(
                        concentration: c.concentration, meanPrecision: c.meanPrecision * 1.05, mean: c.mean,
                        degreesOfFreedom: c.degreesOfFreedom, inverseScale: c.inverseScale)
                }
            ),
            (
                "m",
                { c in
                    try Component(
                        concentration: c.concentration, meanPrecision: c.meanPrecision, mean: c.mean.map { $0 + 0.05 },
                        degreesOfFreedom: c.degreesOfFreedom, inverseScale: c.inverseScale)
                }
            ),
            (
                "nu",
                { c in
                    try Component(
                        concentration: c.concentration, meanPrecision: c.meanPrecision, mean: c.mean,
                        degreesOfFreedom: c.degreesOfFreedom * 1.05, inverseScale: c.inverseScale)
                }
            ),
            (
                "W",
                { c in
                    try Component(
                        concentration: c.concentration, meanPrecision: c.meanPrecision, mean: c.mean,
                        degreesOfFreedom: c.degreesOfFreedom, inverseScale: c.inverseScale.map { $0 * 1.05 })
                }
            ),
        ]
        for (name, change) in changes {
            var components = optimal.components
            components[1] = try change(components[1])
            let moved = try bound(BayesianMixturePosterior(dimension: 2, components: components))
            #expect(moved < best, "\(name): \(moved) ≥ \(best)")
        }
    }
}
