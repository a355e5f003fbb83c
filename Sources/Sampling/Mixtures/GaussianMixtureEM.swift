import Autodiff
import Foundation

/// Expectation–maximization for Gaussian mixtures (Dempster, Laird & Rubin 1977; Bishop, PRML §9.2), following
/// scikit-learn's `GaussianMixture` so the same initialization gives the same answer:
///
/// - E step (θ fixed): responsibilities `rᵢₖ = p_θ(zᵢ = k | xᵢ) ∝ πₖ N(xᵢ; μₖ, Σₖ)` and the mean log-likelihood.
/// - M step (maximize the expected complete-data log-likelihood): `Nₖ = Σᵢ rᵢₖ + 10ε`, `πₖ = Nₖ/n`,
///   `μₖ = Σᵢ rᵢₖ xᵢ / Nₖ`, `Σₖ = Σᵢ rᵢₖ (xᵢ − μₖ)(xᵢ − μₖ)ᵀ / Nₖ + reg·I` (diagonal: the diagonal only).
/// - Stop when the mean log-likelihood changes by less than `tolerance`.
///
/// The log-likelihood never decreases between iterations (up to the `reg·I` term and rounding).
public struct GaussianMixtureEM: Sendable {
    /// How to start.
    public enum Initialization: Sendable {
        /// k-means++ seeding (Arthur & Vassilvitskii 2007) then Lloyd iterations; responsibilities from hard labels.
        case kMeansPlusPlus(seed: UInt64)
        /// Given parameters (scikit-learn `weights_init`, `means_init`, `precisions_init`); the first E step uses them.
        case given(GaussianMixtureModel)
    }

    /// The number of components `K`.
    public let components: Int
    /// Full or diagonal covariances.
    public let covarianceType: GaussianMixtureModel.CovarianceType
    /// Convergence threshold on the change of mean log-likelihood (scikit-learn `tol`, default 1e-3).
    public let tolerance: Double
    /// Added to covariance diagonals (scikit-learn `reg_covar`, default 1e-6).
    public let covarianceRegularization: Double
    /// Iteration cap (scikit-learn `max_iter`).
    public let maximumIterations: Int

    /// An EM fitter.
    public init(
        components: Int, covarianceType: GaussianMixtureModel.CovarianceType = .full, tolerance: Double = 1e-3,
        covarianceRegularization: Double = 1e-6, maximumIterations: Int = 100
    ) {
        precondition(components >= 1, "GaussianMixtureEM: components \(components) must be ≥ 1")
        self.components = components
        self.covarianceType = covarianceType
        self.tolerance = tolerance
        self.covarianceRegularization = covarianceRegularization
        self.maximumIterations = maximumIterations
    }

    /// Fits `points` (`n` rows of `d` values); throws on ragged or too few points, or a singular covariance.
    public func fit(_ points: [[Double]], initialization: Initialization) throws(SamplingError) -> GaussianMixtureFit {
        guard let d = points.first?.count, d > 0, points.allSatisfy({ $0.count == d }) else {
            throw .invalidData("points must be non-empty rows of equal, positive length")
        }
        guard points.count >= components else {
            throw .invalidData("\(points.count) points for \(components) components")
        }
        let flat = points.flatMap { $0 }
        var model: GaussianMixtureModel
        switch initialization {
        case .given(let given):
            guard given.componentCount == components, given.dimension == d, given.covarianceType == covarianceType
            else { throw .invalidParameter("initial model does not match K = \(components), d = \(d), covariance") }
            model = given
        case .kMeansPlusPlus(let seed):
            var generator = RandomGenerator(seed: seed)
            let labels = KMeans.labels(points: flat, dimension: d, clusters: components, using: &generator)
            var responsibilities = [Double](repeating: 0, count: points.count * components)
            for (i, label) in labels.enumerated() { responsibilities[i * components + label] = 1 }
            model = maximizationStep(points: flat, dimension: d, responsibilities: responsibilities)
        }
        var history: [Double] = []
        var previous = -Double.infinity
        var converged = false
        var iterations = 0
        for iteration in 1...max(1, maximumIterations) {
            iterations = iteration
            let (meanLogLikelihood, responsibilities) = try expectationStep(points: flat, model: model)
            model = maximizationStep(points: flat, dimension: d, responsibilities: responsibilities)
            history.append(meanLogLikelihood)
            if abs(meanLogLikelihood - previous) < tolerance {
                converged = true
                break
            }
            previous = meanLogLikelihood
        }
        return GaussianMixtureFit(
            model: model, meanLogLikelihoodHistory: history, iterations: iterations, hasConverged: converged)
    }

