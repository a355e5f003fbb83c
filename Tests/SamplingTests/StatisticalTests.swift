import Foundation

/// Goodness-of-fit statistics the sampler tests use.
enum StatisticalTests {
    /// The Kolmogorov–Smirnov statistic `sup |Fₙ(x) − F(x)|`.
    static func kolmogorovSmirnov(_ samples: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var statistic = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            statistic = max(statistic, abs(Double(i + 1) / n - f), abs(f - Double(i) / n))
        }
        return statistic
    }

    /// The KS critical value at significance 0.001: `1.95/√n`.
    static func kolmogorovSmirnovCritical(_ count: Int) -> Double { 1.95 / Double(count).squareRoot() }

    /// Pearson's chi-square statistic of integer samples against `probability(k)` on `0...maximum` (the last bin
    /// collects the upper tail) and its degrees of freedom.
    static func chiSquare(_ samples: [Int], maximum: Int, probability: (Int) -> Double) -> (Double, Int) {
        var counts = [Double](repeating: 0, count: maximum + 1)
        for sample in samples { counts[min(sample, maximum)] += 1 }
        var expected = (0..<maximum).map { probability($0) }
        expected.append(1 - expected.reduce(0.0) { $0 + $1 })
        var statistic = 0.0
        let n = Double(samples.count)
        for k in 0...maximum where expected[k] > 0 {
            let e = expected[k] * n
            statistic += (counts[k] - e) * (counts[k] - e) / e
        }
        return (statistic, maximum)
    }

    /// The chi-square critical value at significance 0.001 (Wilson–Hilferty approximation).
    static func chiSquareCritical(degreesOfFreedom df: Int) -> Double {
        let k = Double(df)
        let z = 3.09
        let term = 1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot()
        return k * term * term * term
    }

    /// Mean of values.
    static func mean(_ values: [Double]) -> Double { values.reduce(0.0) { $0 + $1 } / Double(values.count) }
}
