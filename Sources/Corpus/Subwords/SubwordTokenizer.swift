import Foundation
import MontagueSupport

/// A trained or loaded subword tokenizer of either kind, with one interface for training commands: encode text
/// to ids or pieces, decode, save and load as a Hugging Face `tokenizer.json` file.
public enum SubwordTokenizer: Sendable, Equatable {
    /// Byte-level byte-pair encoding (lossless on any text).
    case bytePairEncoding(BytePairEncoding)
    /// SentencePiece-style unigram language model.
    case unigram(UnigramTokenizer)

    /// What a `--tokenizer` value asks for: `bpe:N` or `unigram:N` (train with vocabulary size N), or a file.
    public enum Specification: Sendable, Equatable {
        /// Train a byte-level BPE with this many tokens.
        case trainBytePairEncoding(vocabularySize: Int)
        /// Train a unigram tokenizer with this many pieces.
        case trainUnigram(vocabularySize: Int)
        /// Load a `tokenizer.json` file.
        case file(String)

        /// Parses `bpe:N`, `unigram:N` or a path; `nil` for `bpe:`/`unigram:` with a size that is not an integer
        /// of at least 257 (BPE) or 2 (unigram).
        public init?(_ argument: String) {
            for (prefix, minimum) in [("bpe:", 257), ("unigram:", 2)] where argument.hasPrefix(prefix) {
                guard let size = Int(argument.dropFirst(prefix.count)), size >= minimum, size <= 10_000_000 else {
                    return nil
                }
                self =
                    prefix == "bpe:"
                    ? .trainBytePairEncoding(vocabularySize: size) : .trainUnigram(vocabularySize: size)
                return
            }
            guard !argument.isEmpty else { return nil }
            self = .file(argument)
        }
    }

    /// A tokenizer trained on `texts` (streamed once) or loaded, as `specification` asks. A unigram tokenizer of
    /// at least 259 pieces is trained with byte fallback (256 of its pieces are bytes), so that, like byte-level
    /// BPE, it encodes any text losslessly; smaller ones map unknown characters to `<unk>`.
    public static func make<Texts: Sequence<String>>(_ specification: Specification, texts: Texts)
        throws(CorpusError) -> SubwordTokenizer
    {
        switch specification {
        case .trainBytePairEncoding(let size):
            return .bytePairEncoding(BytePairEncoding.train(on: texts, vocabularySize: size))
        case .trainUnigram(let size):
            return .unigram(UnigramTokenizer.train(on: texts, vocabularySize: size, byteFallback: size >= 259))
        case .file(let path):
            return try load(from: URL(fileURLWithPath: path))
        }
    }

    /// Number of tokens.
    public var vocabularySize: Int {
        switch self {
        case .bytePairEncoding(let bpe): bpe.vocabularySize
        case .unigram(let unigram): unigram.vocabularySize
        }
    }

    /// Pieces by id.
    public var pieces: [String] {
        switch self {
        case .bytePairEncoding(let bpe): bpe.pieces
        case .unigram(let unigram): unigram.pieces
        }
    }

    /// Token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        switch self {
        case .bytePairEncoding(let bpe): bpe.encode(text)
        case .unigram(let unigram): unigram.encode(text)
        }
    }

    /// Pieces of `text`, usable as the words of a word vocabulary.
    public func encodeToPieces(_ text: String) -> [String] {
        switch self {
        case .bytePairEncoding(let bpe): bpe.encodeToPieces(text)
        case .unigram(let unigram): unigram.encodeToPieces(text)
        }
    }

    /// Text of `ids`.
    public func decode(_ ids: [Int]) -> String {
        switch self {
        case .bytePairEncoding(let bpe): bpe.decode(ids)
        case .unigram(let unigram): unigram.decode(ids)
        }
    }

    /// Text of `pieces`.
    public func decode(pieces: [String]) -> String {
        switch self {
        case .bytePairEncoding(let bpe): bpe.decode(pieces: pieces)
        case .unigram(let unigram): unigram.decode(pieces: pieces)
        }
    }

    /// The tokenizer as the contents of a Hugging Face `tokenizer.json` file.
    public var jsonData: Data {
        switch self {
        case .bytePairEncoding(let bpe): HuggingFaceTokenizerFile.encode(bpe)
        case .unigram(let unigram): HuggingFaceTokenizerFile.encode(unigram)
        }
    }

    /// Writes the tokenizer as a Hugging Face `tokenizer.json` file.
    public func save(to url: URL) throws(CorpusError) {
        switch self {
        case .bytePairEncoding(let bpe): try HuggingFaceTokenizerFile.save(bpe, to: url)
        case .unigram(let unigram): try HuggingFaceTokenizerFile.save(unigram, to: url)
        }
    }

    /// Reads a `tokenizer.json` file holding a byte-level BPE or a unigram model.
    public static func load(from url: URL) throws(CorpusError) -> SubwordTokenizer {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CorpusError(.unreadable, file: url.path, message: "cannot read tokenizer file: \(error)")
        }
        return try parse(data, file: url.path)
    }

    /// Parses `tokenizer.json` contents; `file` names them in errors.
    public static func parse(_ data: Data, file: String = "<tokenizer.json>") throws(CorpusError) -> SubwordTokenizer {
        let root = try? JSONDecoder().decode(JSONValue.self, from: data)
        if root?["model"]?["type"] == .string("Unigram") {
            return .unigram(try HuggingFaceTokenizerFile.parseUnigram(data, file: file))
        }
        return .bytePairEncoding(try HuggingFaceTokenizerFile.parse(data, file: file))
    }
}
