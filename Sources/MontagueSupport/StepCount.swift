/// A positive whole number of steps (environment steps, updates, tokens) written as `50000`, `100_000`, `50k`,
/// `1.5m`, `2e3` or `1b`: the budgets of training commands, next to ``WallClockBudget`` for time.
///
/// Grammar (case-insensitive, surrounding spaces ignored):
///
/// ```
/// count  := number suffix?
/// number := digits ("." digits)? (("e") ("+" | "-")? digits)?     -- `_` may separate digits
/// suffix := "k" (×10³) | "m" (×10⁶) | "b" (×10⁹)
/// ```
///
/// The value must be a whole number, at least 1 and below 10¹². Anything else (signs, `0x` hexadecimal, `inf`,
/// `nan`, fractions such as `1.2345k`, an empty number) is rejected, so a typo never becomes a silent budget.
public struct StepCount: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The count.
    public var value: Int

    /// A count of `value` (a programmer's value: must be positive).
    public init(_ value: Int) {
        precondition(value > 0, "StepCount: the count must be positive, got \(value)")
        self.value = value
    }

    /// The count in the shortest form this parser reads back: `100k`, `1500000`, `2m`.
    public var description: String {
        for (suffix, scale) in [("b", 1_000_000_000), ("m", 1_000_000), ("k", 1_000)]
        where value % scale == 0 {
            return "\(value / scale)\(suffix)"
        }
        return String(value)
    }

    /// Parses a count (see the type's grammar); nil when malformed, fractional, not positive or ≥ 10¹².
    public init?(_ text: String) {
        var body = Substring(text.trimmingCharacters(in: .whitespaces).lowercased())
        var scale = 1.0
        switch body.last {
        case "k": scale = 1e3
        case "m": scale = 1e6
        case "b": scale = 1e9
        default: break
        }
        if scale != 1 { body = body.dropLast() }
        guard let number = Self.decimalNumber(body) else { return nil }
        let scaled = number * scale
        guard scaled.isFinite, scaled >= 1, scaled < 1e12 else { return nil }
        let rounded = scaled.rounded()
        // Decimal fractions such as 1.5m are inexact in binary: accept what is within rounding of a whole number.
        guard abs(scaled - rounded) <= 1e-9 * rounded else { return nil }
        value = Int(rounded)
    }

    /// A plain decimal number (digits, optional fraction and exponent, `_` between digits), or nil.
    private static func decimalNumber(_ text: Substring) -> Double? {
        var digits = ""
        var previous: Character?
        var sawDigit = false
        var sawPoint = false
        var sawExponent = false
        var exponentDigits = false
        for character in text {
            defer { previous = character }
            // A separator sits between two digits.
            if previous == "_" && !("0"..."9").contains(character) { return nil }
            switch character {
            case "0"..."9":
                digits.append(character)
                if sawExponent { exponentDigits = true } else { sawDigit = true }
            case "_":
                guard let previous, previous.isASCII, previous.isNumber else { return nil }
            case "." where !sawPoint && !sawExponent:
                sawPoint = true
                digits.append(character)
            case "e" where sawDigit && !sawExponent:
                sawExponent = true
                digits.append(character)
            case "+", "-":
                guard previous == "e" else { return nil }
                digits.append(character)
            default:
                return nil
            }
        }
        guard sawDigit, !sawExponent || exponentDigits, previous != "_" else { return nil }
        return Double(digits)
    }
}
