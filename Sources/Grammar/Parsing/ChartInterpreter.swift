/// Interprets sentences with the chart parser: every derivation of a string and its meaning, as
/// ``SentenceInterpreter`` finds them by enumeration, but in time polynomial in the sentence length before the
/// readings are listed.
///
/// The chart (``ChartParser``) decides which categories span which parts of the sentence; the derivations of the
/// root nodes are then unfolded depth by depth, at most `4n + 4` deep as the enumeration is bounded, and each is
/// interpreted by the grammar's semantics (overrides, lexical meanings, semantic rules). The readings are the
/// enumeration's, in the enumeration's order (derivation depth, rule order, then the children's buckets, yield
/// lengths and creation order). Grammars with a non-concatenative `form` operation are interpreted by enumeration.
public enum ChartInterpreter {
    /// All readings of `sentence` (tokens separated by spaces) in the start category (or `category`, or any
    /// category when neither is given).
    public static func interpret(_ grammar: InterpretedGrammar, sentence: String, category: String? = nil)
        throws(GrammarError) -> [Reading]
    {
        guard ChartParser.supports(grammar) else {
            return try SentenceInterpreter.interpret(grammar, sentence: sentence, category: category)
        }
        let tokens = try validatedTokens(grammar, sentence: sentence)
        var target = grammar.start
        if let category {
            guard let c = grammar.category(named: category) else {
                throw GrammarError(
                    "unknown category '\(category)'", at: SourceLocation(file: "<sentence>", line: 1, column: 1))
            }
            target = c
        }
        let forest = ChartParser(grammar).parse(tokens)
        let roots = forest.roots(category: target)
        let bounds = EnumerationBounds(
            maxDepth: min(4 * tokens.count + 4, EnumerationBounds.maximumDepth), maxLength: tokens.count,
            maxTerms: 2_000_000)
        var unfolding = ForestUnfolding(grammar: grammar, forest: forest, roots: roots, bounds: bounds)
        unfolding.run()
        let fragment = unfolding.builder.fragment
        var readings: [Reading] = []
        var forms: [Int32: Expression] = [:]
        for id in roots.flatMap({ unfolding.terms[$0] ?? [] }).sorted() {
            readings.append(reading(of: id, in: fragment, logicalForms: &forms))
        }
        return readings
    }

    /// The reading of stored term `id`, as ``SentenceInterpreter`` reports it.
    static func reading(of id: Int32, in fragment: Fragment, logicalForms forms: inout [Int32: Expression])
        -> Reading
    {
        let c = fragment.category(of: id)
        let record = fragment.record(of: id)
        let meaning = fragment.meaning(of: id)
        return Reading(
            term: fragment.term(id), category: fragment.grammar.categories[c].name,
            meaning: meaning < 0 ? "⊥" : fragment.describe(meaning: meaning),
            values: record < 0 ? "⊥" : fragment.engine.describeRecord(record),
            logicalForm: SentenceInterpreter.logicalForm(of: id, in: fragment, memo: &forms).map(LogicalForm.render),
            tree: SentenceInterpreter.tree(of: id, in: fragment),
            undefinedReason: meaning < 0 ? SentenceInterpreter.undefinedReason(of: id, in: fragment) : nil)
    }

    /// The sentence's tokens, or the errors ``SentenceInterpreter`` reports: an empty sentence, an unknown word.
    static func validatedTokens(_ grammar: InterpretedGrammar, sentence: String) throws(GrammarError) -> [String] {
        let tokens = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else {
            throw GrammarError("empty sentence", at: SourceLocation(file: "<sentence>", line: 1, column: 1))
        }
        var vocabulary = SentenceInterpreter.syncategorematic(grammar)
        for operation in grammar.operations {
            if case .tokens(let t) = operation.form { vocabulary.formUnion(t) }
        }
        for (i, t) in tokens.enumerated() where !vocabulary.contains(t) {
            let column = tokens[..<i].reduce(1) { $0 + $1.count + 1 }
            throw GrammarError("unknown word '\(t)'", at: SourceLocation(file: "<sentence>", line: 1, column: column))
        }
        return tokens
    }
}

/// Unfolds the derivations of a forest's roots depth by depth (each derivation once, as the enumerator builds
/// terms of depth d from children of depth < d with at least one of depth exactly d − 1).
struct ForestUnfolding {
    let grammar: InterpretedGrammar
    let forest: ParseForest
    let bounds: EnumerationBounds
    var builder: DerivationBuilder
    /// Term ids per node, in order of depth.
    var terms: [Int: [Int32]] = [:]
    /// `ends[node][d]`: number of the node's terms of depth ≤ d (index 0: 0).
    var ends: [Int: [Int]] = [:]
    /// The useful nodes' edges grouped by operation, operations in grammar order.
    var edgesByOperation: [[(node: Int, edge: ParseForest.Edge)]]
    /// The nodes taking part in a derivation of a root.
    let usefulNodes: [Int]
    /// Bucket (category and feature values) order of creation.
    var buckets: [[Int]: Int] = [:]
    /// Whether `maxTerms` stopped the unfolding.
    var truncated = false

