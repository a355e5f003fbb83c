import Foundation

/// A wall-clock budget written `90s`, `45m`, `2h`, `1h30m` or as plain seconds.
public struct WallClockBudget: Equatable, Sendable, CustomStringConvertible {
    /// The budget in seconds.
    public var seconds: Double

    /// A budget of `seconds`.
    public init(seconds: Double) { self.seconds = seconds }

    /// `5400s`.
    public var description: String { "\(seconds)s" }

    /// Parses a budget; nil when malformed or not positive.
    public init?(_ text: String) {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(lowered) {
            guard plain > 0, plain.isFinite else { return nil }
            seconds = plain
            return
        }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in lowered {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
                continue
            }
            let scale: Double
            switch character {
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            case "d": scale = 86_400
            default: return nil
            }
            guard let value = Double(number), value.isFinite else { return nil }
            total += value * scale
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit, total > 0 else { return nil }
        seconds = total
    }
}
