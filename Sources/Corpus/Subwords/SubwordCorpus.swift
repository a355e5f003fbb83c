import Foundation

/// Subword tokenizers over loaded corpora: train one on a corpus's units, count its pieces into a
/// ``Vocabulary``, export units as pieces — what `montague corpus vocab|export --tokenizer bpe:N|unigram:N|FILE`
/// runs.
public enum SubwordCorpus {
    /// The texts of every unit of `loader` (lowercased when asked), in order.
    public static func texts(
        of loader: CorpusLoader, lowercase: Bool = false, progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> (texts: [String], report: CorpusLoadReport) {
        var texts: [String] = []
        let report = try loader.forEachUnit(progress: progress) { _, unit in
            texts.append(lowercase ? unit.text.lowercased() : unit.text)
        }
        return (texts, report)
    }

    /// The tokenizer `specification` asks for: trained on the units of `loader` (read once), or loaded.
    ///
    /// - Throws: ``CorpusError`` from reading the corpus or the tokenizer file.
    public static func tokenizer(
        _ specification: SubwordTokenizer.Specification, corpus loader: CorpusLoader, lowercase: Bool = false,
        progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> SubwordTokenizer {
        if case .file = specification { return try SubwordTokenizer.make(specification, texts: [String]()) }
        return try SubwordTokenizer.make(
            specification, texts: texts(of: loader, lowercase: lowercase, progress: progress).texts)
    }

    /// A vocabulary of the pieces `tokenizer` makes of every unit of `loader`, with their counts.
    /// - Returns: the vocabulary, the load report, and the number of pieces counted.
    public static func vocabulary(
        _ loader: CorpusLoader, tokenizer: SubwordTokenizer, lowercase: Bool = false, minimumCount: Int = 1,
        maximumSize: Int? = nil, progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> (vocabulary: Vocabulary, report: CorpusLoadReport, tokenCount: Int) {
        var counts: [String: Int] = [:]
        var total = 0
        let report = try loader.forEachUnit(progress: progress) { _, unit in
            for piece in tokenizer.encodeToPieces(lowercase ? unit.text.lowercased() : unit.text) {
                counts[piece, default: 0] += 1
                total += 1
            }
        }
        return (Vocabulary(counts: counts, minimumCount: minimumCount, maximumSize: maximumSize), report, total)
    }

    /// Writes every unit of `loader` as JSONL (``CorpusExporter/jsonLine(_:document:tokenizer:)``'s object with
    /// `"tokens"` the pieces) or plain text (pieces joined by spaces), atomically.
    ///
    /// - Throws: ``CorpusError`` for unreadable input; a write error; a precondition failure for XML formats.
    public static func export(
        _ loader: CorpusLoader, to path: String, format: ExportFormat, tokenizer: SubwordTokenizer,
        lowercase: Bool = false, progress: ((CorpusProgress) -> Void)? = nil
    ) throws -> CorpusLoadReport {
        precondition(format == .jsonl || format == .text, "SubwordCorpus.export: only jsonl and txt hold pieces")
        var report = CorpusLoadReport()
        try AtomicFileWriter.write(to: path) { handle in
            var output = BufferedOutput(handle: handle)
            var document = DocumentInfo(identifier: "", source: "")
            report = try loader.forEachEvent(progress: progress) { event in
                switch event {
                case .startDocument(let info): document = info
                case .endDocument: break
                case .unit(let unit):
                    let pieces = tokenizer.encodeToPieces(lowercase ? unit.text.lowercased() : unit.text)
                    guard format == .jsonl else {
                        try output.write(pieces.joined(separator: " "))
                        return
                    }
                    let object: [String: Any] = [
                        "document": document.identifier, "source": unit.position.file, "line": unit.position.line,
                        "kind": unit.kind.rawValue, "text": unit.text, "labels": unit.labels,
                        "metadata": unit.metadata, "tokens": pieces,
                    ]
                    let data = try JSONSerialization.data(
                        withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                    try output.write(String(decoding: data, as: UTF8.self))
                }
            }
            try output.flush()
        }
        return report
    }
}
