import MontagueSupport

/// Escaping of text placed in SVG (XML) documents.
public enum SVGText {
    /// `text` with the five XML special characters replaced by entities (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
    /// `&apos;`), and control characters other than tab, newline and carriage return (not allowed in XML 1.0,
    /// §2.2) replaced by U+FFFD, so any metric or series name is safe in element content and attribute values.
    ///
    /// The same escaping as `Escaping.xml(_:replacingInvalidWith:)` with U+FFFD as the replacement.
    public static func escaped(_ text: String) -> String {
        Escaping.xml(text, replacingInvalidWith: "\u{FFFD}")
    }
}
