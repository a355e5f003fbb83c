import Autodiff
import Foundation
import MontagueSupport

/// `montague gmm vb` as a library call: variational Bayes for a Gaussian mixture (Bishop, PRML §10.2), the
/// components whose expected weight exceeds a threshold, and hard assignments.
public enum BayesianMixtureRun {
    /// The options of a fit.
    public struct Options: Sendable {
        /// Maximum number of components.
        public var components: Int
        /// Dirichlet concentration of the weights (nil: `1/K`).
        public var weightConcentration: Double?
        /// Seed of the k-means++ initialization.
        public var seed: UInt64
        /// Coordinate-ascent iteration cap.
        public var maximumIterations: Int
        /// Components with expected weight at most this are reported as unused.
        public var weightThreshold: Double

        /// Options.
        public init(
            components: Int, weightConcentration: Double? = nil, seed: UInt64 = 0, maximumIterations: Int = 500,
            weightThreshold: Double = 0.01
        ) {
            self.components = components
            self.weightConcentration = weightConcentration
            self.seed = seed
            self.maximumIterations = maximumIterations
            self.weightThreshold = weightThreshold
        }
    }

    /// A fit and what it says about the data.
    public struct Result: Sendable {
        /// The variational posterior and ELBO trace.
        public let fit: BayesianMixtureFit
        /// Components with expected weight above the threshold, in index order.
        public let activeComponents: [Int]
        /// The most responsible component of every point.
        public let assignments: [Int]
    }

    /// Fits `points`.
    ///
    /// - Throws: ``SamplingError`` for too few points or a degenerate fit.
    public static func fit(_ points: [[Double]], options: Options) throws(SamplingError) -> Result {
        var generator = RandomGenerator(seed: options.seed)
        let fit = try BayesianGaussianMixture(
            components: options.components, weightConcentration: options.weightConcentration,
            maximumIterations: options.maximumIterations
        ).fit(points, using: &generator)
        let weights = fit.posterior.expectedWeights
        return Result(
            fit: fit, activeComponents: weights.indices.filter { weights[$0] > options.weightThreshold },
            assignments: GaussianMixtureRun.argmaxRows(fit.responsibilities, columns: options.components))
    }

    /// The posterior as JSON (sorted keys): expected weights, posterior means and expected covariances of every
    /// component, the active ones, and the final ELBO.
    public static func json(_ result: Result) throws -> Data {
        let posterior = result.fit.posterior
        let value: JSONValue = .object([
            "kind": .string("bayesian-gaussian-mixture"),
            "expected_weights": .array(posterior.expectedWeights.map { .number($0) }),
            "means": .array(posterior.components.map { .array($0.mean.map { .number($0) }) }),
            "expected_covariances": .array(
                posterior.components.map { .array($0.expectedCovariance.map { .number($0) }) }),
            "concentrations": .array(posterior.components.map { .number($0.concentration) }),
            "active_components": .array(result.activeComponents.map { .number(Double($0)) }),
            "elbo": .number(result.fit.elboHistory.last ?? 0),
            "converged": .bool(result.fit.hasConverged),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(value)
    }
}
