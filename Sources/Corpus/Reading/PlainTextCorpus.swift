import Foundation

/// How plain-text corpora (one sentence per line, as in the Yelp style-transfer data) are labelled.
public struct PlainTextOptions: Sendable, Hashable {
    /// Labels given to every unit of every plain-text file.
    public var labels: [String: String]
    /// When set, the label of this name takes the file's last extension as its value: `sentiment.train.1` gives
    /// `1` (the convention of Shen et al. 2017's data: one file per style).
    public var labelFromExtension: String?

    /// Makes options; by default units get no labels.
    public init(labels: [String: String] = [:], labelFromExtension: String? = nil) {
        self.labels = labels
        self.labelFromExtension = labelFromExtension
    }

    /// The labels for units of the file at `path`.
    func labels(for path: String) -> [String: String] {
        var result = labels
        if let name = labelFromExtension, let dot = path.lastIndex(of: "."),
            !path[path.index(after: dot)...].contains("/")
        {
            result[name] = String(path[path.index(after: dot)...])
        }
        return result
    }
}

/// Reads a plain-text corpus file: one unit (kind `.sentence`) per non-empty line, UTF-8, streamed line by line in
/// constant memory; one document per file. Metadata `line` gives the 1-based line number.
public final class PlainTextCorpusReader {
    /// The file as the user named it.
    public let fileName: String
    private let options: PlainTextOptions
    private let handle: UnsafeMutablePointer<FILE>
    private(set) var bytesConsumed = 0

    /// Opens a text file.
    /// - Throws: `CorpusError.Kind.unreadable` when it cannot be opened.
    public init(contentsOfFile path: String, options: PlainTextOptions = PlainTextOptions()) throws {
        guard let handle = fopen(path, "rb") else {
            throw CorpusError(.unreadable, file: path, message: String(cString: strerror(errno)))
        }
        self.fileName = path
        self.options = options
        self.handle = handle
    }

    deinit { fclose(handle) }

    /// The document this file forms.
    public var documentInfo: DocumentInfo {
        DocumentInfo(identifier: baseName(fileName), source: fileName, metadata: ["format": "text"])
    }

    /// Calls `body` with every non-empty line as a unit.
    /// - Throws: `CorpusError.Kind.unreadable` at the first line that is not valid UTF-8 (with its line number).
    public func forEachUnit(_ body: (DocumentInfo, TextUnit) throws -> Void) throws {
        let document = documentInfo
        let labels = options.labels(for: fileName)
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var lineNumber = 0
        while true {
            let length = getline(&buffer, &capacity, handle)
            if length < 0 {
                if ferror(handle) != 0 {
                    throw CorpusError(.unreadable, file: fileName, line: lineNumber + 1, message: "read error")
                }
                break
            }
            lineNumber += 1
            bytesConsumed += length
            guard let buffer else { continue }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: length).bindMemory(to: UInt8.self)
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw CorpusError(.unreadable, file: fileName, line: lineNumber, message: "line is not valid UTF-8")
            }
            if lineNumber == 1, bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                throw CorpusError(
                    .unreadable, file: fileName, line: 1,
                    message: "UTF-16 plain text is not supported; convert it to UTF-8")
            }
            var text = decoded.trimmingWhitespace()
            if lineNumber == 1, text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            guard !text.isEmpty else { continue }
            try body(
                document,
                TextUnit(
                    text: text, kind: .sentence, labels: labels,
                    metadata: ["line": String(lineNumber)],
                    position: SourcePosition(file: fileName, line: lineNumber)))
        }
    }

    /// Reads the whole file as one document.
    public func readDocument() throws -> Document {
        var document = Document(info: documentInfo)
        try forEachUnit { _, unit in document.units.append(unit) }
        return document
    }
}
