/// One reading of a sentence: a derivation and its meaning.
public struct Reading: Codable, Sendable, Equatable {
    /// The derivation.
    public var term: Term
    /// The category.
    public var category: String
    /// The meaning at the grammar's level (e.g. a truth value for extensions).
    public var meaning: String
    /// The value at every point of evaluation (contexts × worlds), when there are several.
    public var values: String
}

/// Interprets sentences: finds every derivation of a string and evaluates it.
///
/// Parsing is enumeration restricted to the sentence's words, with every subterm's yield required to occur
/// contiguously in the sentence (exact for concatenative rules; for grammars with general `form` operations the
/// restriction is dropped and the enumeration is bounded by the sentence length).
public enum SentenceInterpreter {
    /// All readings of `sentence` (tokens separated by spaces) in the start category (or any category if `category`
    /// is given or there is no start category).
    public static func interpret(_ grammar: InterpretedGrammar, sentence: String, category: String? = nil)
        throws(GrammarError) -> [Reading]
    {
        let tokens = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else {
            throw GrammarError("empty sentence", at: SourceLocation(file: "<sentence>", line: 1, column: 1))
        }
        var target = grammar.start
        if let category {
            guard let c = grammar.category(named: category) else {
                throw GrammarError(
                    "unknown category '\(category)'", at: SourceLocation(file: "<sentence>", line: 1, column: 1))
            }
            target = c
        }
        let vocabulary = Set(
            grammar.operations.compactMap { op -> [String]? in
                if case .tokens(let t) = op.form { return t }
                return nil
            }.joined())
        let concatenative = grammar.operations.allSatisfy {
            if case .general = $0.form { return false }
            return true
        }
        for (i, t) in tokens.enumerated()
        where concatenative && !vocabulary.contains(t) && !syncategorematic(grammar).contains(t) {
            let column = tokens[..<i].reduce(1) { $0 + $1.count + 1 }
            throw GrammarError("unknown word '\(t)'", at: SourceLocation(file: "<sentence>", line: 1, column: column))
        }
        var options = EnumerationOptions(
            bounds: EnumerationBounds(maxDepth: 4 * tokens.count + 4, maxLength: tokens.count, maxTerms: 2_000_000))
        options.allowedAtomTokens = Set(tokens)
        if concatenative { options.substringOf = tokens }
        let fragment = Enumerator.enumerate(grammar, options: options)
        var readings: [Reading] = []
        for id in fragment.storedTerms where fragment.tokens(of: id) == tokens {
            let c = fragment.category(of: id)
            if let target, c != target { continue }
            let record = fragment.record(of: id)
            readings.append(
                Reading(
                    term: fragment.term(id), category: grammar.categories[c].name,
                    meaning: fragment.describe(meaning: fragment.meaning(of: id)),
                    values: fragment.engine.describeRecord(record)))
        }
        return readings
    }

    static func syncategorematic(_ grammar: InterpretedGrammar) -> Set<String> {
        var words: Set<String> = []
        for op in grammar.operations {
            if case .concatenation(let items) = op.form {
                for case .token(let t) in items { words.insert(t) }
            }
        }
        return words
    }
}
