import ArgumentParser
import Autodiff
import Foundation
import Plotting
import Sampling

/// `montague sample DIST --n N`: draws from a distribution and prints sample moments against the exact ones.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw from a distribution and compare sample moments with the exact ones.",
        discussion: """
            Distributions and --params: normal MEAN,SD; uniform LOW,HIGH; exponential RATE; gamma SHAPE,SCALE;
            beta A,B; poisson RATE; bernoulli P. Continuous distributions with a CDF also print the KS statistic.
            --inverse-transform draws F⁻¹(U) with U uniform (notes §1.1) instead of the distribution's own sampler;
            gamma and beta invert their incomplete gamma / beta functions numerically.

            Examples:
              montague sample normal --n 100000 --params 0,1 --seed 7
              montague sample gamma --n 10000 --params 2.5,1 --svg gamma.svg
              montague sample beta --n 10000 --params 2,5 --inverse-transform
            """)

    @Argument(help: "normal, uniform, exponential, gamma, beta, poisson or bernoulli.")
    var distribution: String

    @Option(name: .long, help: "Number of draws.")
    var n = 10_000

    @Option(name: .long, help: "Comma-separated parameters (see above).")
    var params: String?

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write an SVG histogram of the draws, with the exact density or pmf, to this path.")
    var svg: String?

    @Flag(name: .customLong("inverse-transform"), help: "Sample by the quantile function F⁻¹(U) (continuous only).")
    var inverseTransform = false

    func run() throws {
        guard n > 0 else { throw ValidationError("--n must be positive") }
        let values = try (params ?? "").split(separator: ",").map { text -> Double in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--params: '\(text)' is not a number")
            }
            return value
        }
        func parameter(_ index: Int, _ fallback: Double) -> Double { index < values.count ? values[index] : fallback }
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw ValidationError("\(distribution): \(message)") }
        }
        var generator = RandomGenerator(seed: seed)
        let draws: [Double]
        var continuous: (any ContinuousDistribution)?
        let discrete: (any DiscreteDistribution)?
        switch distribution.lowercased() {
        case "normal":
            try require(parameter(1, 1) > 0, "standard deviation must be positive")
            continuous = Normal(mean: parameter(0, 0), standardDeviation: parameter(1, 1))
            discrete = nil
        case "uniform":
            try require(parameter(0, 0) < parameter(1, 1), "LOW must be below HIGH")
            continuous = Uniform(parameter(0, 0), parameter(1, 1))
            discrete = nil
        case "exponential":
            try require(parameter(0, 1) > 0, "rate must be positive")
            continuous = Exponential(rate: parameter(0, 1))
            discrete = nil
        case "gamma":
            try require(parameter(0, 1) > 0 && parameter(1, 1) > 0, "shape and scale must be positive")
            continuous = Gamma(shape: parameter(0, 1), scale: parameter(1, 1))
            discrete = nil
        case "beta":
            try require(parameter(0, 1) > 0 && parameter(1, 1) > 0, "A and B must be positive")
            continuous = Beta(alpha: parameter(0, 1), beta: parameter(1, 1))
            discrete = nil
        case "poisson":
            try require(parameter(0, 1) >= 0, "rate must be non-negative")
            discrete = Poisson(rate: parameter(0, 1))
        case "bernoulli":
            try require((0...1).contains(parameter(0, 0.5)), "P must lie in [0, 1]")
            discrete = Bernoulli(probability: parameter(0, 0.5))
        default:
            throw ValidationError("unknown distribution '\(distribution)'")
        }
        if inverseTransform {
            guard let quantiles = continuous as? any CumulativeDistribution else {
                throw ValidationError("\(distribution): --inverse-transform needs a continuous distribution")
            }
            draws = (0..<n).map { _ in quantiles.inverseCDF(1 - generator.nextUnitDouble()) }
        } else if let continuous {
            draws = continuous.samples(count: n, using: &generator)
        } else if let discrete {
            draws = discrete.samples(count: n, using: &generator).map(Double.init)
        } else {
            draws = []
        }
        let exactMean = continuous?.mean ?? discrete?.mean ?? .nan
        let exactVariance = continuous?.variance ?? discrete?.variance ?? .nan
        let mean = draws.reduce(0.0) { $0 + $1 } / Double(n)
        let variance = ConvergenceDiagnostics.sampleVariance(draws)
        print("distribution: \(distribution)  n: \(n)  seed: \(seed)")
        print(
            String(
                format: "mean      sample %.6f  exact %.6f  (standard error %.2g)", mean, exactMean,
                (exactVariance / Double(n)).squareRoot()))
        print(String(format: "variance  sample %.6f  exact %.6f", variance, exactVariance))
        let cdf: ((Double) -> Double)? = if let c = continuous as? any CumulativeDistribution { c.cdf } else { nil }
        if let cdf {
            let sorted = draws.sorted()
            var statistic = 0.0
            for (i, x) in sorted.enumerated() {
                statistic = max(statistic, abs(Double(i + 1) / Double(n) - cdf(x)), abs(cdf(x) - Double(i) / Double(n)))
            }
            print(
                String(format: "KS statistic %.5f  (1%% critical value %.5f)", statistic, 1.63 / Double(n).squareRoot())
            )
        }
        if let svg {
            let title = "\(distribution) n=\(n) seed=\(seed)"
            let chart: HistogramChart
            if let continuous {
                chart = HistogramChart(
                    values: draws, bins: 40, curveName: "exact density", title: title, xLabel: "value",
                    density: { exp(continuous.logDensity($0)) })
            } else if let discrete, let low = draws.min().map(Int.init), let high = draws.max().map(Int.init),
                high - low < 100
            {
                // One unit-wide bin per integer, so bar heights are the sample frequencies next to the exact pmf.
                chart = HistogramChart(
                    values: draws, bins: high - low + 1, range: (Double(low) - 0.5)...(Double(high) + 0.5),
                    curve: (low...high).map { ChartPoint(x: Double($0), y: exp(discrete.logProbability($0))) },
                    curveName: "exact probability", title: title, xLabel: "value", yLabel: "frequency")
            } else {
                chart = HistogramChart(values: draws, bins: 40, title: title, xLabel: "value")
            }
            let plot = chart.svg()
            do {
                try plot.write(toFile: svg, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(svg): \(error.localizedDescription)")
            }
            print("histogram: \(svg)")
        }
    }
}
