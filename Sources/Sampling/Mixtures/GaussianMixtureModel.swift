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
    /// Bishop, PRML §9.2.2). Points are row-major `n × d`.
    ///
    /// On BLAS, as scikit-learn's `_estimate_log_gaussian_prob`: full covariances use `Σₖ = LLᵀ` and
    /// `‖L⁻¹(x − μ)‖² = ‖X L⁻ᵀ − μ L⁻ᵀ‖²` row by row (one `dgemm` per component); diagonal ones expand
    /// `Σⱼ (xⱼ − μⱼ)²/σⱼ² = X²·(1/σ²)ᵀ − 2X·(μ/σ²)ᵀ + Σⱼ μⱼ²/σⱼ²` (two `dgemm`s for all components).
    public func weightedLogDensities(points: [Double]) throws(SamplingError) -> [Double] {
        let d = dimension
        let n = points.count / d
        let k = componentCount
        var result = [Double](repeating: 0, count: n * k)
        let logTwoPi = log(2 * Double.pi)
        switch covarianceType {
        case .full:
            var projected = [Double](repeating: 0, count: n * d)
            for component in 0..<k {
                let factor = try CholeskyFactor(matrix: covariances[component], order: d)
                let inverse = factor.inverseLower()
                let constant = log(weights[component]) - 0.5 * (Double(d) * logTwoPi + factor.logDeterminant)
                // m = L⁻¹ μ, the projected mean.
                var projectedMean = [Double](repeating: 0, count: d)
                for a in 0..<d {
                    var sum = 0.0
                    for b in 0...a { sum += inverse[a * d + b] * means[component][b] }
                    projectedMean[a] = sum
                }
                points.withUnsafeBufferPointer { x in
                    inverse.withUnsafeBufferPointer { l in
                        projected.withUnsafeMutableBufferPointer { y in
                            DoubleMatrixProduct.multiply(
                                x.baseAddress!, l.baseAddress!, into: y.baseAddress!, m: n, n: d, k: d,
                                transposeB: true)
                        }
                    }
                }
                projected.withUnsafeBufferPointer { y in
                    result.withUnsafeMutableBufferPointer { out in
                        for i in 0..<n {
                            var squared = 0.0
                            for j in 0..<d {
                                let r = y[i * d + j] - projectedMean[j]
                                squared += r * r
                            }
                            out[i * k + component] = constant - 0.5 * squared
                        }
                    }
                }
            }
        case .diagonal:
            var precisions = [Double](repeating: 0, count: k * d)
            var scaledMeans = [Double](repeating: 0, count: k * d)
            var constants = [Double](repeating: 0, count: k)
            for component in 0..<k {
                var logDeterminant = 0.0
                var meanTerm = 0.0
                for j in 0..<d {
                    let variance = covariances[component][j]
                    guard variance > 0 else { throw .notPositiveDefinite(pivot: component) }
                    logDeterminant += log(variance)
                    let precision = 1 / variance
                    let mean = means[component][j]
                    precisions[component * d + j] = precision
                    scaledMeans[component * d + j] = -2 * mean * precision
                    meanTerm += mean * mean * precision
                }
                constants[component] =
                    log(weights[component]) - 0.5 * (Double(d) * logTwoPi + logDeterminant + meanTerm)
            }
            let squares = points.map { $0 * $0 }
            points.withUnsafeBufferPointer { x in
                squares.withUnsafeBufferPointer { x2 in
                    result.withUnsafeMutableBufferPointer { out in
                        DoubleMatrixProduct.multiply(
                            x2.baseAddress!, precisions, into: out.baseAddress!, m: n, n: k, k: d, transposeB: true)
                        DoubleMatrixProduct.multiply(
                            x.baseAddress!, scaledMeans, into: out.baseAddress!, m: n, n: k, k: d, transposeB: true,
                            beta: 1)
                        for i in 0..<n {
                            for component in 0..<k {
                                out[i * k + component] = constants[component] - 0.5 * out[i * k + component]
                            }
                        }
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
