import Foundation

/// The formats a corpus can be exported to.
public enum ExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One JSON object per unit and line: `{"document", "source", "line", "kind", "text", "labels", "metadata"}`,
    /// plus `"tokens"` when a tokenizer is given.
    case jsonl
    /// One unit per line: its text, or its tokens joined by spaces when a tokenizer is given.
    case text = "txt"
    /// TEI P5 (see `CorpusXMLWriter.Form.tei`).
    case tei
    /// Montague's lossless XML form (see `CorpusXMLWriter.Form.montague`).
    case xml
}

/// Exports corpora to JSONL, plain text or XML, streaming (constant memory) and atomically.
public enum CorpusExporter {
    /// Reads everything `loader` reads and writes it to `path` in `format`.
    /// - Parameters:
    ///   - tokenizer: when given, JSONL gets a `tokens` array and plain text is written tokenized.
    ///   - title: the corpus title in XML output.
    /// - Returns: the load report (files read and skipped).
    @discardableResult
    public static func export(
        _ loader: CorpusLoader, to path: String, format: ExportFormat,
        tokenizer: Tokenizer? = nil, title: String = "Corpus written by Montague",
        progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> CorpusLoadReport {
        switch format {
        case .tei, .xml:
            let writer = try CorpusXMLWriter(path: path, form: format == .tei ? .tei : .montague, title: title)
            let report = try loader.forEachEvent(progress: progress) { try writer.write($0) }
            try writer.finish()
            return report
        case .text:
            // Lent units, and each distinct token made once: the same lines as `textLine` of each unit.
            var report = CorpusLoadReport()
            var interned = tokenizer.map { InternedTokenStrings(tokenizer: $0) }
            try AtomicFileWriter.write(to: path) { handle in
                var output = BufferedOutput(handle: handle)
                report = try loader.forEachBorrowedUnit(progress: progress) { _, unit in
                    if let tokens = interned?.tokens(of: unit) {
                        try output.write(tokens.joined(separator: " "))
                    } else if unit.utf8Text.contains(0x0A) {
                        try output.write(unit.text.replacingOccurrences(of: "\n", with: " "))
                    } else {
                        try output.write(unit.utf8Text)
                    }
                }
                try output.flush()
            }
            return report
        case .jsonl:
            var report = CorpusLoadReport()
            var interned = tokenizer.map { InternedTokenStrings(tokenizer: $0) }
            try AtomicFileWriter.write(to: path) { handle in
                var output = BufferedOutput(handle: handle)
                var document = DocumentInfo(identifier: "", source: "")
                report = try loader.forEachEvent(progress: progress) { event in
                    switch event {
                    case .startDocument(let info): document = info
                    case .endDocument: break
                    case .unit(let unit):
                        try output.write(
                            try jsonLine(unit, document: document, tokens: interned?.tokens(of: unit)))
                    }
                }
                try output.flush()
            }
            return report
        }
    }

    /// The JSONL line of a unit (keys sorted, no trailing newline).
    public static func jsonLine(_ unit: TextUnit, document: DocumentInfo, tokenizer: Tokenizer? = nil) throws
        -> String
    {
        try jsonLine(unit, document: document, tokens: tokenizer.map { tokens(of: unit, $0) })
    }

    /// The JSONL line of a unit with its tokens already made (keys sorted, no trailing newline).
    static func jsonLine(_ unit: TextUnit, document: DocumentInfo, tokens: [String]?) throws -> String {
        var object: [String: Any] = [
            "document": document.identifier, "source": unit.position.file, "line": unit.position.line,
            "kind": unit.kind.rawValue, "text": unit.text, "labels": unit.labels, "metadata": unit.metadata,
        ]
        if let tokens { object["tokens"] = tokens }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The plain-text line of a unit: its text (line breaks as spaces), or its tokens joined by spaces.
    public static func textLine(_ unit: TextUnit, tokenizer: Tokenizer? = nil) -> String {
        if let tokenizer { return tokens(of: unit, tokenizer).joined(separator: " ") }
        return unit.text.contains("\n") ? unit.text.replacingOccurrences(of: "\n", with: " ") : unit.text
    }

    /// The unit's tokens: its marked-up tokens when it has them, else the tokenizer's.
    public static func tokens(of unit: TextUnit, _ tokenizer: Tokenizer) -> [String] {
        if let marked = unit.tokens, !marked.isEmpty {
            return marked.map { tokenizer.isLowercasing ? $0.form.lowercased() : $0.form }
        }
        return tokenizer.tokenize(unit.text)
    }
}

/// Collects output lines and writes them in large blocks.
struct BufferedOutput {
    let handle: FileHandle
    private var buffer = Data()

    init(handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes a line given as UTF-8 bytes.
    mutating func write(_ line: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(line)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
