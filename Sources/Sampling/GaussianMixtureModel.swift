import Foundation

/// A Gaussian mixture `p(x) = Σₖ πₖ N(x; μₖ, Σₖ)` over `ℝ^d` with full or diagonal covariances
/// (scikit-learn `GaussianMixture` parameters: `weights_`, `means_`, `covariances_`).
public struct GaussianMixtureModel: Sendable, Equatable {
    /// Covariance structure (scikit-learn `covariance_type`).
    public enum CovarianceType: String, Sendable, CaseIterable {
        /// One full `d × d` matrix per component.
        case full
        /// One diagonal (`d` variances) per component.
        case diagonal = "diag"
    }

    /// The dimension `d`.
    public let dimension: Int
    /// Mixing weights `πₖ` (sum to 1).
    public var weights: [Double]
    /// Means, one `d`-vector per component.
    public var means: [[Double]]
    /// Covariances: row-major `d × d` (full) or `d` variances (diagonal), one per component.
    public var covariances: [[Double]]
    /// The covariance structure.
    public let covarianceType: CovarianceType

    /// A mixture from its parameters (shapes are checked).
    public init(weights: [Double], means: [[Double]], covariances: [[Double]], covarianceType: CovarianceType) {
        let dimension = means.first?.count ?? 0
        precondition(
            !weights.isEmpty && weights.count == means.count && means.count == covariances.count,
            "GaussianMixtureModel: \(weights.count) weights, \(means.count) means, \(covariances.count) covs")
        let entries = covarianceType == .full ? dimension * dimension : dimension
        precondition(
            means.allSatisfy { $0.count == dimension } && covariances.allSatisfy { $0.count == entries },
            "GaussianMixtureModel: means must have \(dimension) and covariances \(entries) entries")
        self.dimension = dimension
        self.weights = weights
        self.means = means
        self.covariances = covariances
        self.covarianceType = covarianceType
    }

    /// The number of components `K`.
    public var componentCount: Int { weights.count }

    /// `log πₖ + log N(xᵢ; μₖ, Σₖ)` for every point and component, row-major `n × K` (the E step's numerators,
    /// notes §2.1). Points are row-major `n × d`.
    public func weightedLogDensities(points: [Double]) throws(SamplingError) -> [Double] {
        let d = dimension
        let n = points.count / d
        let k = componentCount
        var result = [Double](repeating: 0, count: n * k)
        var residual = [Double](repeating: 0, count: d)
        let logTwoPi = log(2 * Double.pi)
        for component in 0..<k {
            let mean = means[component]
            let logWeight = log(weights[component])
            switch covarianceType {
            case .full:
                let factor = try CholeskyFactor(matrix: covariances[component], order: d)
                let constant = logWeight - 0.5 * (Double(d) * logTwoPi + factor.logDeterminant)
                points.withUnsafeBufferPointer { x in
                    for i in 0..<n {
                        for j in 0..<d { residual[j] = x[i * d + j] - mean[j] }
                        factor.solveLower(&residual)
                        var squared = 0.0
                        for j in 0..<d { squared += residual[j] * residual[j] }
                        result[i * k + component] = constant - 0.5 * squared
                    }
                }
            case .diagonal:
                let variances = covariances[component]
                var logDeterminant = 0.0
                for variance in variances {
                    guard variance > 0 else { throw .notPositiveDefinite(pivot: component) }
                    logDeterminant += log(variance)
                }
                let precisions = variances.map { 1 / $0 }
                let constant = logWeight - 0.5 * (Double(d) * logTwoPi + logDeterminant)
                points.withUnsafeBufferPointer { x in
                    for i in 0..<n {
                        var squared = 0.0
                        for j in 0..<d {
                            let r = x[i * d + j] - mean[j]
                            squared += r * r * precisions[j]
                        }
                        result[i * k + component] = constant - 0.5 * squared
                    }
                }
            }
        }
        return result
    }

    /// The mean log-likelihood `(1/n) Σᵢ log Σₖ πₖ N(xᵢ; μₖ, Σₖ)` (scikit-learn `score`).
    public func meanLogLikelihood(points: [[Double]]) throws(SamplingError) -> Double {
        let flat = points.flatMap { $0 }
        let logDensities = try weightedLogDensities(points: flat)
        let k = componentCount
        var total = 0.0
        for i in 0..<points.count { total += GaussianMixtureModel.logSumExp(logDensities, row: i, width: k) }
        return total / Double(points.count)
    }

    /// `log Σₖ exp(values[row·width + k])`.
    @inlinable
    static func logSumExp(_ values: [Double], row: Int, width: Int) -> Double {
        var maximum = -Double.infinity
        for k in 0..<width { maximum = max(maximum, values[row * width + k]) }
        guard maximum.isFinite else { return maximum }
        var sum = 0.0
        for k in 0..<width { sum += exp(values[row * width + k] - maximum) }
        return maximum + log(sum)
    }
}
