/// A position in a user's file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The file's path as the user gave it (or a name such as `<stdin>`).
    public var file: String
    /// 1-based line, or nil when unknown.
    public var line: Int?
    /// 1-based column, or nil when unknown.
    public var column: Int?

    /// Makes a location.
    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, `file:line` or `file`, the form editors and compilers use.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }
}

/// An error in a user's input that knows where it is: printed as `file:line:column: error: message`.
///
/// Every module's input errors conform, so the command-line tool prints them all in one format and exits with
/// status 2.
public protocol LocatedError: Error, CustomStringConvertible {
    /// Where the problem is, when known.
    var location: SourceLocation? { get }
    /// What is wrong, without the location prefix.
    var message: String { get }
}

extension LocatedError {
    /// `file:line:column: error: message`, or `error: message` without a location.
    public var description: String {
        guard let location else { return "error: \(message)" }
        return "\(location): error: \(message)"
    }
}

/// A plain located input error, for places that need no error type of their own.
public struct InputError: LocatedError, Equatable, Sendable {
    /// Where the problem is, when known.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String

    /// Makes an error at `location`.
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}
