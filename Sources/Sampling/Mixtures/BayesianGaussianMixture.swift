import Autodiff
import Foundation

/// Mean-field variational inference for the Bayesian Gaussian mixture of Bishop, *Pattern Recognition and Machine
/// Learning* (2006), §10.2 (a factorized `q(Z) q(π, μ, Λ)` replaces the posterior):
///
/// Model: `π ~ Dir(α₀)`, `Λₖ ~ W(W₀, ν₀)`, `μₖ | Λₖ ~ N(m₀, (β₀Λₖ)⁻¹)`, `zₙ ~ Cat(π)`, `xₙ | zₙ = k ~ N(μₖ, Λₖ⁻¹)`.
/// Family: `q(π) = Dir(α)`, `q(μₖ, Λₖ) = N(mₖ, (βₖΛₖ)⁻¹) W(Wₖ, νₖ)`, `q(zₙ) = Cat(rₙ)`.
///
/// - E step (10.46–10.49, 10.64–10.66): `ln ρₙₖ = E[ln πₖ] + ½E[ln|Λₖ|] − (D/2) ln 2π − ½(D/βₖ + νₖ(xₙ − mₖ)ᵀWₖ(xₙ − mₖ))`,
///   `rₙₖ = ρₙₖ / Σⱼ ρₙⱼ`.
/// - M step (10.51–10.63): `Nₖ, x̄ₖ, Sₖ` from `r`; `αₖ = α₀ + Nₖ`, `βₖ = β₀ + Nₖ`, `mₖ = (β₀m₀ + Nₖx̄ₖ)/βₖ`,
///   `Wₖ⁻¹ = W₀⁻¹ + NₖSₖ + β₀Nₖ/(β₀ + Nₖ) (x̄ₖ − m₀)(x̄ₖ − m₀)ᵀ`, `νₖ = ν₀ + Nₖ`.
/// - The evidence lower bound (10.70–10.77) after every M step; each step maximizes it in its block, so it never
///   decreases.
///
/// Defaults follow scikit-learn's `BayesianGaussianMixture`: `α₀ = 1/K`, `β₀ = 1`, `m₀` = the data mean,
/// `ν₀ = D`, `W₀⁻¹` = the data covariance.
public struct BayesianGaussianMixture: Sendable {
    /// The number of components `K` (an upper bound: a small `α₀` empties unneeded ones).
    public let components: Int
    /// The Dirichlet concentration `α₀` (nil: `1/K`).
    public let weightConcentration: Double?
    /// The mean precision scale `β₀`.
    public let meanPrecision: Double
    /// The Wishart degrees of freedom `ν₀` (nil: `D`; must exceed `D − 1`).
    public let degreesOfFreedom: Double?
    /// Stop when the ELBO changes by less than this (absolute, per data point).
    public let tolerance: Double
    /// Iteration cap.
    public let maximumIterations: Int

    /// A variational Bayesian mixture fitter.
    public init(
        components: Int, weightConcentration: Double? = nil, meanPrecision: Double = 1, degreesOfFreedom: Double? = nil,
        tolerance: Double = 1e-8, maximumIterations: Int = 500
    ) {
        precondition(components >= 1 && meanPrecision > 0, "BayesianGaussianMixture: K ≥ 1 and β₀ > 0 required")
        self.components = components
        self.weightConcentration = weightConcentration
        self.meanPrecision = meanPrecision
        self.degreesOfFreedom = degreesOfFreedom
        self.tolerance = tolerance
        self.maximumIterations = maximumIterations
    }

    /// The prior hyperparameters resolved for `D`-dimensional data.
    public struct Prior: Sendable {
        /// `α₀`.
        public let concentration: Double
        /// `β₀`.
        public let meanPrecision: Double
        /// `m₀`.
        public let mean: [Double]
        /// `ν₀`.
        public let degreesOfFreedom: Double
        /// `W₀⁻¹`, row-major `D × D`.
        public let inverseScale: [Double]
    }

