/// A text unit lent to a callback by `XMLCorpusReader.forEachBorrowedUnit`: its text is the reader's own UTF-8
/// buffer, valid only during the call, so streaming a corpus makes no `String` per unit.
///
/// Same content as the `TextUnit` the reader's other APIs give for the same unit (`makeTextUnit()` builds it).
/// Do not keep `utf8Text` (nor a pointer into it) after the callback returns; copy what you need (`text` makes a
/// `String`). Tokenize it in place with `Tokenizer.forEachTokenRange(in:_:)` or
/// `Tokenizer.forEachTokenID(in:interningInto:_:)`; docs/benchmarks.md measures this path.
public struct BorrowedTextUnit {
    /// The unit's whitespace-normalized text as UTF-8, borrowed: valid only during the callback.
    public let utf8Text: UnsafeBufferPointer<UInt8>
    /// The profile's unit, lent by address for the duration of the callback.
    private let unit: UnsafePointer<UnitStack.OpenUnit>
    private let file: String

    init(utf8Text: UnsafeBufferPointer<UInt8>, unit: UnsafePointer<UnitStack.OpenUnit>, file: String) {
        self.utf8Text = utf8Text
        self.unit = unit
        self.file = file
    }

    /// What the unit is (line, paragraph, ...).
    public var kind: UnitKind { unit.pointee.kind }
    /// Tokens when the XML marks them up (TEI `<w>`); nil when the text must be tokenized.
    public var tokens: [MarkedToken]? { unit.pointee.tokens }
    /// Labels, by name.
    public var labels: [String: String] { unit.pointee.labels }
    /// Where the unit starts in its file.
    public var position: SourcePosition { SourcePosition(file: file, line: unit.pointee.line) }
    var storedMetadata: UnitMetadata { unit.pointee.metadata }
    /// For labels taken from an element other than the unit, that element's number in its file.
    var labelOrigins: [String: Int] { unit.pointee.labelOrigins }

    /// The text as a `String` (a copy).
    public var text: String { String(decoding: utf8Text, as: UTF8.self) }

    /// Other properties, by name (merged when read, as `TextUnit.metadata`).
    public var metadata: [String: String] { storedMetadata.dictionary }

    /// Calls `body` with `unit` lent as a borrowed unit (for units already built: plain-text corpora, custom
    /// profiles).
    static func lending<Result>(_ unit: TextUnit, _ body: (BorrowedTextUnit) throws -> Result) rethrows -> Result {
        var open = UnitStack.OpenUnit(
            kind: unit.kind, line: unit.position.line, labels: unit.labels, metadata: unit.storedMetadata,
            tokens: unit.tokens)
        open.labelOrigins = unit.labelOrigins
        var text = unit.text
        return try withUnsafePointer(to: open) { pointer in
            try text.withUTF8 { try body(BorrowedTextUnit(utf8Text: $0, unit: pointer, file: unit.position.file)) }
        }
    }

    /// The owned `TextUnit` for this unit (copies the text): the unit `XMLCorpusReader.forEachUnit` gives.
    public func makeTextUnit() -> TextUnit {
        var made = TextUnit(
            text: text, kind: kind, tokens: tokens, labels: labels, storedMetadata: storedMetadata,
            position: position)
        made.labelOrigins = labelOrigins
        return made
    }
}
