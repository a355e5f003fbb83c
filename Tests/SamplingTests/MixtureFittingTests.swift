import Autodiff
import Foundation
import Testing

@testable import Sampling

/// EM (notes §2.1) against scikit-learn's GaussianMixture with pinned initialization, monotone log-likelihood;
/// CAVI (notes §2.2) with a monotone ELBO.
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
