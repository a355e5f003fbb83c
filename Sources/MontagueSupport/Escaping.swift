/// Escapers for the text formats Montague writes: JSON strings, XML/SVG text and attributes, and a visible form of
/// user text for error messages.
public enum Escaping {
    /// `text` as a JSON string literal, quotes included (RFC 8259: `"` `\` and control characters escaped).
    public static func jsonString(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    result += "\\u" + hex4(scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// `text` safe inside XML (and SVG) character data and double-quoted attribute values: `& < > " '` become
    /// entity references; characters XML 1.0 forbids (C0 controls other than tab, newline, carriage return, and
    /// U+FFFE, U+FFFF; XML 1.0 §2.2) are dropped, or replaced by `replacement` when one is given (U+FFFD shows a
    /// reader that something was there).
    ///
    /// - Complexity: O(*n*) in the length of `text`.
    public static func xml(_ text: String, replacingInvalidWith replacement: Unicode.Scalar? = nil) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    if let replacement { result.unicodeScalars.append(replacement) }
                    continue
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` with invisible and control characters shown as `\u{…}` escapes (BOM, NUL, zero-width and bidi
    /// controls, C0/C1 controls), so an error message quoting user input shows what is really there.
    public static func visible(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x20 || (0x7F...0x9F).contains(value) { return true }
        switch value {
        case 0xFEFF, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFFFE, 0xFFFF: return true
        default: return false
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
