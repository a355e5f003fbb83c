/// `Tokenizer.tokenize`'s token strings with each distinct token made once: tokens are interned by their UTF-8 bytes
/// in a ``TokenDictionary`` (`Tokenizer.forEachTokenID(in:interningInto:_:)`) and handed out as shared `String`s, so
/// a repeated token costs a table lookup instead of a new `String` (UTF-8 validation, and a heap allocation for
/// tokens over 15 bytes).
///
/// For callers that need owned `[String]` tokens; the dictionary grows with the vocabulary, never with the corpus.
/// Where ids or byte ranges suffice, `forEachTokenID` and `forEachTokenRange` on a `BorrowedTextUnit` are faster
/// still (docs/benchmarks.md, "Corpus: owned token strings").
public struct InternedTokenStrings {
    /// The tokenizer whose tokens these are.
    public let tokenizer: Tokenizer
    /// Every distinct token seen so far, with its count.
    public private(set) var dictionary = TokenDictionary()
    private var strings: [String] = []
    private var ids: [Int] = []

    /// An empty table for `tokenizer`.
    public init(tokenizer: Tokenizer) { self.tokenizer = tokenizer }

    /// The tokens of `bytes` (UTF-8), equal to `tokenizer.tokenize` of the same text.
    ///
    /// - Important: `bytes` must stay valid for the call (a `BorrowedTextUnit`'s text, or `String.withUTF8`).
    public mutating func tokens(in bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        ids.removeAll(keepingCapacity: true)
        tokenizer.forEachTokenID(in: bytes, interningInto: &dictionary) { ids.append($0) }
        while strings.count < dictionary.count { strings.append(dictionary.token(strings.count)) }
        var result: [String] = []
        result.reserveCapacity(ids.count)
        for id in ids { result.append(strings[id]) }
        return result
    }

    /// The tokens of `text`, equal to `tokenizer.tokenize(text)`.
    public mutating func tokenize(_ text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { tokens(in: $0) }
    }

    /// The tokens of a lent unit as `CorpusExporter.tokens(of:_:)` gives them for its `TextUnit`: its marked-up
    /// tokens (TEI `<w>`, lowercased when the tokenizer lowercases) when it has them, else its text's tokens.
    public mutating func tokens(of unit: BorrowedTextUnit) -> [String] {
        if let marked = unit.tokens, !marked.isEmpty {
            return marked.map { tokenizer.isLowercasing ? $0.form.lowercased() : $0.form }
        }
        return tokens(in: unit.utf8Text)
    }

    /// The tokens of `unit` as `CorpusExporter.tokens(of:_:)` gives them.
    public mutating func tokens(of unit: TextUnit) -> [String] {
        if let marked = unit.tokens, !marked.isEmpty {
            return marked.map { tokenizer.isLowercasing ? $0.form.lowercased() : $0.form }
        }
        return tokenize(unit.text)
    }
}
