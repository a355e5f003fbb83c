/// A packed parse forest: every derivation of a token sequence, shared by span.
///
/// A node is a category with its feature values over a span of tokens (`start..<end`); its edges are the ways to
/// build it — an operation of the syntactic algebra and one child node per argument. The forest is finite even when
/// the sentence has infinitely many derivations (unary cycles, empty constituents): derivations are the trees
/// obtained by unfolding the edges from a root node.
public struct ParseForest: Sendable {
    /// One way to build a node: `operation(children…)`.
    public struct Edge: Sendable, Hashable {
        /// Index of the operation in ``InterpretedGrammar/operations``.
        public let operation: Int
        /// Child node indices, in argument order.
        public let children: [Int]
    }

    /// A category with feature values over a span.
    public struct Node: Sendable {
        /// Category index.
        public let category: Int
        /// Feature values (-1: unset), as the enumerator's buckets hold them.
        public let features: [Int]
        /// First token.
        public let start: Int
        /// One past the last token.
        public let end: Int
        /// The ways to build it, in the order they were found.
        public internal(set) var edges: [Edge]
    }

    /// The parsed tokens.
    public let tokens: [String]
    /// All nodes; children are always found before the nodes they build, except inside one span (unary rules and
    /// empty constituents), where cycles are possible.
    public internal(set) var nodes: [Node] = []

    /// The nodes spanning the whole sentence whose category is `category` (any category when nil).
    public func roots(category: Int?) -> [Int] {
        nodes.indices.filter {
            nodes[$0].start == 0 && nodes[$0].end == tokens.count && (category == nil || nodes[$0].category == category)
        }
    }

    /// Whether the sentence has a derivation of `category` (any category when nil).
    public func recognizes(category: Int?) -> Bool { !roots(category: category).isEmpty }

    /// The nodes reachable from `roots` (the ones taking part in some derivation of a root), in increasing index.
    public func reachable(from roots: [Int]) -> [Int] {
        var seen = Set(roots)
        var stack = roots
        while let node = stack.popLast() {
            for edge in nodes[node].edges {
                for child in edge.children where seen.insert(child).inserted { stack.append(child) }
            }
        }
        return seen.sorted()
    }
}

/// A chart parser for the concatenative operations of a grammar's syntactic algebra, with feature unification.
///
/// Bottom-up CKY over spans of increasing length (Kasami 1965; Younger 1967), generalised to operations of any
/// arity with syncategorematic tokens by matching an operation's form left to right against the span, and to unary
/// operations and empty constituents by closing each span under the operations until nothing changes. Features are
/// unified exactly as the enumerator does (``Operation`` `motherFeatures(for:motherFeatureCount:)`), so the forest's
/// derivations of a sentence are exactly the enumerated terms whose yield is the sentence. Time is polynomial in the
/// sentence length: O(n^(k+1)) per operation of arity k, with features multiplying the node count.
///
/// Operations with a general (non-concatenative) `form` cannot be charted: ``supports(_:)`` tells.
public struct ChartParser {
    /// The grammar.
    public let grammar: InterpretedGrammar
    /// Concatenative rules (not atoms given by tokens): operation index and form items.
    let rules: [(operation: Int, items: [FormItem])]
    /// Atoms whose form is a token list, by first token.
    let atomsByFirstToken: [String: [(operation: Int, tokens: [String])]]
    /// The fewest tokens a term of each category can yield (Int.max: no finite term).
    let minimumYield: [Int]
    /// Per rule (same order as `rules`): the fewest tokens the items from position k onwards yield.
    let minimumSuffix: [[Int]]

    /// Whether every operation of `grammar` is concatenative (the chart parser applies).
    public static func supports(_ grammar: InterpretedGrammar) -> Bool {
        grammar.operations.allSatisfy {
            if case .general = $0.form { return false }
            return true
        }
    }

    /// A parser for `grammar`.
    ///
    /// - Precondition: ``supports(_:)`` holds (callers fall back to enumeration otherwise).
    public init(_ grammar: InterpretedGrammar) {
        precondition(Self.supports(grammar), "ChartParser: the grammar has a non-concatenative operation")
        self.grammar = grammar
        var rules: [(Int, [FormItem])] = []
        var atoms: [String: [(Int, [String])]] = [:]
        for (index, operation) in grammar.operations.enumerated() {
            switch operation.form {
            case .tokens(let tokens):
                if let first = tokens.first { atoms[first, default: []].append((index, tokens)) }
            case .concatenation(let items):
                rules.append((index, items))
            case .general:
                break
            }
        }
        self.rules = rules
        self.atomsByFirstToken = atoms
        // Shortest yields by a fixpoint over the operations.
        var minimum = [Int](repeating: Int.max, count: grammar.categories.count)
        var changed = true
        while changed {
            changed = false
            for operation in grammar.operations {
                let length: Int
                switch operation.form {
                case .tokens(let tokens): length = tokens.count
                case .concatenation(let items): length = Self.minimumLength(items, operation, minimum)
                case .general: length = Int.max
                }
                if length < minimum[operation.category] {
                    minimum[operation.category] = length
                    changed = true
                }
            }
        }
        self.minimumYield = minimum
        self.minimumSuffix = rules.map { rule in
            let operation = grammar.operations[rule.0]
            var suffix = [Int](repeating: 0, count: rule.1.count + 1)
            for k in stride(from: rule.1.count - 1, through: 0, by: -1) {
                suffix[k] = Self.adding(suffix[k + 1], Self.minimumLength([rule.1[k]], operation, minimum))
            }
            return suffix
        }
    }

