import Autodiff
import MontagueSupport

/// A problem in a file of labelled rows, located at its line and column.
public struct LabelledRowsError: LocatedError, Equatable {
    /// Where.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String

    /// An error at `location`.
    public init(_ location: SourceLocation?, _ message: String) {
        self.location = location
        self.message = message
    }
}

/// Comma-separated rows of numbers whose last field is a target or `?`: the format of the UCI digits file
/// (64 pixels, then the class) and of the support/query files `montague predict` adapts on (rows with a target are
/// the support set, rows ending in `?` the queries). Blank lines and lines starting with `#` are skipped.
public enum LabelledRows {
    /// One row: its input values and its target (nil for `?`).
    public struct Row: Sendable, Equatable {
        /// The input values.
        public var values: [Float]
        /// The target, or nil for a query row.
        public var target: Float?
        /// The row's 1-based line.
        public var line: Int

        /// A row of `values` with `target` (nil for a query) read at `line`.
        public init(values: [Float], target: Float?, line: Int) {
            self.values = values
            self.target = target
            self.line = line
        }
    }

    /// Parses `text` (read from `path`, used in errors); every row must have `valuesPerRow` input values when
    /// given, else as many as the first row.
    public static func parse(_ text: String, path: String, valuesPerRow: Int? = nil) throws(LabelledRowsError) -> [Row]
    {
        var rows: [Row] = []
        var expected = valuesPerRow
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
            var fields: [(text: Substring, column: Int)] = []
            var column = 1
            for field in line.split(separator: ",", omittingEmptySubsequences: false) {
                fields.append((text: field, column: column))
                column += field.unicodeScalars.count + 1
            }
            guard fields.count >= 2 else {
                throw LabelledRowsError(
                    SourceLocation(file: path, line: lineNumber, column: 1),
                    "expected comma-separated values followed by a target or '?', found \(fields.count) field")
            }
            var values: [Float] = []
            for field in fields.dropLast() {
                let trimmed = field.text.trimmingSpaces
                guard let value = Float(trimmed), value.isFinite else {
                    throw LabelledRowsError(
                        SourceLocation(file: path, line: lineNumber, column: field.column),
                        "'\(trimmed)' is not a finite number")
                }
                values.append(value)
            }
            let last = fields[fields.count - 1]
            let targetText = last.text.trimmingSpaces
            var target: Float? = nil
            if targetText != "?" {
                guard let value = Float(targetText), value.isFinite else {
                    throw LabelledRowsError(
                        SourceLocation(file: path, line: lineNumber, column: last.column),
                        "'\(targetText)' is neither a finite number nor '?'")
                }
                target = value
            }
            if let expected, values.count != expected {
                throw LabelledRowsError(
                    SourceLocation(file: path, line: lineNumber, column: 1),
                    "expected \(expected) values before the target, found \(values.count)")
            }
            expected = values.count
            rows.append(Row(values: values, target: target, line: lineNumber))
        }
        return rows
    }

    /// Images and integer labels in `0..<classCount` from rows that all have targets (a labelled data set such as
    /// the UCI digits).
    public static func labelledImages(_ rows: [Row], path: String, classCount: Int) throws(LabelledRowsError)
        -> (images: [[Float]], labels: [Int])
    {
        var images: [[Float]] = []
        var labels: [Int] = []
        for row in rows {
            guard let target = row.target, let label = Int(exactly: target), (0..<classCount).contains(label) else {
                throw LabelledRowsError(
                    SourceLocation(file: path, line: row.line),
                    "the label must be an integer in 0…\(classCount - 1)")
            }
            images.append(row.values)
            labels.append(label)
        }
        return (images, labels)
    }

    /// An episode from support rows (with targets) and query rows (`?`): regression targets as they are, or class
    /// labels renumbered 0..<N in order of first appearance (the returned `classLabels` maps back).
    public static func episode(_ rows: [Row], path: String, classification: Bool) throws(LabelledRowsError)
        -> (episode: Episode, classLabels: [Int])
    {
        let support = rows.filter { $0.target != nil }
        let query = rows.filter { $0.target == nil }
        guard !support.isEmpty else {
            throw LabelledRowsError(SourceLocation(file: path), "no support rows (rows ending in a target)")
        }
        guard !query.isEmpty else {
            throw LabelledRowsError(SourceLocation(file: path), "no query rows (rows ending in '?')")
        }
        let width = support[0].values.count
        let supportInputs = Tensor(shape: [support.count, width], scalars: support.flatMap(\.values))
        let queryInputs = Tensor(shape: [query.count, width], scalars: query.flatMap(\.values))
        guard classification else {
            let targets = Tensor(shape: [support.count, 1], scalars: support.compactMap(\.target))
            return (
                Episode(
                    supportInputs: supportInputs, supportTargets: .values(targets), queryInputs: queryInputs,
                    queryTargets: .values(Tensor.zeros([query.count, 1]))), []
            )
        }
        var classLabels: [Int] = []
        var indices: [Int] = []
        for row in support {
            guard let target = row.target, let label = Int(exactly: target) else {
                throw LabelledRowsError(SourceLocation(file: path, line: row.line), "class labels must be integers")
            }
            if let index = classLabels.firstIndex(of: label) {
                indices.append(index)
            } else {
                indices.append(classLabels.count)
                classLabels.append(label)
            }
        }
        guard classLabels.count >= 2 else {
            throw LabelledRowsError(SourceLocation(file: path), "the support set needs at least two classes")
        }
        return (
            Episode(
                supportInputs: supportInputs, supportTargets: .classes(indices, classCount: classLabels.count),
                queryInputs: queryInputs,
                queryTargets: .classes([Int](repeating: 0, count: query.count), classCount: classLabels.count)),
            classLabels
        )
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
