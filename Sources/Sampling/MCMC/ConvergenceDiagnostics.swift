import Foundation

/// Effective sample size, split R-hat and Monte Carlo standard error computed as ArviZ (`arviz.ess`, `arviz.rhat`,
/// `arviz.mcse`) and Stan define them (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, "Rank-normalization,
/// folding, and localization: an improved R-hat for assessing convergence of MCMC").
///
/// Input: `m` chains of equal length `n`, one array per chain, for one scalar quantity.
public enum ConvergenceDiagnostics {
    /// Splits each chain into its first and last `⌊n/2⌋` draws (ArviZ `_split_chains`).
    public static func splitChains(_ chains: [[Double]]) -> [[Double]] {
        chains.flatMap { chain -> [[Double]] in
            let half = chain.count / 2
            return [Array(chain[0..<half]), Array(chain[(chain.count - half)...])]
        }
    }

    /// Rank-normalizes all draws jointly: `Φ⁻¹((r − 3/8)/(N + 1/4))` with average ranks for ties (ArviZ `_z_scale`).
    public static func rankNormalized(_ chains: [[Double]]) -> [[Double]] {
        let flat = chains.flatMap { $0 }
        let order = flat.indices.sorted { flat[$0] < flat[$1] }
        var ranks = [Double](repeating: 0, count: flat.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && flat[order[end + 1]] == flat[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            start = end + 1
        }
        let size = Double(flat.count)
        var offset = 0
        return chains.map { chain in
            defer { offset += chain.count }
            return (0..<chain.count).map {
                SpecialFunctions.normalQuantile((ranks[offset + $0] - 0.375) / (size + 0.25))
            }
        }
    }

    /// ESS of the given chains without splitting or rank-normalizing (ArviZ `_ess`): Geyer's initial positive
    /// sequence truncation of the multi-chain autocorrelation estimate, then the initial monotone sequence,
    /// `ESS = m n / τ̂` with `τ̂ = −1 + 2 Σ ρ̂ₜ`.
    public static func rawEffectiveSampleSize(_ chains: [[Double]]) -> Double {
        let chainCount = chains.count
        precondition(chainCount > 0, "ConvergenceDiagnostics: no chains")
        let n = chains[0].count
        precondition(
            n >= 4 && chains.allSatisfy { $0.count == n }, "ConvergenceDiagnostics: chains need equal length ≥ 4")
        let flat = chains.flatMap { $0 }
        if let low = flat.min(), let high = flat.max(), high - low < 1e-15 { return Double(flat.count) }
        let autocovariances = chains.map(Autocorrelation.autocovariance)
        let chainMeans = chains.map { $0.reduce(0.0) { $0 + $1 } / Double(n) }
        func meanAutocovariance(_ lag: Int) -> Double {
            var total = 0.0
            for acov in autocovariances { total += acov[lag] }
            return total / Double(chainCount)
        }
        let nDouble = Double(n)
        let meanVariance = meanAutocovariance(0) * nDouble / (nDouble - 1)
        var varPlus = meanVariance * (nDouble - 1) / nDouble
        if chainCount > 1 { varPlus += sampleVariance(chainMeans) }
        var rho = [Double](repeating: 0, count: n)
        var rhoEven = 1.0
        rho[0] = rhoEven
        var rhoOdd = 1 - (meanVariance - meanAutocovariance(1)) / varPlus
        rho[1] = rhoOdd
        var t = 1
        while t < n - 3 && rhoEven + rhoOdd > 0 {
            rhoEven = 1 - (meanVariance - meanAutocovariance(t + 1)) / varPlus
            rhoOdd = 1 - (meanVariance - meanAutocovariance(t + 2)) / varPlus
            if rhoEven + rhoOdd >= 0 {
                rho[t + 1] = rhoEven
                rho[t + 2] = rhoOdd
            }
            t += 2
        }
        let maxT = t - 2
        if rhoEven > 0 { rho[maxT + 1] = rhoEven }
        t = 1
        while t <= maxT - 2 {
            if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t] {
                rho[t + 1] = (rho[t - 1] + rho[t]) / 2
                rho[t + 2] = rho[t + 1]
            }
            t += 2
        }
        let total = Double(chainCount * n)
        var sum = 0.0
        for lag in 0...maxT { sum += rho[lag] }
        var tau = -1 + 2 * sum + rho[maxT + 1]
        tau = max(tau, 1 / log10(total))
        return total / tau
    }

