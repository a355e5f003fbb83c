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
    /// The β-reduced logical form: the rules' semantic terms composed along the derivation (nil when a rule's
    /// semantics is not available as a term).
    public var logicalForm: String?
    /// The derivation tree, one node per line, indented by depth: `Rule [Category]` or `"word" [Category]`.
    public var tree: [String]
    /// Why the meaning is undefined (⊥), e.g. `undefined constant 'cyril'`; nil when it is defined.
    public var undefinedReason: String?
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
            bounds: EnumerationBounds(
                maxDepth: min(4 * tokens.count + 4, EnumerationBounds.maximumDepth), maxLength: tokens.count,
                maxTerms: 2_000_000))
        options.allowedAtomTokens = Set(tokens)
        if concatenative { options.substringOf = tokens }
        let fragment = Enumerator.enumerate(grammar, options: options)
        var readings: [Reading] = []
        var forms: [Int32: Expression] = [:]
        for id in fragment.storedTerms where fragment.tokens(of: id) == tokens {
            let c = fragment.category(of: id)
            if let target, c != target { continue }
            let record = fragment.record(of: id)
            let meaning = fragment.meaning(of: id)
            readings.append(
                Reading(
                    term: fragment.term(id), category: grammar.categories[c].name,
                    meaning: meaning < 0 ? "⊥" : fragment.describe(meaning: meaning),
                    values: record < 0 ? "⊥" : fragment.engine.describeRecord(record),
                    logicalForm: logicalForm(of: id, in: fragment, memo: &forms).map(LogicalForm.render),
                    tree: tree(of: id, in: fragment),
                    undefinedReason: meaning < 0 ? undefinedReason(of: id, in: fragment) : nil))
        }
        return readings
    }

    /// The β-reduced logical form of a stored term (nil if some rule has no semantic term).
    static func logicalForm(of id: Int32, in fragment: Fragment, memo: inout [Int32: Expression]) -> Expression? {
        if let known = memo[id] { return known }
        let operation = fragment.grammar.operations[fragment.operation(of: id)]
        guard let source = operation.sourceSemantics else { return nil }
        var bindings: [String: Expression] = [:]
        for (name, child) in zip(operation.daughterNames, fragment.children(of: id)) {
            guard let form = logicalForm(of: child, in: fragment, memo: &memo) else { return nil }
            bindings[name] = form
        }
        let form = LogicalForm.reduced(source, substituting: bindings)
        memo[id] = form
        return form
    }

    /// The derivation tree as indented lines.
    static func tree(of id: Int32, in fragment: Fragment) -> [String] {
        var lines: [String] = []
        var stack: [(Int32, Int)] = [(id, 0)]
        while let (node, depth) = stack.popLast() {
            let operation = fragment.grammar.operations[fragment.operation(of: node)]
            let category = fragment.grammar.categories[operation.category].name
            let label =
                operation.isLexical
                ? "\"" + fragment.yield(of: node) + "\"" : operation.name
            lines.append(String(repeating: "  ", count: depth) + label + " [" + category + "]")
            for child in fragment.children(of: node).reversed() { stack.append((child, depth + 1)) }
        }
        return lines
    }

    /// Why a meaningless term has no meaning: the evaluation error of its lowest meaningless subterm, or a failed
    /// `requires` condition.
    static func undefinedReason(of id: Int32, in fragment: Fragment) -> String {
        var node = id
        while let child = fragment.children(of: node).first(where: { fragment.record(of: $0) < 0 }) { node = child }
        let operation = fragment.grammar.operations[fragment.operation(of: node)]
        let source = operation.isLexical ? "\"" + operation.name + "\"" : operation.name + "(…)"
        if let message = fragment.engine.firstErrorBySource[source] { return message }
        if operation.hasSemanticCondition { return "the semantic condition of \(operation.name) fails" }
        return "evaluation of \(operation.name) failed"
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
