import Corpus
import Foundation
import MontagueSupport

/// How plain-text training files are split into tokens.
public enum TextTokenization: String, Codable, CaseIterable, Sendable {
    /// Whitespace only: for corpora that are already tokenized (Yelp, SCAN, the parallel Shakespeare data).
    case whitespace
    /// Montague's Unicode word tokenizer (words, numbers, punctuation, Penn Treebank contractions).
    case `default`

    /// The tokens of one line, by the Corpus module's tokenizer with this segmentation.
    public func tokens(_ line: String, lowercase: Bool) -> [String] {
        Tokenizer(isLowercasing: lowercase, segmentation: self == .whitespace ? .whitespace : .rules).tokenize(line)
    }
}

/// A plain-text corpus: one sentence per line, blank lines skipped.
public struct PlainTextCorpus: Sendable {
    /// The file's path.
    public let path: String
    /// The token sequences of the non-blank lines.
    public let sentences: [[String]]

    /// Reads and tokenizes `path`.
    ///
    /// - Throws: ``InputError`` located at the file when it cannot be read, is not UTF-8 (with the line) or has no
    ///   non-blank line.
    public init(path: String, tokenization: TextTokenization, lowercase: Bool) throws {
        let file = try TextScoring.TextFile(contentsOf: path)
        self.path = path
        sentences = file.lines.map { tokenization.tokens($0, lowercase: lowercase) }.filter { !$0.isEmpty }
        guard !sentences.isEmpty else {
            throw InputError("no sentences (every line is blank)", at: SourceLocation(file: path))
        }
    }

    /// Reads `path` as a language model's recipe says: words by its tokenization, or the pieces of `subwords`.
    public init(path: String, recipe: LanguageModelRecipe, subwords: SubwordTokenizer?) throws {
        try self.init(path: path, tokenization: recipe.tokenization, lowercase: recipe.lowercase, subwords: subwords)
    }

    /// Reads `path` into words by `tokenization`, or, when `subwords` is given, into its pieces (of the lowercased
    /// lines with `lowercase`).
    ///
    /// - Throws: ``InputError`` located at the file when it cannot be read, is not UTF-8 or has no non-blank line.
    public init(path: String, tokenization: TextTokenization, lowercase: Bool, subwords: SubwordTokenizer?) throws {
        guard let subwords else {
            try self.init(path: path, tokenization: tokenization, lowercase: lowercase)
            return
        }
        let file = try TextScoring.TextFile(contentsOf: path)
        let pieces = file.lines.map { subwords.encodeToPieces(lowercase ? $0.lowercased() : $0) }
            .filter { !$0.isEmpty }
        guard !pieces.isEmpty else {
            throw InputError("no sentences (every line is blank)", at: SourceLocation(file: path))
        }
        self.init(path: path, sentences: pieces)
    }

    private init(path: String, sentences: [[String]]) {
        self.path = path
        self.sentences = sentences
    }

    /// A fingerprint for the manifest: size in bytes and the SplitMix64 hash of the contents.
    public static func fingerprint(of path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "unreadable" }
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        for byte in data { hash = SplitMix64.mix(hash ^ UInt64(byte)) }
        return "bytes:\(data.count) hash:\(String(hash, radix: 16))"
    }
}