    /// E step: the mean log-likelihood under `model` and the responsibilities `rᵢₖ` (row-major `n × K`).
    public func expectationStep(points: [Double], model: GaussianMixtureModel) throws(SamplingError)
        -> (meanLogLikelihood: Double, responsibilities: [Double])
    {
        var values = try model.weightedLogDensities(points: points)
        let k = model.componentCount
        let n = values.count / k
        var total = 0.0
        for i in 0..<n {
            let normalizer = GaussianMixtureModel.logSumExp(values, row: i, width: k)
            total += normalizer
            for j in 0..<k { values[i * k + j] = exp(values[i * k + j] - normalizer) }
        }
        return (total / Double(n), values)
    }

    /// M step: weights, means and (regularized) covariances from responsibilities, on BLAS as scikit-learn's
    /// `_estimate_gaussian_parameters`: `Nₖ = Σᵢ rᵢₖ + 10ε`, means `RᵀX / Nₖ` (one `dgemm`); full covariances
    /// `(√rₖ ⊙ (X − μₖ))ᵀ(√rₖ ⊙ (X − μₖ)) / Nₖ` (one `dsyrk` per component); diagonal ones
    /// `Rᵀ(X²)/Nₖ − μₖ²` (one `dgemm`).
    public func maximizationStep(points: [Double], dimension d: Int, responsibilities: [Double])
        -> GaussianMixtureModel
    {
        let k = components
        let n = points.count / d
        precondition(
            responsibilities.count == n * k,
            "GaussianMixtureEM.maximizationStep: \(responsibilities.count) responsibilities for \(n) × \(k)")
        var counts = [Double](repeating: 10 * Double.ulpOfOne, count: k)
        responsibilities.withUnsafeBufferPointer { r in
            for i in 0..<n {
                for component in 0..<k { counts[component] += r[i * k + component] }
            }
        }
        var sums = [Double](repeating: 0, count: k * d)
        points.withUnsafeBufferPointer { x in
            responsibilities.withUnsafeBufferPointer { r in
                DoubleMatrixProduct.multiply(
                    r.baseAddress!, x.baseAddress!, into: &sums, m: k, n: d, k: n, transposeA: true)
            }
        }
        let means = (0..<k).map { component in (0..<d).map { sums[component * d + $0] / counts[component] } }
        var covariances: [[Double]] = []
        switch covarianceType {
        case .full:
            var weighted = [Double](repeating: 0, count: n * d)
            for component in 0..<k {
                let mean = means[component]
                points.withUnsafeBufferPointer { x in
                    responsibilities.withUnsafeBufferPointer { r in
                        weighted.withUnsafeMutableBufferPointer { w in
                            for i in 0..<n {
                                let root = r[i * k + component].squareRoot()
                                for j in 0..<d { w[i * d + j] = root * (x[i * d + j] - mean[j]) }
                            }
                        }
                    }
                }
                var covariance = [Double](repeating: 0, count: d * d)
                weighted.withUnsafeBufferPointer { w in
                    DoubleMatrixProduct.gram(w.baseAddress!, rows: n, columns: d, into: &covariance)
                }
                for entry in 0..<(d * d) { covariance[entry] /= counts[component] }
                for j in 0..<d { covariance[j * d + j] += covarianceRegularization }
                covariances.append(covariance)
            }
        case .diagonal:
            let squares = points.map { $0 * $0 }
            var squareSums = [Double](repeating: 0, count: k * d)
            squares.withUnsafeBufferPointer { x2 in
                responsibilities.withUnsafeBufferPointer { r in
                    DoubleMatrixProduct.multiply(
                        r.baseAddress!, x2.baseAddress!, into: &squareSums, m: k, n: d, k: n, transposeA: true)
                }
            }
            for component in 0..<k {
                covariances.append(
                    (0..<d).map { j in
                        let mean = means[component][j]
                        return squareSums[component * d + j] / counts[component] - mean * mean
                            + covarianceRegularization
                    })
            }
        }
        var total = 0.0
        for count in counts { total += count }
        return GaussianMixtureModel(
            weights: counts.map { $0 / total }, means: means, covariances: covariances, covarianceType: covarianceType)
    }
}

/// The result of an EM fit.
public struct GaussianMixtureFit: Sendable {
    /// The fitted mixture.
    public let model: GaussianMixtureModel
    /// The mean log-likelihood at each E step (non-decreasing).
    public let meanLogLikelihoodHistory: [Double]
    /// E/M iterations run (scikit-learn `n_iter_`).
    public let iterations: Int
    /// Whether the tolerance was met (scikit-learn `converged_`).
    public let hasConverged: Bool

    /// The last E step's mean log-likelihood (scikit-learn `lower_bound_`: computed before the final M step).
    public var meanLogLikelihood: Double { meanLogLikelihoodHistory.last ?? -.infinity }
}
