/// An error in a corpus a user supplied (a file, a flag, a saved vocabulary), with its source position when known.
///
/// `description` follows the compiler convention `file:line:column: error: message`, so editors and terminals can
/// jump to the place; parts that are unknown are left out (`file: error: message`).
public struct CorpusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarsely; the message says exactly what.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The file is not well-formed XML (libxml2 stopped parsing it); the message is libxml2's.
        case notWellFormed
        /// The file could not be opened or read.
        case unreadable
        /// The file exceeds a safety limit of the reader (nesting depth, text length, entity or decompression
        /// amplification); the message names the limit and the option that raises it.
        case resourceLimit
        /// The XML is well-formed but does not have the shape the chosen profile needs.
        case unexpectedStructure
        /// A profile specification (element path, label spec, profile name) is invalid.
        case invalidSpecification
        /// A saved vocabulary or other Montague file is invalid.
        case invalidFile
        /// Writing an output file failed.
        case writeFailed
    }

    /// What went wrong, coarsely.
    public var kind: Kind
    /// The file concerned, as the user named it; nil for errors that concern no file (a bad flag).
    public var file: String?
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column, when known.
    public var column: Int?
    /// The message, without position and without a trailing newline.
    public var message: String

    /// Makes an error; `message` is trimmed of surrounding whitespace (libxml2's messages end in a newline).
    public init(_ kind: Kind, file: String? = nil, line: Int? = nil, column: Int? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line.flatMap { $0 > 0 ? $0 : nil }
        self.column = column.flatMap { $0 > 0 ? $0 : nil }
        self.message = message.trimmingWhitespace()
    }

    /// `file:line:column: error: message`, leaving out unknown parts.
    public var description: String { formatted(severity: "error") }

    /// `file:line:column: warning: message`: the form for diagnostics that do not stop the reading.
    public var warningDescription: String { formatted(severity: "warning") }

    private func formatted(severity: String) -> String {
        var position = ""
        if let file { position += file }
        if let line {
            position += (position.isEmpty ? "" : ":") + String(line)
            if let column { position += ":" + String(column) }
        }
        return position.isEmpty ? "\(severity): \(message)" : "\(position): \(severity): \(message)"
    }
}

extension String {
    /// The string without leading and trailing Unicode whitespace.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        return String(scalars[first...last])
    }
}
