/// Everything that keeps a checkpoint from fitting a model (or optimizer), reported together.
///
/// Loading checks every tensor before changing anything, so one error lists all mismatches — not just the first —
/// and the model is left untouched.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
    /// One reason the checkpoint does not fit.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The model (or optimizer) has a tensor the checkpoint lacks.
        case missing(name: String, expectedShape: [Int])
        /// The checkpoint has a tensor the model (or optimizer) does not.
        case unexpected(name: String, shape: [Int])
        /// Both have the tensor, with different shapes.
        case shapeMismatch(name: String, expected: [Int], found: [Int])
        /// The tensor is stored with an element type other than F32.
        case unsupportedDType(name: String, dtype: String)
        /// The checkpoint's optimizer state was written by another kind of optimizer.
        case optimizerKindMismatch(expected: String, found: String)
        /// An optimizer was given but the checkpoint holds no optimizer state.
        case missingOptimizerState(expected: String)
        /// A metadata entry the checkpoint needs is absent or malformed.
        case invalidMetadata(key: String, value: String?)

        /// A one-line explanation.
        public var description: String {
            switch self {
            case .missing(let name, let shape):
                "missing tensor '\(name)' (expected shape \(shape))"
            case .unexpected(let name, let shape):
                "unexpected tensor '\(name)' of shape \(shape)"
            case .shapeMismatch(let name, let expected, let found):
                "tensor '\(name)' has shape \(found), expected \(expected)"
            case .unsupportedDType(let name, let dtype):
                "tensor '\(name)' has dtype \(dtype), expected F32"
            case .optimizerKindMismatch(let expected, let found):
                "optimizer state was saved by \(found), loading into \(expected)"
            case .missingOptimizerState(let expected):
                "checkpoint holds no optimizer state for \(expected)"
            case .invalidMetadata(let key, let value):
                value.map { "metadata '\(key)' has invalid value '\($0)'" } ?? "metadata '\(key)' is missing"
            }
        }
    }

    /// Every problem found, in a deterministic order (by kind of check, then by name).
    public let problems: [Problem]

    /// Creates an error listing `problems`.
    public init(problems: [Problem]) { self.problems = problems }

    /// All problems, one per line.
    public var description: String {
        "checkpoint does not fit (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }

    /// Compares the expected tensor layout with the one found: missing, then unexpected, then shape mismatches,
    /// each sorted by name.
    static func layoutProblems(expected: [String: [Int]], found: [String: [Int]]) -> [Problem] {
        var problems: [Problem] = []
        for name in expected.keys.sorted() where found[name] == nil {
            problems.append(.missing(name: name, expectedShape: expected[name] ?? []))
        }
        for name in found.keys.sorted() where expected[name] == nil {
            problems.append(.unexpected(name: name, shape: found[name] ?? []))
        }
        for name in expected.keys.sorted() {
            if let want = expected[name], let have = found[name], want != have {
                problems.append(.shapeMismatch(name: name, expected: want, found: have))
            }
        }
        return problems
    }
}
