import Foundation
import MontagueSupport

/// One source/target pair of untokenized text, with the place it was read from (for messages).
public struct Seq2SeqTextPair: Sendable, Equatable {
    /// Source text.
    public var source: String
    /// Target text.
    public var target: String
    /// Where the pair starts (the source side's line for aligned files).
    public var location: SourceLocation
    /// The example's group, read from a third TSV column when one is chosen (COGS's generalization category,
    /// Kim & Linzen 2020); `nil` otherwise.
    public var group: String?

    /// A pair.
    public init(source: String, target: String, location: SourceLocation, group: String? = nil) {
        self.source = source
        self.target = target
        self.location = location
        self.group = group
    }
}

/// Which tab-separated columns of a TSV file hold the source, the target and, optionally, the example's group
/// (1-based, as `cut -f` counts). COGS ships `source<TAB>target<TAB>category` (Kim & Linzen 2020), so its pairs are
/// columns 1 and 2 and its categories column 3; further columns are ignored.
public struct TSVColumns: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The source column.
    public var source: Int
    /// The target column.
    public var target: Int
    /// The group column, or `nil`.
    public var group: Int?

    /// Source in column 1, target in column 2, no group.
    public static let standard = TSVColumns(source: 1, target: 2)

    /// Columns `source`, `target` and `group`: positive and pairwise different.
    public init(source: Int, target: Int, group: Int? = nil) {
        precondition(
            Self.problem(source: source, target: target, group: group) == nil,
            "TSVColumns: \(Self.problem(source: source, target: target, group: group) ?? "")")
        self.source = source
        self.target = target
        self.group = group
    }

    /// `S,T` (source and target columns, e.g. `1,2`), or `nil` when it is not two different positive numbers.
    public init?(_ text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let source = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let target = Int(parts[1].trimmingCharacters(in: .whitespaces)),
            Self.problem(source: source, target: target, group: nil) == nil
        else { return nil }
        self.init(source: source, target: target)
    }

    /// Why `source`, `target` and `group` are not a valid choice of columns, or `nil` when they are.
    public static func problem(source: Int, target: Int, group: Int?) -> String? {
        if source < 1 || target < 1 || (group ?? 1) < 1 { return "columns are counted from 1" }
        if source == target { return "the source and the target column must differ" }
        if let group, group == source || group == target {
            return "the group column must differ from the source and the target column"
        }
        return nil
    }

    /// These columns with `group` as the group column.
    ///
    /// - Throws: ``InputError`` (unlocated) when `group` is not positive or is the source or target column.
    public func grouped(by group: Int?) throws(InputError) -> TSVColumns {
        if let problem = Self.problem(source: source, target: target, group: group) { throw InputError(problem) }
        return TSVColumns(source: source, target: target, group: group)
    }

    /// How many columns a line needs.
    public var required: Int { Swift.max(source, target, group ?? 0) }

    /// `S,T`, as ``init(_:)`` reads it.
    public var description: String { "\(source),\(target)" }
}

/// The layouts of parallel (source/target) data that `montague train seq2seq` reads.
public enum Seq2SeqParallelFormat: String, Sendable, Equatable, CaseIterable, Codable {
    /// `IN: <source> OUT: <target>` lines (SCAN, Lake & Baroni 2018).
    case scan
    /// `source<TAB>target` lines (further columns allowed; ``TSVColumns`` chooses which).
    case tsv
    /// Two files with one sentence a line, line i of one the translation of line i of the other.
    case aligned
    /// A TMX translation memory (read by the Corpus module's TMX profile).
    case tmx

    /// The format a file name suggests: `.tsv` → TSV, `.tmx` (also compressed) → TMX, anything else → SCAN.
    public static func guess(path: String) -> Seq2SeqParallelFormat {
        var name = (path as NSString).lastPathComponent.lowercased()
        for suffix in [".gz", ".xz", ".bz2"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        if name.hasSuffix(".tsv") { return .tsv }
        if name.hasSuffix(".tmx") { return .tmx }
        return .scan
    }
}

/// Readers of parallel text for sequence-to-sequence training: SCAN lines, tab-separated pairs and two aligned
/// files. Every problem is an ``InputError`` located at its file, line and (where it helps) column.
public enum Seq2SeqParallelText {
    /// The contents of `path` as UTF-8 text.
    ///
    /// - Throws: ``InputError`` when the file cannot be read or is not UTF-8 (located at the first bad line).
    public static func read(path: String) throws(InputError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the file", at: SourceLocation(file: path))
        }
        return try decode(data, path: path)
    }

