import ArgumentParser
import Autodiff
import Foundation
import MontagueSupport
import Plotting
import Sampling

/// `montague sample DIST --n N`: draws from a distribution and prints sample moments against the exact ones
/// (the library entry point is ``DistributionSampling/run(_:)``).
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Draw from a distribution and compare sample moments with the exact ones.",
        discussion: """
            Distributions and --params (exactly this many values): normal MEAN,SD; uniform LOW,HIGH; \
            exponential RATE; gamma SHAPE,SCALE; beta A,B; poisson RATE; bernoulli P. Negative values are \
            written as usual (--params -1,2). Continuous distributions with a CDF also print the \
            Kolmogorov–Smirnov statistic. --inverse-transform draws F⁻¹(U) with U uniform instead of the \
            distribution's own sampler; gamma and beta invert their incomplete gamma / beta functions numerically. \
            --output writes the draws, as CSV or, for a path ending in .npy, as a NumPy array.

            Examples:
              montague sample normal --n 100000 --params 0,1 --seed 7
              montague sample uniform --n 1000 --params -1,1 --output draws.npy
              montague sample gamma --n 10000 --params 2.5,1 --svg gamma.svg
              montague sample beta --n 10000 --params 2,5 --inverse-transform
            """)

    @Argument(help: "The distribution.")
    var distribution: DistributionKind

    @Option(name: .long, help: "Number of draws.")
    var n = 10_000

    @Option(name: .long, parsing: .unconditional, help: "Comma-separated parameters (see above).")
    var params: NumberList?

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write an SVG histogram of the draws, with the exact density or pmf, to this path.")
    var svg: String?

    @Option(name: .long, help: "Write the draws to this file: CSV, or NumPy .npy for a path ending in .npy.")
    var output: String?

    @Flag(name: .customLong("inverse-transform"), help: "Sample by the quantile function F⁻¹(U) (continuous only).")
    var inverseTransform = false

    func validate() throws {
        try requirePositive(n, "--n")
        do {
            _ = try distribution.make(params?.values ?? distribution.defaultParameters)
        } catch {
            throw ValidationError("--params: \(error.message)")
        }
    }

    func run() throws {
        let report = try DistributionSampling.run(
            .init(
                kind: distribution, parameters: params?.values, count: n, seed: seed,
                inverseTransform: inverseTransform))
        let exactMean = report.distribution.mean
        let exactVariance = report.distribution.variance
        print("distribution: \(distribution.rawValue)  n: \(n)  seed: \(seed)")
        print(
            String(
                format: "mean      sample %.6f  exact %.6f  (standard error %.2g)", report.sampleMean, exactMean,
                (exactVariance / Double(n)).squareRoot()))
        print(String(format: "variance  sample %.6f  exact %.6f", report.sampleVariance, exactVariance))
        if let statistic = report.ksStatistic {
            print(
                String(format: "KS statistic %.5f  (1%% critical value %.5f)", statistic, 1.63 / Double(n).squareRoot())
            )
        }
        if let output {
            let isDiscrete = if case .discrete = report.distribution { true } else { false }
            try NumericArrayFile.write(
                report.draws, header: ["value"], integers: isDiscrete, to: URL(fileURLWithPath: output))
            print("draws: \(output)")
        }
        if let svg {
            try AtomicFile.write(histogram(report).svg(), to: URL(fileURLWithPath: svg))
            print("histogram: \(svg)")
        }
    }

    private func histogram(_ report: DistributionSampling.Report) -> HistogramChart {
        let title = "\(distribution.rawValue) n=\(n) seed=\(seed)"
        let draws = report.draws
        switch report.distribution {
        case .continuous(let continuous):
            return HistogramChart(
                values: draws, bins: 40, curveName: "exact density", title: title, xLabel: "value",
                density: { exp(continuous.logDensity($0)) })
        case .discrete(let discrete):
            guard let low = draws.min().map(Int.init), let high = draws.max().map(Int.init), high - low < 100 else {
                return HistogramChart(values: draws, bins: 40, title: title, xLabel: "value")
            }
            // One unit-wide bin per integer, so bar heights are the sample frequencies next to the exact pmf.
            return HistogramChart(
                values: draws, bins: high - low + 1, range: (Double(low) - 0.5)...(Double(high) + 0.5),
                curve: (low...high).map { ChartPoint(x: Double($0), y: exp(discrete.logProbability($0))) },
                curveName: "exact probability", title: title, xLabel: "value", yLabel: "frequency")
        }
    }
}
