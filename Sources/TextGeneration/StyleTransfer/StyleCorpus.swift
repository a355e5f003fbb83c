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
            guard !style.isEmpty, !style.contains(where: { $0.isWhitespace || $0 == "=" || $0 == "/" }) else {
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

    /// The text units of a corpus (XML through its profile, or plain text) grouped into styles by a label: each
    /// unit's style is the value of its label `label` (with `label` nil, of its only label). Styles come in order of
    /// first appearance; units without the label are skipped.
    ///
    /// - Returns: style names, the unit texts of each style, and how many units had no style label.
    /// - Throws: ``InputError`` for fewer than two styles; the loader's errors (located at the file).
    public static func labelledTexts(from loader: CorpusLoader, label: String?) throws -> (
        styles: [String], texts: [[String]], unlabelled: Int
    ) {
        var styles: [String] = []
        var index: [String: Int] = [:]
        var texts: [[String]] = []
        var unlabelled = 0
        try loader.forEachUnit { _, unit in
            let value: String?
            if let label {
                value = unit.labels[label]
            } else {
                value = unit.labels.count == 1 ? unit.labels.first?.value : nil
            }
            guard let value, !value.isEmpty, !value.contains(where: { $0.isWhitespace || $0 == "=" || $0 == "/" })
            else {
                unlabelled += 1
                return
            }
            if let position = index[value] {
                texts[position].append(unit.text)
            } else {
                index[value] = styles.count
                styles.append(value)
                texts.append([unit.text])
            }
        }
        guard styles.count >= 2 else {
            throw InputError(
                "style transfer needs at least two styles; the label \(label.map { "'\($0)'" } ?? "of the units") "
                    + "has \(styles.count) value\(styles.count == 1 ? "" : "s") (\(unlabelled) units without it)")
        }
        return (styles, texts, unlabelled)
    }

    /// A corpus from raw texts per style, tokenized into words (or subword pieces) and truncated.
    public static func tokenizing(
        styles: [String], texts: [[String]], tokenization: TextTokenization, lowercase: Bool, maximumLength: Int?,
        subwords: SubwordTokenizer?
    ) throws -> StyleCorpus {
        var sentences: [[[String]]] = []
        for (style, list) in zip(styles, texts) {
            let tokenized = list.map { text -> [String] in
                let tokens =
                    subwords.map { $0.encodeToPieces(lowercase ? text.lowercased() : text) }
                    ?? tokenization.tokens(text, lowercase: lowercase)
                return maximumLength.map { Array(tokens.prefix($0)) } ?? tokens
            }.filter { !$0.isEmpty }
            guard !tokenized.isEmpty else { throw InputError("style '\(Escaping.visible(style))' has no sentences") }
            sentences.append(tokenized)
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
