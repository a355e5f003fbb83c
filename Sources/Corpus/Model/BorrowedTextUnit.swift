/// A text unit lent to a callback by `XMLCorpusReader.forEachBorrowedUnit`: its text is the reader's own UTF-8
/// buffer, valid only during the call, so streaming a corpus makes no `String` per unit.
///
/// Same content as the `TextUnit` the reader's other APIs give for the same unit (`makeTextUnit()` builds it).
/// Do not keep `utf8Text` (nor a pointer into it) after the callback returns; copy what you need (`text` makes a
/// `String`). Tokenize it in place with `Tokenizer.forEachTokenRange(in:_:)` or
/// `Tokenizer.forEachTokenID(in:interningInto:_:)`. Design notes: issue 4 (streaming corpus reading, tokens
/// without a string per token).
public struct BorrowedTextUnit {
    /// The unit's whitespace-normalized text as UTF-8, borrowed: valid only during the callback.
    public let utf8Text: UnsafeBufferPointer<UInt8>
    /// What the unit is (line, paragraph, ...).
    public let kind: UnitKind
    /// Tokens when the XML marks them up (TEI `<w>`); nil when the text must be tokenized.
    public let tokens: [MarkedToken]?
    /// Labels, by name.
    public let labels: [String: String]
    /// Where the unit starts in its file.
    public let position: SourcePosition
    let storedMetadata: UnitMetadata

    init(
        utf8Text: UnsafeBufferPointer<UInt8>, kind: UnitKind, tokens: [MarkedToken]?, labels: [String: String],
        storedMetadata: UnitMetadata, position: SourcePosition
    ) {
        self.utf8Text = utf8Text
        self.kind = kind
        self.tokens = tokens
        self.labels = labels
        self.storedMetadata = storedMetadata
        self.position = position
    }

    /// The text as a `String` (a copy).
    public var text: String { String(decoding: utf8Text, as: UTF8.self) }

    /// Other properties, by name (merged when read, as `TextUnit.metadata`).
    public var metadata: [String: String] { storedMetadata.dictionary }

    /// The owned `TextUnit` for this unit (copies the text): the unit `XMLCorpusReader.forEachUnit` gives.
    public func makeTextUnit() -> TextUnit {
        TextUnit(
            text: text, kind: kind, tokens: tokens, labels: labels, storedMetadata: storedMetadata,
            position: position)
    }
}
