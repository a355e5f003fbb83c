import Foundation

/// Inverses of the regularized incomplete gamma and beta functions, the quantile functions of `Gamma` and `Beta`
/// (inverse-transform sampling, Devroye 1986, §II.2). Numeric inversion: a starting point from the leading tail terms
/// (`P(a, x) ≈ xᵃ/Γ(a + 1)`, `I_x(a, b) ≈ xᵃ/(a B(a, b))`) or the Wilson–Hilferty approximation, a bracket grown
/// geometrically until it holds `p`, then Newton steps on `F(x) − p` with the density as derivative, replaced by a
/// bisection (geometric when the bracket spans orders of magnitude) whenever a step leaves the bracket
/// (Numerical Recipes, 3rd ed., §6.2.1 and §6.4.1, made safe by bracketing).
extension SpecialFunctions {
    /// `x` with `P(a, x) = p`, for `a > 0`, `p ∈ (0, 1)` (SciPy `gammaincinv`).
    public static func inverseRegularizedLowerGamma(_ a: Double, _ p: Double) -> Double {
        precondition(a > 0 && p > 0 && p < 1, "SpecialFunctions.inverseRegularizedLowerGamma: a = \(a), p = \(p)")
        let logGammaA: Double = lgamma(a)
        let logGammaAPlusOne: Double = lgamma(a + 1)
        var guess: Double
        let smallTail = exp((log(p) + logGammaAPlusOne) / a)
        if smallTail < 0.5 * a || a < 1 {
            guess = smallTail
        } else {
            let z = normalQuantile(p)
            let cube = 1 - 1 / (9 * a) + z / (3 * a.squareRoot())
            guess = cube > 0 ? a * cube * cube * cube : smallTail
        }
        if !(guess > 0) || !guess.isFinite { guess = a }
        return invertIncreasing(
            p, guess: guess, upperLimit: .infinity, cdf: { regularizedLowerGamma(a, $0) },
            density: { x in exp((a - 1) * log(x) - x - logGammaA) })
    }

    /// `x` with `I_x(a, b) = p`, for `a, b > 0`, `p ∈ (0, 1)` (SciPy `betaincinv`).
    public static func inverseRegularizedIncompleteBeta(_ a: Double, _ b: Double, _ p: Double) -> Double {
        precondition(
            a > 0 && b > 0 && p > 0 && p < 1,
            "SpecialFunctions.inverseRegularizedIncompleteBeta: a = \(a), b = \(b), p = \(p)"
        )
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let mean = a / (a + b)
        let lowerTail = exp((log(p) + log(a) + logBeta) / a)
        let upperTail = 1 - exp((log1p(-p) + log(b) + logBeta) / b)
        var guess = mean
        if lowerTail < mean { guess = lowerTail } else if upperTail > mean { guess = upperTail }
        if !(guess > 0 && guess < 1) { guess = mean }
        return invertIncreasing(
            p, guess: guess, upperLimit: 1, cdf: { regularizedIncompleteBeta($0, a, b) },
            density: { x in exp((a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta) })
    }

    /// Solves `cdf(x) = p` for an increasing `cdf` on `(0, upperLimit)` by bracketed, safeguarded Newton.
    static func invertIncreasing(
        _ p: Double, guess: Double, upperLimit: Double, cdf: (Double) -> Double, density: (Double) -> Double
    ) -> Double {
        var low = guess
        var value = cdf(low)
        while value > p && low > Double.leastNormalMagnitude {
            low /= 4
            value = cdf(low)
        }
        if value > p { return low }
        var high = guess
        while cdf(high) < p {
            high = upperLimit.isFinite ? upperLimit - (upperLimit - high) / 4 : high * 2
            if high >= upperLimit { return high }
        }
        var x = min(max(guess, low), high)
        for _ in 0..<400 {
            let difference = cdf(x) - p
            if difference == 0 { return x }
            if difference < 0 { low = x } else { high = x }
            let slope = density(x)
            var next = x - difference / slope
            if !(next > low && next < high) || !slope.isFinite || slope <= 0 {
                next = high / low > 4 ? (low * high).squareRoot() : 0.5 * (low + high)
            }
            // Converged when the step is below 1e-15 of the distance to the nearer end of the domain (so quantiles
            // near 1 of `Beta` keep their relative accuracy in `1 − x`), or the bracket holds no double between.
            let scale = min(abs(next), upperLimit - next)
            if abs(next - x) <= 1e-15 * scale || high <= low.nextUp { return next }
            x = next
        }
        return x
    }
}
