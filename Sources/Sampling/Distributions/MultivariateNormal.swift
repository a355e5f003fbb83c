import Autodiff
import Foundation

/// The multivariate normal `N(μ, Σ)`, sampled as `μ + L z` with `Σ = L Lᵀ` (Cholesky) and `z ~ N(0, I)`.
public struct MultivariateNormal: Sendable {
    /// The mean `μ`.
    public let mean: [Double]
    /// The covariance `Σ`, row-major `d × d`.
    public let covariance: [Double]
    /// The Cholesky factor of `Σ`.
    public let cholesky: CholeskyFactor

    /// `N(mean, covariance)`; throws when `covariance` is not positive definite.
    public init(mean: [Double], covariance: [[Double]]) throws(SamplingError) {
        let dimension = mean.count
        guard covariance.count == dimension, covariance.allSatisfy({ $0.count == dimension }) else {
            throw .invalidParameter("covariance must be \(dimension)×\(dimension) to match the mean")
        }
        self.mean = mean
        self.covariance = covariance.flatMap { $0 }
        self.cholesky = try CholeskyFactor(matrix: self.covariance, order: dimension)
    }

    /// The dimension `d`.
    public var dimension: Int { mean.count }

    /// `−½ (d log 2π + log det Σ + ‖L⁻¹(x − μ)‖²)`.
    public func logDensity(_ x: [Double]) -> Double {
        precondition(x.count == dimension, "MultivariateNormal.logDensity: point has \(x.count) ≠ \(dimension) entries")
        var residual = zip(x, mean).map { $0 - $1 }
        cholesky.solveLower(&residual)
        let squared = residual.reduce(0) { $0 + $1 * $1 }
        return -0.5 * (Double(dimension) * log(2 * Double.pi) + cholesky.logDeterminant + squared)
    }
    /// One draw `μ + L z`.
    public func sample(using generator: inout RandomGenerator) -> [Double] {
        let z = (0..<dimension).map { _ in ZigguratNormal.draw(using: &generator) }
        return zip(mean, cholesky.multiplyLower(z)).map { $0 + $1 }
    }
    /// The marginal variances `Σᵢᵢ`.
    public var variance: [Double] { (0..<dimension).map { covariance[$0 * dimension + $0] } }
}
