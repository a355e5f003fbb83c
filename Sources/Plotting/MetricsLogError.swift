/// Problems reading a metrics log (JSON Lines) or selecting series from it, with the file and line when known.
public enum MetricsLogError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A line is not a JSON object.
    case invalidLine(path: String, line: Int, reason: String)
    /// A requested metric occurs in no record.
    case unknownMetric(path: String, name: String, available: [String])
    /// Nothing to plot: no record has both the x coordinate and a finite value of the selected metrics.
    case noData(path: String, x: String)

    /// `path:line: error: message`, as compilers print diagnostics.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): error: cannot read: \(reason)"
        case .invalidLine(let path, let line, let reason): "\(path):\(line): error: \(reason)"
        case .unknownMetric(let path, let name, let available):
            "\(path): error: no metric '\(name)' (available: \(available.joined(separator: ", ")))"
        case .noData(let path, let x): "\(path): error: no records with '\(x)' and a finite value to plot"
        }
    }
}