    /// The prior for `points` (row-major `n × d`).
    public func prior(points: [Double], dimension d: Int) -> Prior {
        let n = points.count / d
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += points[i * d + j] / Double(n) } }
        var covariance = [Double](repeating: 0, count: d * d)
        for i in 0..<n {
            for a in 0..<d {
                for b in 0..<d {
                    covariance[a * d + b] +=
                        (points[i * d + a] - mean[a]) * (points[i * d + b] - mean[b]) / Double(max(1, n - 1))
                }
            }
        }
        for j in 0..<d { covariance[j * d + j] += 1e-6 }
        return Prior(
            concentration: weightConcentration ?? 1 / Double(components), meanPrecision: meanPrecision, mean: mean,
            degreesOfFreedom: degreesOfFreedom ?? Double(d), inverseScale: covariance)
    }

    /// Runs coordinate ascent from k-means++ hard assignments (seeded by `generator`).
    public func fit(_ points: [[Double]], using generator: inout RandomGenerator) throws(SamplingError)
        -> BayesianMixtureFit
    {
        guard let d = points.first?.count, d > 0, points.allSatisfy({ $0.count == d }), points.count >= components
        else { throw .invalidData("need at least \(components) rows of equal, positive length") }
        let flat = points.flatMap { $0 }
        let n = points.count
        let k = components
        let prior = prior(points: flat, dimension: d)
        guard prior.degreesOfFreedom > Double(d) - 1 else {
            throw .invalidParameter("degrees of freedom \(prior.degreesOfFreedom) must exceed D − 1 = \(d - 1)")
        }
        let labels = KMeans.labels(points: flat, dimension: d, clusters: k, using: &generator)
        var responsibilities = [Double](repeating: 0, count: n * k)
        for (i, label) in labels.enumerated() { responsibilities[i * k + label] = 1 }
        var history: [Double] = []
        var converged = false
        var posterior = try maximizationStep(
            points: flat, dimension: d, responsibilities: responsibilities, prior: prior)
        for _ in 0..<maximumIterations {
            let bound = try evidenceLowerBound(
                points: flat, dimension: d, responsibilities: responsibilities, posterior: posterior, prior: prior)
            if let last = history.last, abs(bound - last) < tolerance * Double(n) {
                history.append(bound)
                converged = true
                break
            }
            history.append(bound)
            responsibilities = try expectationStep(points: flat, dimension: d, posterior: posterior)
            posterior = try maximizationStep(
                points: flat, dimension: d, responsibilities: responsibilities, prior: prior)
        }
        return BayesianMixtureFit(
            posterior: posterior, prior: prior, responsibilities: responsibilities, elboHistory: history,
            hasConverged: converged)
    }

    /// Sufficient statistics of `r` (10.51–10.53): `Nₖ`, `x̄ₖ`, `Sₖ` (row-major `D × D`).
    static func statistics(points: [Double], dimension d: Int, responsibilities r: [Double], components k: Int)
        -> (counts: [Double], means: [[Double]], scatters: [[Double]])
    {
        let n = points.count / d
        var counts = [Double](repeating: 10 * Double.ulpOfOne, count: k)
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
        var scatters = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: k)
        for c in 0..<k {
            for i in 0..<n {
                counts[c] += r[i * k + c]
                for j in 0..<d { means[c][j] += r[i * k + c] * points[i * d + j] }
            }
            for j in 0..<d { means[c][j] /= counts[c] }
            for i in 0..<n {
                let weight = r[i * k + c]
                for a in 0..<d {
                    let scaled = weight * (points[i * d + a] - means[c][a])
                    for b in 0..<d { scatters[c][a * d + b] += scaled * (points[i * d + b] - means[c][b]) }
                }
            }
            for entry in 0..<(d * d) { scatters[c][entry] /= counts[c] }
        }
        return (counts, means, scatters)
    }

    /// The M step (10.58, 10.60–10.63): `q(π)` and `q(μₖ, Λₖ)` from responsibilities.
    public func maximizationStep(points: [Double], dimension d: Int, responsibilities: [Double], prior: Prior)
        throws(SamplingError) -> BayesianMixturePosterior
    {
        let k = components
        let (counts, means, scatters) = Self.statistics(
            points: points, dimension: d, responsibilities: responsibilities, components: k)
        var componentsOut: [BayesianMixturePosterior.Component] = []
        for c in 0..<k {
            let count = counts[c]
            let beta = prior.meanPrecision + count
            let mean = (0..<d).map { (prior.meanPrecision * prior.mean[$0] + count * means[c][$0]) / beta }
            let shrink = prior.meanPrecision * count / (prior.meanPrecision + count)
            var inverseScale = prior.inverseScale
            for a in 0..<d {
                for b in 0..<d {
                    inverseScale[a * d + b] +=
                        count * scatters[c][a * d + b] + shrink * (means[c][a] - prior.mean[a])
                        * (means[c][b] - prior.mean[b])
                }
            }
            componentsOut.append(
                try BayesianMixturePosterior.Component(
                    concentration: prior.concentration + count, meanPrecision: beta, mean: mean,
                    degreesOfFreedom: prior.degreesOfFreedom + count, inverseScale: inverseScale))
        }
        return BayesianMixturePosterior(dimension: d, components: componentsOut)
    }

    /// The E step (10.46, 10.49, 10.64–10.66): responsibilities `rₙₖ`, row-major `n × K`.
    public func expectationStep(points: [Double], dimension d: Int, posterior: BayesianMixturePosterior)
        throws(SamplingError) -> [Double]
    {
        let n = points.count / d
        let k = components
        let logWeights = posterior.expectedLogWeights
        var result = [Double](repeating: 0, count: n * k)
        var residual = [Double](repeating: 0, count: d)
        for (c, component) in posterior.components.enumerated() {
            let constant =
                logWeights[c] + 0.5 * component.expectedLogDeterminant - 0.5 * Double(d) * log(2 * Double.pi)
                - 0.5 * Double(d) / component.meanPrecision
            for i in 0..<n {
                for j in 0..<d { residual[j] = points[i * d + j] - component.mean[j] }
                result[i * k + c] = constant - 0.5 * component.degreesOfFreedom * component.quadraticForm(residual)
            }
        }
        for i in 0..<n {
            let normalizer = GaussianMixtureModel.logSumExp(result, row: i, width: k)
            for c in 0..<k { result[i * k + c] = exp(result[i * k + c] - normalizer) }
        }
        return result
    }

    /// The evidence lower bound `L(q)` (Bishop 10.70–10.77) of responsibilities `r` and the factors `posterior`.
    public func evidenceLowerBound(
        points: [Double], dimension d: Int, responsibilities r: [Double], posterior: BayesianMixturePosterior,
        prior: Prior
    ) throws(SamplingError) -> Double {
        let k = components
        let dimension = Double(d)
        let (counts, means, scatters) = Self.statistics(
            points: points, dimension: d, responsibilities: r, components: k)
        let logWeights = posterior.expectedLogWeights
        let priorScale = try CholeskyFactor(matrix: prior.inverseScale, order: d)
        let logTwoPi = log(2 * Double.pi)
        var bound = 0.0
        for (c, q) in posterior.components.enumerated() {
            let logLambda = q.expectedLogDeterminant
            var meanGap = zip(means[c], q.mean).map { $0 - $1 }
            // (10.71) E[ln p(X | Z, μ, Λ)].
            bound +=
                0.5 * counts[c]
                * (logLambda - dimension / q.meanPrecision - q.degreesOfFreedom * q.traceWith(scatters[c])
                    - q.degreesOfFreedom * q.quadraticForm(meanGap) - dimension * logTwoPi)
            // (10.72) E[ln p(Z | π)].
            bound += counts[c] * logWeights[c]
            // (10.74) E[ln p(μ, Λ)].
            meanGap = zip(q.mean, prior.mean).map { $0 - $1 }
            bound +=
                0.5
                * (dimension * log(prior.meanPrecision / (2 * Double.pi)) + logLambda
                    - dimension * prior.meanPrecision / q.meanPrecision
                    - prior.meanPrecision * q.degreesOfFreedom * q.quadraticForm(meanGap))
            bound += Self.logWishartNormalizer(
                logDeterminantOfScale: -priorScale.logDeterminant, degreesOfFreedom: prior.degreesOfFreedom,
                dimension: d)
            bound += 0.5 * (prior.degreesOfFreedom - dimension - 1) * logLambda
            bound -= 0.5 * q.degreesOfFreedom * q.traceWith(prior.inverseScale)
            // (10.77) −E[ln q(μ, Λ)], with H[q(Λ)] = −ln B(W, ν) − (ν − D − 1)/2 E[ln|Λ|] + νD/2.
            let entropy =
                -Self.logWishartNormalizer(
                    logDeterminantOfScale: q.logDeterminantOfScale, degreesOfFreedom: q.degreesOfFreedom, dimension: d)
                - 0.5 * (q.degreesOfFreedom - dimension - 1) * logLambda + 0.5 * q.degreesOfFreedom * dimension
            bound -=
                0.5 * logLambda + 0.5 * dimension * log(q.meanPrecision / (2 * Double.pi)) - 0.5 * dimension - entropy
        }
        // (10.73) E[ln p(π)] and (10.76) −E[ln q(π)].
        let priorConcentrations = [Double](repeating: prior.concentration, count: k)
        bound += Self.logDirichletNormalizer(priorConcentrations)
        bound -= Self.logDirichletNormalizer(posterior.components.map(\.concentration))
        for (c, q) in posterior.components.enumerated() {
            bound += (prior.concentration - 1) * logWeights[c] - (q.concentration - 1) * logWeights[c]
        }
        // (10.75) −E[ln q(Z)].
        for value in r where value > 0 { bound -= value * log(value) }
        return bound
    }

    /// `ln B(W, ν)` of the Wishart normalizer (Bishop B.79) from `ln|W|`.
    static func logWishartNormalizer(logDeterminantOfScale: Double, degreesOfFreedom nu: Double, dimension d: Int)
        -> Double
    {
        var logGammas = 0.0
        for i in 1...d { logGammas += SpecialFunctions.logGamma((nu + 1 - Double(i)) / 2) }
        let dimension = Double(d)
        return -0.5 * nu * logDeterminantOfScale
            - (0.5 * nu * dimension * log(2.0) + 0.25 * dimension * (dimension - 1) * log(Double.pi) + logGammas)
    }

    /// `ln C(α) = ln Γ(Σα) − Σ ln Γ(αₖ)` (Bishop B.23).
    static func logDirichletNormalizer(_ alpha: [Double]) -> Double {
        SpecialFunctions.logGamma(alpha.reduce(0, +)) - alpha.reduce(0.0) { $0 + SpecialFunctions.logGamma($1) }
    }
}