    /// `data` as UTF-8 text; `path` names it in errors.
    public static func decode(_ data: Data, path: String) throws(InputError) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        var line = 1
        for chunk in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if String(data: Data(chunk), encoding: .utf8) == nil { break }
            line += 1
        }
        throw InputError("not valid UTF-8 text", at: SourceLocation(file: path, line: line))
    }

    /// The lines of `text`, split at `\n` and `\r\n` (one `Character` in Swift); a final line break ends the last
    /// line.
    static func lines(_ text: String) -> [Substring] {
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// The pairs of SCAN-format `text` as text (tokens joined by single spaces).
    ///
    /// - Throws: ``InputError`` at a line that is not `IN: … OUT: …`, or when there is no pair.
    public static func parseSCAN(_ text: String, path: String) throws(InputError) -> [Seq2SeqTextPair] {
        var pairs: [Seq2SeqTextPair] = []
        for (index, rawLine) in lines(text).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let location = SourceLocation(file: path, line: index + 1)
            guard line.hasPrefix("IN:"), let out = line.range(of: " OUT:") else {
                throw InputError("expected 'IN: <source tokens> OUT: <target tokens>'", at: location)
            }
            let source = line[line.index(line.startIndex, offsetBy: 3)..<out.lowerBound].split(separator: " ")
            let target = line[out.upperBound...].split(separator: " ")
            guard !source.isEmpty, !target.isEmpty else {
                throw InputError("a side of 'IN: … OUT: …' is empty", at: location)
            }
            pairs.append(
                Seq2SeqTextPair(
                    source: source.joined(separator: " "), target: target.joined(separator: " "), location: location))
        }
        guard !pairs.isEmpty else { throw InputError("no 'IN: … OUT: …' lines", at: SourceLocation(file: path)) }
        return pairs
    }

    /// The pairs of tab-separated `text`: each non-blank line has at least ``TSVColumns/required`` columns; the
    /// source and target columns (default the first two) are nonempty, as is the group column when one is
    /// chosen; other columns are ignored.
    ///
    /// - Throws: ``InputError`` at the line and column of a missing tab or an empty chosen column, or when there
    ///   is no pair.
    public static func parseTSV(_ text: String, path: String, columns: TSVColumns = .standard) throws(InputError)
        -> [Seq2SeqTextPair]
    {
        var pairs: [Seq2SeqTextPair] = []
        for (index, line) in lines(text).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            func at(_ column: Int) -> SourceLocation { SourceLocation(file: path, line: index + 1, column: column) }
            guard fields.count >= 2 else {
                throw InputError(
                    "expected 'source<TAB>target', found no tab", at: at(line.unicodeScalars.count + 1))
            }
            guard fields.count >= columns.required else {
                let chosen =
                    "source \(columns.source), target \(columns.target)"
                    + (columns.group.map { ", group \($0)" } ?? "")
                throw InputError(
                    "expected at least \(columns.required) tab-separated columns (\(chosen)), found \(fields.count)",
                    at: at(line.unicodeScalars.count + 1))
            }
            // The text column where field k (1-based) starts.
            func start(_ k: Int) -> Int { fields[..<(k - 1)].reduce(1) { $0 + $1.unicodeScalars.count + 1 } }
            func field(_ k: Int, _ name: String) throws(InputError) -> String {
                let value = fields[k - 1].trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty else { throw InputError("the \(name) column (\(k)) is empty", at: at(start(k))) }
                return value
            }
            let source = try field(columns.source, "source")
            let target = try field(columns.target, "target")
            var group: String?
            if let column = columns.group { group = try field(column, "group") }
            pairs.append(Seq2SeqTextPair(source: source, target: target, location: at(1), group: group))
        }
        guard !pairs.isEmpty else { throw InputError("no tab-separated pairs", at: SourceLocation(file: path)) }
        return pairs
    }

    /// The pairs of two line-aligned texts: line i of `source` with line i of `target`; lines blank on both
    /// sides are skipped.
    ///
    /// - Throws: ``InputError`` located at the first line that has no partner (the files differ in length) or
    ///   that is blank on one side only, or when there is no pair.
    public static func parseAligned(source: String, sourcePath: String, target: String, targetPath: String)
        throws(InputError) -> [Seq2SeqTextPair]
    {
        let sourceLines = lines(source)
        let targetLines = lines(target)
        if sourceLines.count != targetLines.count {
            let (longer, longerCount, shorter, shorterCount) =
                sourceLines.count > targetLines.count
                ? (sourcePath, sourceLines.count, targetPath, targetLines.count)
                : (targetPath, targetLines.count, sourcePath, sourceLines.count)
            throw InputError(
                "this line has no partner: \(longer) has \(longerCount) lines but \(shorter) has \(shorterCount) "
                    + "(aligned files need one line per pair)",
                at: SourceLocation(file: longer, line: shorterCount + 1))
        }
        var pairs: [Seq2SeqTextPair] = []
        for (index, (sourceLine, targetLine)) in zip(sourceLines, targetLines).enumerated() {
            let s = sourceLine.trimmingCharacters(in: .whitespaces)
            let t = targetLine.trimmingCharacters(in: .whitespaces)
            if s.isEmpty && t.isEmpty { continue }
            guard !s.isEmpty, !t.isEmpty else {
                let (blank, other) = s.isEmpty ? (sourcePath, targetPath) : (targetPath, sourcePath)
                throw InputError(
                    "the line is blank here but not in \(other) (misaligned files?)",
                    at: SourceLocation(file: blank, line: index + 1))
            }
            pairs.append(
                Seq2SeqTextPair(source: s, target: t, location: SourceLocation(file: sourcePath, line: index + 1)))
        }
        guard !pairs.isEmpty else {
            throw InputError("no pairs (every line is blank)", at: SourceLocation(file: sourcePath))
        }
        return pairs
    }
}
