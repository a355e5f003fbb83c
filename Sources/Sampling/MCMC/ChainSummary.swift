import Foundation

/// One row of an ArviZ-style summary (`arviz.summary`): mean, sd, the 94% highest-density interval, the equal-tailed
/// 3%–97% interval, MCSE, bulk and tail ESS and rank-normalized R-hat of one scalar quantity across chains
/// (the diagnostics of Vehtari et al. 2021, checked against ArviZ in the tests).
public struct ChainSummary: Sendable {
    /// The quantity's name.
    public let name: String
    /// Posterior mean estimate.
    public let mean: Double
    /// Posterior standard deviation estimate.
    public let standardDeviation: Double
    /// Lower end of the 94% highest-density interval (ArviZ `hdi_3%`).
    public let hdiLower: Double
    /// Upper end of the 94% highest-density interval (ArviZ `hdi_97%`).
    public let hdiUpper: Double
    /// The 3% quantile.
    public let lowerQuantile: Double
    /// The 97% quantile.
    public let upperQuantile: Double
    /// MCSE of the mean.
    public let monteCarloStandardError: Double
    /// Bulk ESS.
    public let bulkEffectiveSampleSize: Double
    /// Tail ESS.
    public let tailEffectiveSampleSize: Double
    /// Rank-normalized split R-hat.
    public let rHat: Double

    /// Summarizes `chains` (one array per chain, equal lengths ≥ 4).
    public init(name: String, chains: [[Double]]) {
        let flat = chains.flatMap { $0 }
        let sorted = flat.sorted()
        self.name = name
        self.mean = flat.reduce(0.0) { $0 + $1 } / Double(flat.count)
        self.standardDeviation = ConvergenceDiagnostics.sampleVariance(flat).squareRoot()
        (self.hdiLower, self.hdiUpper) = ConvergenceDiagnostics.highestDensityInterval(flat, probability: 0.94)
        self.lowerQuantile = sorted[Int(0.03 * Double(sorted.count - 1))]
        self.upperQuantile = sorted[Int(0.97 * Double(sorted.count - 1))]
        self.monteCarloStandardError = ConvergenceDiagnostics.monteCarloStandardError(chains)
        self.bulkEffectiveSampleSize = ConvergenceDiagnostics.bulkEffectiveSampleSize(chains)
        self.tailEffectiveSampleSize = ConvergenceDiagnostics.tailEffectiveSampleSize(chains)
        self.rHat = ConvergenceDiagnostics.rankNormalizedSplitRHat(chains)
    }

    /// Summaries of every coordinate of several chains of the same sampler.
    public static func table(_ chains: [MarkovChain], names: [String]? = nil) -> [ChainSummary] {
        guard let dimension = chains.first?.dimension else { return [] }
        return (0..<dimension).map { index in
            ChainSummary(name: names?[index] ?? "x[\(index)]", chains: chains.map { $0.coordinate(index) })
        }
    }

    /// Formats rows like `arviz.summary`'s table.
    public static func format(_ rows: [ChainSummary]) -> String {
        func cell(_ value: Double, _ width: Int, _ digits: Int) -> String {
            let text = String(format: "%.\(digits)f", value)
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        let nameWidth = max(8, rows.map(\.name.count).max() ?? 0)
        var lines = [
            "name".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + "      mean        sd    hdi_3%   hdi_97%      q_3%     q_97%  mcse_mean  ess_bulk  ess_tail  r_hat"
        ]
        for row in rows {
            lines.append(
                row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + cell(row.mean, 10, 3)
                    + cell(row.standardDeviation, 10, 3) + cell(row.hdiLower, 10, 3) + cell(row.hdiUpper, 10, 3)
                    + cell(row.lowerQuantile, 10, 3)
                    + cell(row.upperQuantile, 10, 3) + cell(row.monteCarloStandardError, 11, 3)
                    + cell(row.bulkEffectiveSampleSize, 10, 0) + cell(row.tailEffectiveSampleSize, 10, 0)
                    + cell(row.rHat, 7, 2))
        }
        return lines.joined(separator: "\n")
    }
}
