/// Escaping of text placed in SVG (XML) documents.
public enum SVGText {
    /// `text` with the five XML special characters replaced by entities (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
    /// `&apos;`), and control characters other than tab, newline and carriage return (not allowed in XML 1.0,
    /// §2.2) replaced by U+FFFD, so any metric or series name is safe in element content and attribute values.
    public static func escaped(_ text: String) -> String {
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
            case let c where c.value < 0x20 || (0xFFFE...0xFFFF).contains(c.value): result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
