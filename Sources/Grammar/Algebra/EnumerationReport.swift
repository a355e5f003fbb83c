/// One listed term of an enumeration.
public struct ListedTerm: Codable, Sendable, Equatable {
    /// The surface string.
    public var yield: String
    /// The derivation.
    public var term: String
    /// The category.
    public var category: String
    /// The meaning.
    public var meaning: String
}

/// The result of `montague enumerate`: counts per category and depth, and optionally the terms.
public struct EnumerationReport: Codable, Sendable {
    /// Grammar name.
    public var grammar: String
    /// Terms per category.
    public var termsPerCategory: [String: Int]
    /// Terms per depth (index 0: depth 1).
    public var termsPerDepth: [Int]
    /// Total terms.
    public var termCount: Int
    /// Distinct strings of the start category.
    public var distinctSentences: Int
    /// Whether the count bound cut the enumeration.
    public var isTruncated: Bool
    /// Whether no deeper terms exist.
    public var isSaturated: Bool
    /// Listed terms (the first `limit`).
    public var terms: [ListedTerm]
    /// Ambiguity conflicts.
    public var ambiguities: [AmbiguityConflict]

    /// JSON keys (`montague enumerate --json`): the property names, with `truncated` and `saturated` for the flags.
    enum CodingKeys: String, CodingKey {
        case grammar, termsPerCategory, termsPerDepth, termCount, distinctSentences
        case isTruncated = "truncated"
        case isSaturated = "saturated"
        case terms, ambiguities
    }

    /// Human-readable summary.
    public var text: String {
        var lines = [
            "grammar \(grammar): \(termCount) terms" + (isTruncated ? " (truncated)" : "")
                + (isSaturated ? " (complete)" : ""),
            "per category: "
                + termsPerCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
            "per depth: "
                + termsPerDepth.enumerated().map { "\($0.offset + 1): \($0.element)" }.joined(separator: ", "),
            "distinct sentences: \(distinctSentences)",
        ]
        for t in terms { lines.append("\(t.category)\t\(t.yield)\t\(t.meaning)\t\(t.term)") }
        if !ambiguities.isEmpty { lines.append("ambiguity conflicts: \(ambiguities.count)") }
        return lines.joined(separator: "\n")
    }
}

extension Enumerator {
    /// Enumerates and summarises, listing at most `limit` terms of the start category (all categories if none).
    public static func report(
        _ grammar: InterpretedGrammar, bounds: EnumerationBounds? = nil, limit: Int = 0,
        progress: ((Int) -> Void)? = nil
    ) -> EnumerationReport {
        var options = EnumerationOptions(bounds: bounds ?? grammar.bounds)
        options.progress = progress
        let fragment = enumerate(grammar, options: options)
        var listed: [ListedTerm] = []
        var sentences: Set<String> = []
        for id in fragment.storedTerms {
            if let start = grammar.start, fragment.category(of: id) != start { continue }
            let yield = fragment.yield(of: id)
            sentences.insert(yield)
            if listed.count < limit {
                listed.append(
                    ListedTerm(
                        yield: yield, term: fragment.term(id).description,
                        category: grammar.categories[fragment.category(of: id)].name,
                        meaning: fragment.describe(meaning: fragment.meaning(of: id))))
            }
        }
        var perCategory: [String: Int] = [:]
        for (i, c) in grammar.categories.enumerated() { perCategory[c.name] = fragment.countsByCategory[i] }
        return EnumerationReport(
            grammar: grammar.name, termsPerCategory: perCategory, termsPerDepth: fragment.countsByDepth,
            termCount: fragment.termCount, distinctSentences: sentences.count, isTruncated: fragment.truncated,
            isSaturated: fragment.saturated, terms: listed,
            ambiguities: CompositionalityChecker.findAmbiguities(fragment, level: nil))
    }
}
