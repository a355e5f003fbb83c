import Foundation

/// Tick positions for chart axes: "nice" round numbers on linear axes, powers of ten on logarithmic ones.
///
/// Linear ticks follow Heckbert, "Nice Numbers for Graph Labels" (Graphics Gems, 1990): the step is 1, 2, 5 or 10
/// times a power of ten, and the axis is widened to whole steps so the first and last ticks bound the data.
public enum AxisTicks {
    /// The ticks of a linear axis covering `lower...upper` with about `count` ticks (at least 2). The first tick
    /// is ≤ `lower` and the last ≥ `upper`. A degenerate range (`lower == upper`) is widened around the value.
    public static func linear(lower: Double, upper: Double, count: Int = 6) -> [Double] {
        precondition(
            lower.isFinite && upper.isFinite && lower <= upper, "AxisTicks.linear: bad range \(lower)…\(upper)")
        precondition(count >= 2, "AxisTicks.linear: count \(count) must be at least 2")
        var (low, high) = (lower, upper)
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let step = niceNumber((niceNumber(high - low, round: false)) / Double(count - 1), round: true)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        // Integer multiples of the step, so 0.1·3 prints as 0.3 and not 0.30000000000000004.
        return stride(from: first, through: last, by: 1).map { ($0 * step).roundedToStep(step) }
    }

    /// The ticks of a base-10 logarithmic axis covering `lower...upper` (both > 0): every power of ten from the
    /// one at or below `lower` to the one at or above `upper`, plus 2× and 5× when the range spans fewer than
    /// three decades. The first and last ticks are powers of ten.
    public static func logarithmic(lower: Double, upper: Double) -> [Double] {
        precondition(
            lower > 0 && upper.isFinite && lower <= upper, "AxisTicks.logarithmic: bad range \(lower)…\(upper)")
        var first = log10(lower).rounded(.down)
        var last = log10(upper).rounded(.up)
        if first == last { (first, last) = (first, first + 1) }
        let decades = Int(last - first)
        var ticks: [Double] = []
        for exponent in 0...decades {
            let power = pow(10, first + Double(exponent))
            ticks.append(power)
            if decades < 3 && exponent < decades { ticks += [2 * power, 5 * power] }
        }
        return ticks
    }

    /// A label for `value` on an axis whose ticks are `step` apart: as many decimals as the step needs, or
    /// scientific notation for very large or very small magnitudes.
    public static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-4 { return String(format: "%g", value) }
        let decimals = step > 0 ? max(0, Int((-log10(step)).rounded(.up))) : 0
        return String(format: "%.\(min(decimals, 10))f", value)
    }

    /// Heckbert's nice number near `value`: 1, 2, 5 or 10 times a power of ten (rounded or the ceiling).
    static func niceNumber(_ value: Double, round: Bool) -> Double {
        let exponent = log10(value).rounded(.down)
        let fraction = value / pow(10, exponent)
        let nice: Double =
            if round {
                fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
            } else {
                fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
            }
        return nice * pow(10, exponent)
    }
}

extension Double {
    /// The value with the floating-point noise of a multiple of `step` removed.
    fileprivate func roundedToStep(_ step: Double) -> Double {
        let decimals = max(0, Int((-log10(step)).rounded(.up)) + 1)
        let scale = pow(10, Double(min(decimals, 15)))
        return (self * scale).rounded() / scale
    }
}