/// The variational factors `q(π) q(μ, Λ)` of a Bayesian Gaussian mixture (Bishop §10.2).
public struct BayesianMixturePosterior: Sendable {
    /// One component's factor `N(μ | m, (βΛ)⁻¹) W(Λ | W, ν)` and its Dirichlet parameter `α`.
    public struct Component: Sendable {
        /// `αₖ`.
        public let concentration: Double
        /// `βₖ`.
        public let meanPrecision: Double
        /// `mₖ`.
        public let mean: [Double]
        /// `νₖ`.
        public let degreesOfFreedom: Double
        /// `Wₖ⁻¹`, row-major.
        public let inverseScale: [Double]
        /// `Wₖ`, row-major.
        public let scale: [Double]
        /// `ln|Wₖ|`.
        public let logDeterminantOfScale: Double
        /// `E[ln|Λₖ|] = Σᵢ ψ((νₖ + 1 − i)/2) + D ln 2 + ln|Wₖ|` (10.65).
        public let expectedLogDeterminant: Double

        /// A factor; throws when `Wₖ⁻¹` is not positive definite.
        public init(
            concentration: Double, meanPrecision: Double, mean: [Double], degreesOfFreedom: Double,
            inverseScale: [Double]
        ) throws(SamplingError) {
            let d = mean.count
            let factor = try CholeskyFactor(matrix: inverseScale, order: d)
            let inverseLower = factor.inverseLower()
            var scale = [Double](repeating: 0, count: d * d)
            for a in 0..<d {
                for b in 0..<d {
                    var sum = 0.0
                    for m in max(a, b)..<d { sum += inverseLower[m * d + a] * inverseLower[m * d + b] }
                    scale[a * d + b] = sum
                }
            }
            var expected = Double(d) * log(2.0) - factor.logDeterminant
            for i in 1...d { expected += SpecialFunctions.digamma((degreesOfFreedom + 1 - Double(i)) / 2) }
            self.concentration = concentration
            self.meanPrecision = meanPrecision
            self.mean = mean
            self.degreesOfFreedom = degreesOfFreedom
            self.inverseScale = inverseScale
            self.scale = scale
            self.logDeterminantOfScale = -factor.logDeterminant
            self.expectedLogDeterminant = expected
        }

