import Autodiff
import Foundation

/// Mean-field variational inference by coordinate ascent (CAVI) for a Bayesian Gaussian mixture (a
/// factorized `q` approximates the posterior, one `φᵢ` per data point), following Blei, Kucukelbir & McAuliffe 2017,
/// "Variational Inference: A Review for Statisticians", §3, extended to `ℝ^d`:
///
/// Model: `μₖ ~ N(0, σ² I)`, `cᵢ ~ Uniform{1..K}`, `xᵢ | cᵢ, μ ~ N(μ_{cᵢ}, I)`.
/// Family: `q(μₖ) = N(mₖ, sₖ² I)`, `q(cᵢ) = Cat(φᵢ)`.
/// Updates: `φᵢₖ ∝ exp(mₖ·xᵢ − ½(d sₖ² + ‖mₖ‖²))`; `mₖ = Σᵢ φᵢₖ xᵢ / (1/σ² + Σᵢ φᵢₖ)`, `sₖ² = 1/(1/σ² + Σᵢ φᵢₖ)`.
/// Each update maximizes the ELBO in its block, so the ELBO never decreases.
///
/// This is the known-unit-covariance teaching model; `BayesianGaussianMixture` is the full model (Normal–Wishart
/// over means and precisions, Dirichlet over weights, Bishop PRML §10.2).
public struct VariationalGaussianMixture: Sendable {
    /// The number of components `K`.
    public let components: Int
    /// Prior variance `σ²` of the component means.
    public let priorVariance: Double
    /// Stop when the ELBO changes by less than this.
    public let tolerance: Double
    /// Iteration cap.
    public let maximumIterations: Int

    /// A CAVI fitter.
    public init(components: Int, priorVariance: Double = 100, tolerance: Double = 1e-8, maximumIterations: Int = 500) {
        precondition(components >= 1 && priorVariance > 0, "VariationalGaussianMixture: K ≥ 1 and σ² > 0 required")
        self.components = components
        self.priorVariance = priorVariance
        self.tolerance = tolerance
        self.maximumIterations = maximumIterations
    }

    /// Runs CAVI from means at randomly chosen data points (`s² = 1`).
    public func fit(_ points: [[Double]], using generator: inout RandomGenerator) throws(SamplingError)
        -> VariationalMixtureFit
    {
        guard let d = points.first?.count, d > 0, points.allSatisfy({ $0.count == d }), points.count >= components
        else { throw .invalidData("need at least \(components) rows of equal, positive length") }
        let n = points.count
        let k = components
        var means = (0..<k).map { _ in points[generator.nextInt(below: n)] }
        var variances = [Double](repeating: 1, count: k)
        var assignments = [Double](repeating: 1 / Double(k), count: n * k)
        var history: [Double] = []
        var converged = false
        for _ in 0..<maximumIterations {
            var logits = [Double](repeating: 0, count: k)
            for i in 0..<n {
                for c in 0..<k {
                    var dot = 0.0
                    var norm = 0.0
                    for j in 0..<d {
                        dot += means[c][j] * points[i][j]
                        norm += means[c][j] * means[c][j]
                    }
                    logits[c] = dot - 0.5 * (Double(d) * variances[c] + norm)
                }
                let normalizer = SpecialFunctions.logSumExp(logits)
                for c in 0..<k { assignments[i * k + c] = exp(logits[c] - normalizer) }
            }
            for c in 0..<k {
                var weight = 0.0
                var sum = [Double](repeating: 0, count: d)
                for i in 0..<n {
                    let phi = assignments[i * k + c]
                    weight += phi
                    for j in 0..<d { sum[j] += phi * points[i][j] }
                }
                let precision = 1 / priorVariance + weight
                means[c] = sum.map { $0 / precision }
                variances[c] = 1 / precision
            }
            let bound = evidenceLowerBound(points: points, means: means, variances: variances, assignments: assignments)
            if let last = history.last, abs(bound - last) < tolerance * max(1, abs(last)) {
                history.append(bound)
                converged = true
                break
            }
            history.append(bound)
        }
        return VariationalMixtureFit(
            means: means, meanVariances: variances, assignments: assignments, elboHistory: history,
            hasConverged: converged)
    }

    /// The ELBO `E_q[log p(x, c, μ)] − E_q[log q(c, μ)]` in closed form (Blei et al. 2017, eq. 21 and §3).
    public func evidenceLowerBound(
        points: [[Double]], means: [[Double]], variances: [Double], assignments: [Double]
    ) -> Double {
        let k = components
        let d = Double(points[0].count)
        let logTwoPi = log(2 * Double.pi)
        var bound = 0.0
        var meanNorms = [Double](repeating: 0, count: k)
        for c in 0..<k {
            for value in means[c] { meanNorms[c] += value * value }
            let secondMoment = d * variances[c] + meanNorms[c]
            bound += -0.5 * d * (logTwoPi + log(priorVariance)) - secondMoment / (2 * priorVariance)
            bound -= -0.5 * d * (logTwoPi + log(variances[c])) - 0.5 * d
        }
        for (i, x) in points.enumerated() {
            bound -= log(Double(k))
            var squaredNorm = 0.0
            for value in x { squaredNorm += value * value }
            for c in 0..<k {
                let phi = assignments[i * k + c]
                guard phi > 0 else { continue }
                var dot = 0.0
                for (value, mean) in zip(x, means[c]) { dot += value * mean }
                let expectedSquare = squaredNorm - 2 * dot + d * variances[c] + meanNorms[c]
                bound += phi * (-0.5 * d * logTwoPi - 0.5 * expectedSquare)
                bound -= phi * log(phi)
            }
        }
        return bound
    }
}

/// The result of CAVI.
public struct VariationalMixtureFit: Sendable {
    /// Variational means `mₖ`.
    public let means: [[Double]]
    /// Variational variances `sₖ²` (per coordinate).
    public let meanVariances: [Double]
    /// `φᵢₖ`, row-major `n × K`.
    public let assignments: [Double]
    /// The ELBO after each full sweep (non-decreasing).
    public let elboHistory: [Double]
    /// Whether the tolerance was met.
    public let hasConverged: Bool
}
