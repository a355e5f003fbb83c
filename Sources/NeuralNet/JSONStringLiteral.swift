/// JSON string literals for the JSON this module writes by hand (safetensors headers, JSONL metrics records).
///
/// Escapes as RFC 8259 §7 allows and as serde_json (the safetensors reference writer) does: `"` `\` and the short
/// escapes `\n \r \t \b \f`, other control characters as `\u00XX`, everything else verbatim — so headers are
/// byte-identical to the reference writer's.
enum JSONStringLiteral {
    /// `text` as a quoted, escaped JSON string.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
