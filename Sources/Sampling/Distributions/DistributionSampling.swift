import Autodiff
import Foundation

/// The univariate distributions `montague sample` draws from, with their parameters: the library entry point of
/// that command (``DistributionSampling/run(_:)``).
public enum DistributionKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// ``Normal``: MEAN, SD.
    case normal
    /// ``Uniform``: LOW, HIGH.
    case uniform
    /// ``Exponential``: RATE.
    case exponential
    /// ``Gamma``: SHAPE, SCALE.
    case gamma
    /// ``Beta``: A, B.
    case beta
    /// ``Poisson``: RATE.
    case poisson
    /// ``Bernoulli``: P.
    case bernoulli

    /// The parameters' names, in the order they are given.
    public var parameterNames: [String] {
        switch self {
        case .normal: ["MEAN", "SD"]
        case .uniform: ["LOW", "HIGH"]
        case .exponential: ["RATE"]
        case .gamma: ["SHAPE", "SCALE"]
        case .beta: ["A", "B"]
        case .poisson: ["RATE"]
        case .bernoulli: ["P"]
        }
    }

    /// The parameters used when none are given.
    public var defaultParameters: [Double] {
        switch self {
        case .normal: [0, 1]
        case .uniform: [0, 1]
        case .exponential: [1]
        case .gamma: [1, 1]
        case .beta: [1, 1]
        case .poisson: [1]
        case .bernoulli: [0.5]
        }
    }

    /// The distribution with `parameters` (exactly ``parameterNames``.count of them).
    ///
    /// - Throws: ``DistributionParameterError`` naming the distribution when the count or a value is wrong.
    public func make(_ parameters: [Double]) throws(DistributionParameterError) -> SampledDistribution {
        guard parameters.count == parameterNames.count else {
            throw DistributionParameterError(
                "\(rawValue) takes \(parameterNames.count) parameter\(parameterNames.count == 1 ? "" : "s") "
                    + "(\(parameterNames.joined(separator: ","))), got \(parameters.count)")
        }
        func require(_ condition: Bool, _ message: String) throws(DistributionParameterError) {
            guard condition, parameters.allSatisfy(\.isFinite) else {
                throw DistributionParameterError("\(rawValue): \(message)")
            }
        }
        let p = parameters
        switch self {
        case .normal:
            try require(p[1] > 0, "SD must be positive")
            return .continuous(Normal(mean: p[0], standardDeviation: p[1]))
        case .uniform:
            try require(p[0] < p[1], "LOW must be below HIGH")
            return .continuous(Uniform(p[0], p[1]))
        case .exponential:
            try require(p[0] > 0, "RATE must be positive")
            return .continuous(Exponential(rate: p[0]))
        case .gamma:
            try require(p[0] > 0 && p[1] > 0, "SHAPE and SCALE must be positive")
            return .continuous(Gamma(shape: p[0], scale: p[1]))
        case .beta:
            try require(p[0] > 0 && p[1] > 0, "A and B must be positive")
            return .continuous(Beta(alpha: p[0], beta: p[1]))
        case .poisson:
            try require(p[0] >= 0, "RATE must not be negative")
            return .discrete(Poisson(rate: p[0]))
        case .bernoulli:
            try require((0...1).contains(p[0]), "P must lie in [0, 1]")
            return .discrete(Bernoulli(probability: p[0]))
        }
    }
}

/// A wrong parameter list for a ``DistributionKind``.
public struct DistributionParameterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// A distribution ``DistributionSampling`` draws from: continuous (real draws) or discrete (integer draws).
public enum SampledDistribution: Sendable {
    /// A distribution on the reals.
    case continuous(any ContinuousDistribution)
    /// A distribution on the integers.
    case discrete(any DiscreteDistribution)

    /// The exact mean.
    public var mean: Double {
        switch self {
        case .continuous(let d): d.mean
        case .discrete(let d): d.mean
        }
    }

    /// The exact variance.
    public var variance: Double {
        switch self {
        case .continuous(let d): d.variance
        case .discrete(let d): d.variance
        }
    }

    /// The cumulative distribution function, for continuous distributions that have one.
    public var cdf: ((Double) -> Double)? {
        if case .continuous(let d) = self, let c = d as? any CumulativeDistribution { return c.cdf }
        return nil
    }
}

/// Draws from a distribution and compares the sample with the distribution: the library side of
/// `montague sample`.
public enum DistributionSampling {
    /// What to draw.
    public struct Request: Sendable {
        /// The distribution.
        public var kind: DistributionKind
        /// Its parameters (``DistributionKind/defaultParameters`` when nil).
        public var parameters: [Double]?
        /// Number of draws (positive).
        public var count: Int
        /// Seed of the generator.
        public var seed: UInt64
        /// Draw `F⁻¹(U)` with `U` uniform (inverse-transform sampling, Devroye 1986 §II.2) instead of the
        /// distribution's own sampler; continuous distributions only.
        public var inverseTransform: Bool

        /// A request.
        public init(
            kind: DistributionKind, parameters: [Double]? = nil, count: Int, seed: UInt64 = 0,
            inverseTransform: Bool = false
        ) {
            self.kind = kind
            self.parameters = parameters
            self.count = count
            self.seed = seed
            self.inverseTransform = inverseTransform
        }
    }

    /// The draws and their summary.
    public struct Report: Sendable {
        /// The distribution drawn from.
        public let distribution: SampledDistribution
        /// The draws in order (integers as `Double` for discrete distributions).
        public let draws: [Double]
        /// The sample mean.
        public let sampleMean: Double
        /// The unbiased sample variance.
        public let sampleVariance: Double
        /// The Kolmogorov–Smirnov statistic `supₓ |Fₙ(x) − F(x)|` when the distribution has a CDF.
        public let ksStatistic: Double?
    }

    /// Draws `request.count` values and summarizes them.
    ///
    /// - Throws: ``DistributionParameterError`` for wrong parameters, or inverse-transform sampling of a
    ///   distribution without a quantile function.
    public static func run(_ request: Request) throws(DistributionParameterError) -> Report {
        precondition(request.count > 0, "DistributionSampling.run: count must be positive")
        let distribution = try request.kind.make(request.parameters ?? request.kind.defaultParameters)
        var generator = RandomGenerator(seed: request.seed)
        let n = request.count
        let draws: [Double]
        switch distribution {
        case .continuous(let d):
            if request.inverseTransform {
                guard let quantiles = d as? any CumulativeDistribution else {
                    throw DistributionParameterError("\(request.kind.rawValue): no quantile function")
                }
                draws = (0..<n).map { _ in quantiles.inverseCDF(1 - generator.nextUnitDouble()) }
            } else {
                draws = d.samples(count: n, using: &generator)
            }
        case .discrete(let d):
            guard !request.inverseTransform else {
                throw DistributionParameterError(
                    "\(request.kind.rawValue): inverse-transform sampling needs a continuous distribution")
            }
            draws = d.samples(count: n, using: &generator).map(Double.init)
        }
        let mean = draws.reduce(0.0, +) / Double(n)
        var ks: Double?
        if let cdf = distribution.cdf {
            var statistic = 0.0
            for (i, x) in draws.sorted().enumerated() {
                let f = cdf(x)
                statistic = max(statistic, abs(Double(i + 1) / Double(n) - f), abs(f - Double(i) / Double(n)))
            }
            ks = statistic
        }
        return Report(
            distribution: distribution, draws: draws, sampleMean: mean,
            sampleVariance: ConvergenceDiagnostics.sampleVariance(draws), ksStatistic: ks)
    }
}
