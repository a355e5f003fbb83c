import Foundation

/// What a `--tokenizer` option asks for, parsed once for every command that reads text: words (`default`, the
/// rule-based ``Tokenizer``; `whitespace`, for pre-tokenized corpora) or subwords (`bpe:N`, `unigram:N`, a
/// Hugging Face `tokenizer.json` file; see ``SubwordTokenizer/Specification``).
public enum TokenizerSpecification: Sendable, Equatable, CustomStringConvertible {
    /// Word tokens by the rule-based tokenizer or by whitespace.
    case words(Tokenizer.Segmentation)
    /// Subword pieces, trained on the command's training text or loaded from a file.
    case subwords(SubwordTokenizer.Specification)

    /// The accepted spellings, for help texts.
    public static let spellings = ["default", "whitespace", "bpe:N", "unigram:N", "FILE.json"]

    /// Parses `default` (or `rules`), `whitespace`, `bpe:N` (N ≥ 257), `unigram:N` (N ≥ 2) or a path ending in
    /// `.json`; `nil` for anything else.
    public init?(_ argument: String) {
        switch argument.lowercased() {
        case "default", "rules": self = .words(.rules)
        case "whitespace": self = .words(.whitespace)
        default:
            let isSubwordSize = argument.hasPrefix("bpe:") || argument.hasPrefix("unigram:")
            guard isSubwordSize || argument.lowercased().hasSuffix(".json"),
                let specification = SubwordTokenizer.Specification(argument)
            else { return nil }
            self = .subwords(specification)
        }
    }

    /// The option's text (parses back to the same value).
    public var description: String {
        switch self {
        case .words(.rules): "default"
        case .words(.whitespace): "whitespace"
        case .subwords(.trainBytePairEncoding(let size)): "bpe:\(size)"
        case .subwords(.trainUnigram(let size)): "unigram:\(size)"
        case .subwords(.file(let path)): path
        }
    }

    /// Whether the tokenizer must be trained on text first (`bpe:N`, `unigram:N`).
    public var needsTraining: Bool {
        if case .subwords(.file) = self { return false }
        if case .subwords = self { return true }
        return false
    }
}

/// A ready tokenizer of either kind, as a training command applies it to lines of text: word tokens by
/// ``Tokenizer`` or pieces of a ``SubwordTokenizer``, and the way back from tokens to text.
public enum TextSegmenter: Sendable, Equatable {
    /// Word tokens.
    case words(Tokenizer)
    /// Subword pieces.
    case subwords(SubwordTokenizer)

    /// The segmenter `specification` describes: words directly (lowercased when asked), a subword tokenizer
    /// loaded from its file, or trained on `trainingTexts` (read only then; pass every text the vocabulary should
    /// cover — for parallel data both sides, as in a joint BPE, Sennrich et al. 2016).
    ///
    /// - Throws: ``CorpusError`` for an unreadable or malformed `tokenizer.json`.
    public static func make<Texts: Sequence<String>>(
        _ specification: TokenizerSpecification, lowercase: Bool = false, trainingTexts: @autoclosure () -> Texts
    ) throws(CorpusError) -> TextSegmenter {
        switch specification {
        case .words(let segmentation): return .words(Tokenizer(isLowercasing: lowercase, segmentation: segmentation))
        case .subwords(let subwords):
            if case .file = subwords {
                return .subwords(try SubwordTokenizer.make(subwords, texts: [String]()))
            }
            let texts = trainingTexts()
            return .subwords(try SubwordTokenizer.make(subwords, texts: texts))
        }
    }

    /// The tokens of `text`: words, or subword pieces.
    public func tokens(_ text: String) -> [String] {
        switch self {
        case .words(let tokenizer): tokenizer.tokenize(text)
        case .subwords(let subwords): subwords.encodeToPieces(text)
        }
    }

    /// Text from tokens: words joined by spaces, or the decoded pieces (lossless for byte-level BPE and for a
    /// unigram tokenizer with byte fallback).
    public func text(_ tokens: [String]) -> String {
        switch self {
        case .words: tokens.joined(separator: " ")
        case .subwords(let subwords): subwords.decode(pieces: tokens)
        }
    }

    /// The subword tokenizer, when this segmenter is one.
    public var subwordTokenizer: SubwordTokenizer? {
        if case .subwords(let subwords) = self { return subwords }
        return nil
    }
}
