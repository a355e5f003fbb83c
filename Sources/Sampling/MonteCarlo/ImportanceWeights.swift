import Foundation

/// The weight arithmetic shared by ``ImportanceSample`` and ``MultivariateImportanceSample``.
///
/// Weights `wᵢ = exp(log wᵢ)` are scaled by `exp(−max log w)` for stability; every estimate below undoes the scale
/// exactly where it matters (plain estimate, normalizing constant) and cancels it where it does not (ratios).
struct ImportanceWeights {
    /// `wᵢ · exp(−logScale)`.
    let scaled: [Double]
    /// `max log wᵢ` (0 when there are no weights).
    let logScale: Double

    init(logWeights: [Double]) {
        let maximum = logWeights.max() ?? 0
        scaled = logWeights.map { exp($0 - maximum) }
        logScale = maximum
    }

    /// `(1/N) Σ wᵢ fᵢ` where `value(i)` is `fᵢ`.
    func plainEstimate(_ value: (Int) -> Double) -> Double {
        var total = 0.0
        for (index, weight) in scaled.enumerated() { total += weight * value(index) }
        return total * exp(logScale) / Double(scaled.count)
    }

    /// `Σ wᵢ fᵢ / Σ wᵢ` where `value(i)` is `fᵢ`.
    func selfNormalizedEstimate(_ value: (Int) -> Double) -> Double {
        var numerator = 0.0
        var denominator = 0.0
        for (index, weight) in scaled.enumerated() {
            numerator += weight * value(index)
            denominator += weight
        }
        return numerator / denominator
    }

    /// `(1/N) Σ wᵢ`.
    var normalizingConstant: Double {
        var total = 0.0
        for weight in scaled { total += weight }
        return total * exp(logScale) / Double(scaled.count)
    }

    /// Kish's effective sample size `(Σ wᵢ)² / Σ wᵢ²`.
    var effectiveSampleSize: Double {
        var sum = 0.0
        var sumOfSquares = 0.0
        for weight in scaled {
            sum += weight
            sumOfSquares += weight * weight
        }
        return sum * sum / sumOfSquares
    }
}