    init(grammar: InterpretedGrammar, forest: ParseForest, roots: [Int], bounds: EnumerationBounds) {
        self.grammar = grammar
        self.forest = forest
        self.bounds = bounds
        self.builder = DerivationBuilder(grammar: grammar, bounds: bounds)
        var grouped = [[(node: Int, edge: ParseForest.Edge)]](repeating: [], count: grammar.operations.count)
        self.usefulNodes = forest.reachable(from: roots)
        for node in usefulNodes {
            for edge in forest.nodes[node].edges { grouped[edge.operation].append((node, edge)) }
        }
        self.edgesByOperation = grouped
    }

    mutating func run() {
        guard bounds.maxDepth >= 1 else { return }
        for depth in 1...bounds.maxDepth {
            var produced = 0
            for group in edgesByOperation {
                // The enumerator's order within one operation and depth: child buckets (category and features, in
                // order of creation), then the position of the child of depth d − 1, then the children's yield
                // lengths and creation order, position by position.
                var pending: [Pending] = []
                for (node, edge) in group { collect(node: node, edge: edge, depth: depth, into: &pending) }
                pending.sort { $0.key.lexicographicallyPrecedes($1.key) }
                for item in pending {
                    append(node: item.node, operation: item.operation, children: item.children)
                    produced += 1
                    if truncated { return }
                }
            }
            for node in usefulNodes { ends[node, default: [0]].append(terms[node]?.count ?? 0) }
            if produced == 0 { return }
        }
    }

    /// A term to build, with its place in the enumeration order.
    struct Pending {
        let key: [Int]
        let node: Int
        let operation: Int
        let children: [Int32]
    }

    /// Number of the node's terms of depth ≤ `depth` (0 for depth 0).
    func count(_ node: Int, upTo depth: Int) -> Int {
        guard depth > 0, let list = ends[node] else { return 0 }
        return list[min(depth, list.count - 1)]
    }

    /// The order of the bucket (category and feature values) of `node`, assigned at first use.
    mutating func bucketOrder(_ node: Int) -> Int {
        let key = [forest.nodes[node].category] + forest.nodes[node].features
        if let known = buckets[key] { return known }
        buckets[key] = buckets.count
        return buckets.count - 1
    }

    /// Every term `edge.operation(children)` of exactly `depth`, with its ordering key.
    mutating func collect(node: Int, edge: ParseForest.Edge, depth: Int, into pending: inout [Pending]) {
        let arity = edge.children.count
        if arity == 0 {
            if depth == 1 { pending.append(Pending(key: [], node: node, operation: edge.operation, children: [])) }
            return
        }
        guard depth >= 2 else { return }
        let bucketKey = edge.children.map { bucketOrder($0) }
        var lower = [Int](repeating: 0, count: arity)
        var upper = [Int](repeating: 0, count: arity)
        for j in 0..<arity {
            var empty = false
            for (i, child) in edge.children.enumerated() {
                if i < j {
                    lower[i] = 0
                    upper[i] = count(child, upTo: depth - 2)
                } else if i == j {
                    lower[i] = count(child, upTo: depth - 2)
                    upper[i] = count(child, upTo: depth - 1)
                } else {
                    lower[i] = 0
                    upper[i] = count(child, upTo: depth - 1)
                }
                if lower[i] >= upper[i] { empty = true }
            }
            if empty { continue }
            var index = lower
            while true {
                var kids = [Int32](repeating: 0, count: arity)
                var key = bucketKey + [j]
                for (i, child) in edge.children.enumerated() {
                    kids[i] = terms[child, default: []][index[i]]
                    key.append(forest.nodes[child].end - forest.nodes[child].start)
                    key.append(Int(kids[i]))
                }
                pending.append(Pending(key: key, node: node, operation: edge.operation, children: kids))
                var i = arity - 1
                while i >= 0 {
                    index[i] += 1
                    if index[i] < upper[i] { break }
                    index[i] = lower[i]
                    i -= 1
                }
                if i < 0 { break }
            }
        }
    }

    mutating func append(node: Int, operation: Int, children: [Int32]) {
        _ = bucketOrder(node)
        let id = builder.add(operation: operation, children: children)
        terms[node, default: []].append(id)
        if builder.fragment.termCount >= bounds.maxTerms {
            builder.fragment.truncated = true
            truncated = true
        }
    }
}
