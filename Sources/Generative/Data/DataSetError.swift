import MontagueSupport

/// A problem with a data file (points CSV, digits CSV, gzip stream), located where known.
public struct DataSetError: LocatedError, Equatable {
    /// The file, line and column concerned.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String

    /// An error at `path` (and `line`/`column` when known).
    public init(path: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        location = SourceLocation(file: path, line: line, column: column)
        self.message = message
    }
}