    /// Bulk ESS: the ESS of the rank-normalized split chains (ArviZ `ess(method="bulk")`).
    public static func bulkEffectiveSampleSize(_ chains: [[Double]]) -> Double {
        rawEffectiveSampleSize(rankNormalized(splitChains(chains)))
    }

    /// Mean ESS: the ESS of the split chains (ArviZ `ess(method="mean")`), the one MCSE of the mean uses.
    public static func meanEffectiveSampleSize(_ chains: [[Double]]) -> Double {
        rawEffectiveSampleSize(splitChains(chains))
    }

    /// Tail ESS: the smaller ESS of the indicators `x ≤ q₀.₀₅` and `x ≤ q₀.₉₅` over split chains (ArviZ `ess_tail`).
    public static func tailEffectiveSampleSize(_ chains: [[Double]]) -> Double {
        let sorted = chains.flatMap { $0 }.sorted()
        func ess(at probability: Double) -> Double {
            let quantile = sorted[min(sorted.count - 1, Int(probability * Double(sorted.count - 1)))]
            return rawEffectiveSampleSize(splitChains(chains.map { $0.map { $0 <= quantile ? 1 : 0 } }))
        }
        return min(ess(at: 0.05), ess(at: 0.95))
    }

    /// Split R-hat without rank normalization (Gelman et al., BDA3 §11.4): `√(((n−1)/n W + B/n)/W)` on split chains.
    public static func splitRHat(_ chains: [[Double]]) -> Double { potentialScaleReduction(splitChains(chains)) }

    /// Rank-normalized split R-hat: the maximum of the bulk (rank-normalized) and tail (folded around the median)
    /// versions (ArviZ `rhat(method="rank")`, Vehtari et al. 2021); the fold is around the median of the split draws.
    public static func rankNormalizedSplitRHat(_ chains: [[Double]]) -> Double {
        let split = splitChains(chains)
        let bulk = potentialScaleReduction(rankNormalized(split))
        let sorted = split.flatMap { $0 }.sorted()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let folded = split.map { $0.map { abs($0 - median) } }
        let tail = potentialScaleReduction(rankNormalized(folded))
        return max(bulk, tail)
    }

    /// The highest-density interval holding `probability` of the draws (ArviZ `hdi` for unimodal draws, Chen &
    /// Shao 1999): over sorted draws `s`, with `w = ⌊p n⌋`, the narrowest `[sᵢ, sᵢ₊w]` (the first when tied).
    public static func highestDensityInterval(_ values: [Double], probability: Double = 0.94)
        -> (lower: Double, upper: Double)
    {
        precondition(
            probability > 0 && probability < 1 && !values.isEmpty,
            "ConvergenceDiagnostics.highestDensityInterval: probability \(probability), \(values.count) values")
        let sorted = values.sorted()
        let width = Int((probability * Double(sorted.count)).rounded(.down))
        precondition(width < sorted.count, "ConvergenceDiagnostics.highestDensityInterval: too few values")
        var best = 0
        for start in 0..<(sorted.count - width)
        where sorted[start + width] - sorted[start] < sorted[best + width] - sorted[best] {
            best = start
        }
        return (sorted[best], sorted[best + width])
    }

    /// `√((B/W + n − 1)/n)` with `B = n Var(chain means)`, `W = mean of chain variances` (ArviZ `_rhat`).
    public static func potentialScaleReduction(_ chains: [[Double]]) -> Double {
        let n = Double(chains[0].count)
        let means = chains.map { $0.reduce(0.0) { $0 + $1 } / n }
        let within = chains.map(sampleVariance).reduce(0.0) { $0 + $1 } / Double(chains.count)
        let between = n * sampleVariance(means)
        return ((between / within + n - 1) / n).squareRoot()
    }

    /// Monte Carlo standard error of the mean: `sd / √ESS_mean` (ArviZ `mcse(method="mean")`).
    public static func monteCarloStandardError(_ chains: [[Double]]) -> Double {
        sampleVariance(chains.flatMap { $0 }).squareRoot() / meanEffectiveSampleSize(chains).squareRoot()
    }

    /// The unbiased variance (`ddof = 1`).
    public static func sampleVariance(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        var mean = 0.0
        for value in values { mean += value }
        mean /= Double(values.count)
        var total = 0.0
        for value in values { total += (value - mean) * (value - mean) }
        return total / Double(values.count - 1)
    }
}
