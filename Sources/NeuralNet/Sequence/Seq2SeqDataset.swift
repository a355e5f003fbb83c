import Foundation

/// One source/target pair of token strings.
public struct Seq2SeqExample: Sendable, Equatable {
    /// Source tokens (the command in SCAN).
    public let source: [String]
    /// Target tokens (the actions in SCAN).
    public let target: [String]

    /// A pair.
    public init(source: [String], target: [String]) {
        self.source = source
        self.target = target
    }
}

/// What can go wrong reading a data file of source/target pairs.
public enum Seq2SeqDatasetError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A line is not `IN: … OUT: …` with nonempty sides.
    case malformedLine(path: String, line: Int, text: String)
    /// The file has no pairs.
    case empty(path: String)

    /// `file:line: error: message`, as the CLI prints it.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): error: cannot read file: \(reason)"
        case .malformedLine(let path, let line, let text):
            "\(path):\(line): error: expected 'IN: <source tokens> OUT: <target tokens>', got '\(text)'"
        case .empty(let path): "\(path): error: no 'IN: … OUT: …' lines"
        }
    }
}

/// Reading SCAN-format files (Lake & Baroni 2018, "Generalization without systematicity", github.com/brendenlake/
/// SCAN): one pair per line, `IN: jump twice OUT: I_JUMP I_JUMP`, tokens separated by spaces; blank lines skipped.
public enum Seq2SeqDataset {
    /// The pairs of SCAN-format `text`; `path` names the source in errors.
    public static func parseSCAN(_ text: String, path: String = "<input>") throws(Seq2SeqDatasetError)
        -> [Seq2SeqExample]
    {
        var examples: [Seq2SeqExample] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            guard line.hasPrefix("IN:"), let outRange = line.range(of: " OUT:") else {
                throw .malformedLine(path: path, line: lineNumber, text: line)
            }
            let source = line[line.index(line.startIndex, offsetBy: 3)..<outRange.lowerBound]
                .split(separator: " ").map(String.init)
            let target = line[outRange.upperBound...].split(separator: " ").map(String.init)
            guard !source.isEmpty, !target.isEmpty else {
                throw .malformedLine(path: path, line: lineNumber, text: line)
            }
            examples.append(Seq2SeqExample(source: source, target: target))
        }
        guard !examples.isEmpty else { throw .empty(path: path) }
        return examples
    }

    /// The pairs of the SCAN-format file at `path`.
    public static func loadSCAN(path: String) throws(Seq2SeqDatasetError) -> [Seq2SeqExample] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parseSCAN(text, path: path)
    }
}
