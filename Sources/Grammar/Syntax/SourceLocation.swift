/// A position in a grammar file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as given by the user (or a label such as `<string>`).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number.
    public var column: Int

    /// A location in `file` at `line`:`column`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the prefix compilers print before a diagnostic.
    public var description: String { "\(file):\(line):\(column)" }
}

/// An error in a user-supplied grammar, model or sentence, printed as `file:line:column: error: message`.
///
/// Parse errors, type errors, unknown names and evaluation errors on user data are all reported this way; a grammar
/// never makes the tool crash.
public struct GrammarError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong, in one line.
    public var message: String
    /// The offending source line, when known (printed under the message with a caret).
    public var sourceLine: String?

    /// An error at `location` with `message`.
    public init(_ message: String, at location: SourceLocation, sourceLine: String? = nil) {
        self.location = location
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `file:line:column: error: message`, followed by the source line and a caret when known.
    public var description: String {
        var text = "\(location): error: \(Self.quoted(message))"
        if let sourceLine {
            // Long lines are cut to a window around the column; invisible characters are shown escaped.
            let scalars = Array(sourceLine.unicodeScalars)
            let column = max(0, location.column - 1)
            let width = 120
            let start = scalars.count > width ? max(0, min(column - width / 2, scalars.count - width)) : 0
            let end = min(scalars.count, start + width)
            var shown = start > 0 ? "…" : ""
            var caret = start > 0 ? 1 : 0
            for (i, scalar) in scalars[start..<end].enumerated() {
                let piece = Self.visible(scalar)
                shown += piece
                if start + i < column { caret += piece.unicodeScalars.count }
            }
            if end < scalars.count { shown += "…" }
            text += "\n" + shown + "\n" + String(repeating: " ", count: caret) + "^"
        }
        return text
    }

    /// A scalar as printed in a diagnostic: control, format and other invisible characters (NUL, BOM, zero-width
    /// space, …) as `\u{…}`, tabs as one space so the caret stays aligned.
    static func visible(_ scalar: Unicode.Scalar) -> String {
        if scalar == "\t" { return " " }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .surrogate, .privateUse:
            return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default:
            return String(scalar)
        }
    }

    /// `text` with invisible characters escaped as `\u{…}`, for quoting user input in messages.
    public static func quoted(_ text: String) -> String {
        text.unicodeScalars.map { visible($0) }.joined()
    }
}

/// Several grammar errors found in one pass (the parser and type checker keep going after the first).
public struct GrammarErrors: Error, Sendable, CustomStringConvertible {
    /// The errors in source order.
    public var errors: [GrammarError]

    /// Wraps `errors` (at least one).
    public init(_ errors: [GrammarError]) { self.errors = errors }

    /// One diagnostic per line group.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