    static func adding(_ a: Int, _ b: Int) -> Int { a == Int.max || b == Int.max ? Int.max : a + b }

    static func minimumLength(_ items: [FormItem], _ operation: Operation, _ minimum: [Int]) -> Int {
        var total = 0
        for item in items {
            switch item {
            case .token: total = adding(total, 1)
            case .daughter(let d): total = adding(total, minimum[operation.daughterCategories[d]])
            }
        }
        return total
    }

    /// The packed forest of every derivation of `tokens` (in any category).
    public func parse(_ tokens: [String]) -> ParseForest {
        var chart = Chart(parser: self, tokens: tokens)
        chart.fill()
        return chart.forest
    }
}

/// The chart being filled: nodes indexed by (span, category) and by their full key.
private struct Chart {
    struct NodeKey: Hashable {
        let category: Int
        let start: Int
        let end: Int
        let features: [Int]
    }

    let parser: ChartParser
    let grammar: InterpretedGrammar
    let tokens: [String]
    var forest: ParseForest
    var nodeIndex: [NodeKey: Int] = [:]
    /// Node indices per (start, end, category).
    var bySpanAndCategory: [Int: [Int]] = [:]
    var edgeSeen: [Int: Set<ParseForest.Edge>] = [:]
    var changed = false

    init(parser: ChartParser, tokens: [String]) {
        self.parser = parser
        self.grammar = parser.grammar
        self.tokens = tokens
        self.forest = ParseForest(tokens: tokens)
    }

    func key(_ start: Int, _ end: Int, _ category: Int) -> Int {
        (start * (tokens.count + 1) + end) * grammar.categories.count + category
    }

    mutating func fill() {
        let n = tokens.count
        for length in 0...n {
            for start in 0...(n - length) {
                let end = start + length
                if length > 0 { addAtoms(start: start, end: end) }
                repeat {
                    changed = false
                    for (r, rule) in parser.rules.enumerated() where parser.minimumSuffix[r][0] <= length {
                        var children = [Int](repeating: -1, count: grammar.operations[rule.operation].arity)
                        match(rule: r, item: 0, position: start, start: start, end: end, children: &children)
                    }
                } while changed
            }
        }
    }

    mutating func addAtoms(start: Int, end: Int) {
        guard let candidates = parser.atomsByFirstToken[tokens[start]] else { return }
        for (operation, atomTokens) in candidates where atomTokens.count == end - start {
            if atomTokens.elementsEqual(tokens[start..<end]) {
                complete(operation: operation, children: [], start: start, end: end)
            }
        }
    }

    /// Matches the items of rule `r` from `item` on against `position..<end`.
    mutating func match(rule r: Int, item: Int, position: Int, start: Int, end: Int, children: inout [Int]) {
        let rule = parser.rules[r]
        if item == rule.items.count {
            if position == end { complete(operation: rule.operation, children: children, start: start, end: end) }
            return
        }
        let rest = parser.minimumSuffix[r][item + 1]
        switch rule.items[item] {
        case .token(let token):
            if position < end, tokens[position] == token {
                match(rule: r, item: item + 1, position: position + 1, start: start, end: end, children: &children)
            }
        case .daughter(let d):
            let category = grammar.operations[rule.operation].daughterCategories[d]
            guard rest != Int.max, end - rest >= position else { return }
            for stop in position...(end - rest) {
                guard let candidates = bySpanAndCategory[key(position, stop, category)] else { continue }
                for node in candidates {
                    children[d] = node
                    match(rule: r, item: item + 1, position: stop, start: start, end: end, children: &children)
                }
            }
            children[d] = -1
        }
    }

    mutating func complete(operation op: Int, children: [Int], start: Int, end: Int) {
        let operation = grammar.operations[op]
        let category = operation.category
        guard
            let features = operation.motherFeatures(
                for: children.map { forest.nodes[$0].features },
                motherFeatureCount: grammar.categories[category].features.count)
        else { return }
        let nodeKey = NodeKey(category: category, start: start, end: end, features: features)
        let node: Int
        if let known = nodeIndex[nodeKey] {
            node = known
        } else {
            node = forest.nodes.count
            forest.nodes.append(
                ParseForest.Node(category: category, features: features, start: start, end: end, edges: []))
            nodeIndex[nodeKey] = node
            bySpanAndCategory[key(start, end, category), default: []].append(node)
        }
        let edge = ParseForest.Edge(operation: op, children: children)
        if edgeSeen[node, default: []].insert(edge).inserted {
            forest.nodes[node].edges.append(edge)
            changed = true
        }
    }
}
