import Corpus
import Foundation
import MontagueSupport

/// Sentences of two or more styles (e.g. negative and positive reviews, modern and original Shakespeare), the
/// non-parallel training data of style transfer.
public struct StyleCorpus: Sendable {
    /// The style names, in the order given.
    public let styles: [String]
    /// Tokenized sentences per style (same order as ``styles``).
    public let sentences: [[[String]]]

    /// A corpus from tokenized sentences.
    ///
    /// - Precondition: one sentence list per style.
    public init(styles: [String], sentences: [[[String]]]) {
        precondition(
            styles.count == sentences.count, "StyleCorpus: \(styles.count) styles, \(sentences.count) sentence lists")
        self.styles = styles
        self.sentences = sentences
    }

    /// Reads one plain-text file per style (one sentence per line, blank lines skipped).
    ///
    /// - Parameter files: `(style name, path)` pairs; at least two distinct styles.
    /// - Throws: ``InputError`` for fewer than two styles, a repeated or malformed style name, and unreadable or
    ///   empty files (located at the file).
    public static func load(
        files: [(style: String, path: String)], tokenization: TextTokenization, lowercase: Bool,
        maximumLength: Int? = nil, subwords: SubwordTokenizer? = nil
    ) throws -> StyleCorpus {
        var styles: [String] = []
        var sentences: [[[String]]] = []
        for (style, path) in files {
            guard !style.isEmpty, !style.contains(where: { $0.isWhitespace || $0 == "=" }) else {
                throw InputError("style name '\(Escaping.visible(style))' must be a non-empty word")
            }
            let loaded: [[String]]
            if let subwords {
                loaded = try TextScoring.TextFile(contentsOf: path).lines.map {
                    subwords.encodeToPieces(lowercase ? $0.lowercased() : $0)
                }.filter { !$0.isEmpty }
                guard !loaded.isEmpty else {
                    throw InputError("no sentences (every line is blank)", at: SourceLocation(file: path))
                }
            } else {
                loaded = try PlainTextCorpus(path: path, tokenization: tokenization, lowercase: lowercase).sentences
            }
            let truncated = maximumLength.map { limit in loaded.map { Array($0.prefix(limit)) } } ?? loaded
            if let index = styles.firstIndex(of: style) {
                sentences[index] += truncated
            } else {
                styles.append(style)
                sentences.append(truncated)
            }
        }
        guard styles.count >= 2 else {
            throw InputError(
                "style transfer needs at least two styles (give --style NAME=FILE for each), got \(styles.count)")
        }
        return StyleCorpus(styles: styles, sentences: sentences)
    }

    /// Parses `NAME=PATH`.
    public static func parseSpecification(_ text: String) throws -> (style: String, path: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex,
            text.index(after: equals) != text.endIndex
        else {
            throw InputError("expected STYLE=FILE, got '\(Escaping.visible(text))'")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// The corpus split into training and held-out validation sentences: every style keeps
    /// `validationFraction` of its sentences (at least one, at most `maximumValidation`) chosen by a seeded
    /// shuffle, the rest train.
    public func split(validationFraction: Double, maximumValidation: Int = 1000, seed: UInt64) -> (
        train: StyleCorpus, validation: StyleCorpus
    ) {
        var train: [[[String]]] = []
        var validation: [[[String]]] = []
        var generator = SplitMix64(seed: seed)
        for list in sentences {
            var order = Array(list.indices)
            generator.shuffle(&order)
            let count =
                list.count < 2
                ? 0 : min(maximumValidation, max(1, Int((Double(list.count) * validationFraction).rounded())))
            let held = Set(order.prefix(count))
            validation.append(order.prefix(count).sorted().map { list[$0] })
            train.append(list.indices.filter { !held.contains($0) }.map { list[$0] })
        }
        return (StyleCorpus(styles: styles, sentences: train), StyleCorpus(styles: styles, sentences: validation))
    }
}
