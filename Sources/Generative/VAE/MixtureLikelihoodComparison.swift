import Foundation
import NeuralNet
import Sampling

/// EM against a VAE on the same data, compared by held-out log-likelihood: the exact mixture likelihood of the
/// Gaussian mixture fitted by EM (Dempster, Laird & Rubin 1977; ``GaussianMixtureEM``) against the VAE's
/// importance-weighted estimate (Burda et al. 2016) — exact posterior inference in a simple model against amortized
/// approximate inference in a flexible one (Kingma & Welling 2014).
public struct MixtureLikelihoodComparison: Sendable, Codable, Equatable {
    /// EM's mean held-out log-likelihood (nats per point).
    public var expectationMaximization: Double
    /// The VAE's mean held-out importance-weighted bound.
    public var vaeImportanceWeighted: Double
    /// The VAE's mean held-out ELBO.
    public var vaeELBO: Double
    /// EM's iterations.
    public var emIterations: Int

    /// Fits both on `train` and scores `heldOut`: EM with `components` full-covariance components (k-means++ seeded
    /// with `seed`), the VAE with `vae` trained for `vaeSteps` steps.
    public static func run(
        train: PointSet, heldOut: PointSet, components: Int, vae: VAETrainingConfiguration, vaeSteps: Int,
        importanceSamples: Int = 200, seed: UInt64
    ) throws -> MixtureLikelihoodComparison {
        let rows = { (set: PointSet) in (0..<set.count).map { set.point($0).map(Double.init) } }
        let fit = try GaussianMixtureEM(components: components, maximumIterations: 500)
            .fit(rows(train), initialization: .kMeansPlusPlus(seed: seed))
        let emScore = try fit.model.meanLogLikelihood(points: rows(heldOut))
        var configuration = vae
        configuration.seed = seed
        let trainer = VAETrainer(configuration: configuration, data: train)
        for _ in 0..<vaeSteps { trainer.step() }
        let evaluation = VAEEvaluation.evaluate(trainer.model, on: heldOut, samples: importanceSamples, seed: seed)
        return MixtureLikelihoodComparison(
            expectationMaximization: emScore, vaeImportanceWeighted: evaluation.importanceWeightedBound,
            vaeELBO: evaluation.elbo, emIterations: fit.iterations)
    }
}