        /// `vᵀ Wₖ v`.
        public func quadraticForm(_ v: [Double]) -> Double {
            let d = v.count
            var total = 0.0
            for a in 0..<d {
                var row = 0.0
                for b in 0..<d { row += scale[a * d + b] * v[b] }
                total += v[a] * row
            }
            return total
        }

        /// `Tr(A Wₖ)` for a row-major `A`.
        public func traceWith(_ matrix: [Double]) -> Double {
            let d = mean.count
            var total = 0.0
            for a in 0..<d { for b in 0..<d { total += matrix[a * d + b] * scale[b * d + a] } }
            return total
        }

        /// `E[Λₖ⁻¹] = Wₖ⁻¹ / (νₖ − D − 1)`, the posterior mean covariance (Bishop B.80; needs `νₖ > D + 1`).
        public var expectedCovariance: [Double] {
            inverseScale.map { $0 / (degreesOfFreedom - Double(mean.count) - 1) }
        }
    }

    /// The dimension `D`.
    public let dimension: Int
    /// The component factors.
    public let components: [Component]

    /// Factors of the given components (all of dimension `dimension`).
    public init(dimension: Int, components: [Component]) {
        precondition(
            components.allSatisfy { $0.mean.count == dimension },
            "BayesianMixturePosterior: components must have dimension \(dimension)")
        self.dimension = dimension
        self.components = components
    }

    /// `E[ln πₖ] = ψ(αₖ) − ψ(Σα)` (10.66).
    public var expectedLogWeights: [Double] {
        let total = SpecialFunctions.digamma(components.reduce(0.0) { $0 + $1.concentration })
        return components.map { SpecialFunctions.digamma($0.concentration) - total }
    }

    /// `E[πₖ] = αₖ / Σα` (10.69).
    public var expectedWeights: [Double] {
        let total = components.reduce(0.0) { $0 + $1.concentration }
        return components.map { $0.concentration / total }
    }
}

/// The result of variational Bayesian mixture fitting.
public struct BayesianMixtureFit: Sendable {
    /// The factors `q(π) q(μ, Λ)`.
    public let posterior: BayesianMixturePosterior
    /// The resolved prior.
    public let prior: BayesianGaussianMixture.Prior
    /// `rₙₖ`, row-major `n × K`.
    public let responsibilities: [Double]
    /// The ELBO after each M step (non-decreasing).
    public let elboHistory: [Double]
    /// Whether the tolerance was met.
    public let hasConverged: Bool
}
