/// A term visited during enumeration (valid only during the callback).
public struct EnumeratedTerm {
    /// Operation index.
    public let operation: Int
    /// Children (stored term ids), borrowed from the enumerator's store: valid only during the callback (copy
    /// with `Array(children)` to keep them).
    public let children: UnsafeBufferPointer<Int32>
    /// Stored id, or -1 for a transient term of the deepest layer.
    public let id: Int32
    /// Depth (atoms: 1).
    public let depth: Int
    /// Number of nodes.
    public let size: Int
    /// Yield length in tokens.
    public let length: Int
    /// Semantic record (-1: meaningless).
    public let record: Int32
    /// Structured meaning id (-1 unless structured meanings are tracked).
    public let structured: Int32
}

/// A bounded fragment T_B of the term algebra with the meaning of every term: the object every check runs on.
public final class Fragment {
    /// The grammar.
    public let grammar: InterpretedGrammar
    /// The bounds used.
    public let bounds: EnumerationBounds
    /// Stored terms.
    let store = TermStore()
    let engine: SemanticsEngine
    /// Terms per category (visited, including transient ones).
    public internal(set) var countsByCategory: [Int]
    /// Terms per depth (index 0 = depth 1).
    public internal(set) var countsByDepth: [Int] = []
    /// Total number of terms visited.
    public internal(set) var termCount = 0
    /// Whether `maxTerms` stopped the enumeration.
    public internal(set) var truncated = false
    /// Whether the last depth produced no new terms (the fragment is the whole language within the length bound).
    public internal(set) var saturated = false
    /// Number of meaningless terms (evaluation errors or failed `requires`).
    public internal(set) var meaninglessCount = 0
    /// Feature vectors by id (a term's `features` indexes this).
    var featureVectors: [[Int]] = []
    /// Whether structured meanings were tracked.
    let tracksStructure: Bool
    /// Per operation: category, arity and whether it is lexical (flat copies, so per-term accessors do not copy the
    /// ``Operation`` value with its arrays).
    let operationCategory: [Int]
    let operationArity: [Int]
    let operationIsLexical: [Bool]
    /// μ under the declared view by (category, lexical) kind and record, filled on demand (−2: not computed yet): the
    /// checks ask for it once per term and check, and a record has one meaning per kind.
    private var declaredMeanings: [[Int32]]
    /// Per operation: its kind, or −1 when the declared level is structured (per term, not per record).
    private let operationKind: [Int]

    init(grammar: InterpretedGrammar, bounds: EnumerationBounds, tracksStructure: Bool) {
        self.grammar = grammar
        self.bounds = bounds
        let engine = SemanticsEngine(grammar: grammar)
        self.engine = engine
        self.countsByCategory = Array(repeating: 0, count: grammar.categories.count)
        self.tracksStructure = tracksStructure
        self.operationCategory = grammar.operations.map(\.category)
        self.operationArity = grammar.operations.map(\.arity)
        self.operationIsLexical = grammar.operations.map(\.isLexical)
        self.operationKind = grammar.operations.map { o in
            engine.level(category: o.category, lexical: o.isLexical, view: .declared) == .structured
                ? -1 : 2 * o.category + (o.isLexical ? 1 : 0)
        }
        self.declaredMeanings = Array(repeating: [], count: 2 * grammar.categories.count)
    }

    /// The declared meaning of a record for an operation's kind, from the cache.
    private func declaredMeaning(operation: Int, record: Int32) -> Int32? {
        let kind = operationKind[operation]
        guard kind >= 0, record >= 0 else { return nil }
        let r = Int(record)
        if r < declaredMeanings[kind].count, declaredMeanings[kind][r] != -2 { return declaredMeanings[kind][r] }
        let m = engine.meaning(
            record: record, category: operationCategory[operation], lexical: operationIsLexical[operation],
            view: .declared)
        if r >= declaredMeanings[kind].count {
            declaredMeanings[kind].append(
                contentsOf: repeatElement(
                    -2, count: max(r + 1, 2 * declaredMeanings[kind].count) - declaredMeanings[kind].count))
        }
        declaredMeanings[kind][r] = m
        return m
    }

    /// Number of stored terms.
    public var storedCount: Int { store.count }

    /// Evaluation errors met while computing meanings (first 20).
    public var evaluationErrors: [String] { engine.evaluationErrors }

    /// Number of distinct meanings interned so far.
    public var distinctMeaningCount: Int { engine.table.count }

    /// Number of rule evaluations performed (memo misses).
    public var ruleEvaluationCount: Int { engine.evaluations }

    // MARK: - Term access

    /// The operation of stored term `id`.
    public func operation(of id: Int32) -> Int { Int(store.operation[Int(id)]) }

    /// The category of stored term `id`.
    public func category(of id: Int32) -> Int { operationCategory[operation(of: id)] }

    /// The children of stored term `id`.
    public func children(of id: Int32) -> [Int32] {
        Array(store.children(of: id, arity: operationArity[operation(of: id)]))
    }

    /// Depth of stored term `id`.
    public func depth(of id: Int32) -> Int { Int(store.depth[Int(id)]) }

    /// Feature vector id of stored term `id`.
    func featureID(of id: Int32) -> Int32 { store.features[Int(id)] }

    /// Size of stored term `id`.
    public func size(of id: Int32) -> Int { Int(store.size[Int(id)]) }

    /// The semantic record of stored term `id` (-1: meaningless).
    func record(of id: Int32) -> Int32 { store.record[Int(id)] }

    /// μ(t) of stored term `id` under `view`.
    func meaning(of id: Int32, view: MeaningView = .declared) -> Int32 {
        let op = operation(of: id)
        if view == .declared, let m = declaredMeaning(operation: op, record: record(of: id)) { return m }
        let category = operationCategory[op]
        let lexical = operationIsLexical[op]
        if engine.level(category: category, lexical: lexical, view: view) == .structured {
            return store.structured[Int(id)]
        }
        return engine.meaning(record: record(of: id), category: category, lexical: lexical, view: view)
    }

    /// μ of a term given by operation and record (transient terms).
    func meaning(operation: Int, record: Int32, structured: Int32, view: MeaningView) -> Int32 {
        if view == .declared, let m = declaredMeaning(operation: operation, record: record) { return m }
        let category = operationCategory[operation]
        let lexical = operationIsLexical[operation]
        if engine.level(category: category, lexical: lexical, view: view) == .structured { return structured }
        return engine.meaning(record: record, category: category, lexical: lexical, view: view)
    }

    /// The tokens of stored term `id`.
    public func tokens(of id: Int32) -> [String] {
        let op = operation(of: id)
        return tokens(operation: op, children: children(of: id))
    }

    /// The tokens of `operation` applied to stored children.
    func tokens<C: Collection<Int32>>(operation op: Int, children kids: C) -> [String] {
        switch grammar.operations[op].form {
        case .tokens(let t): return t
        case .concatenation(let items):
            var out: [String] = []
            let array = Array(kids)
            for item in items {
                switch item {
                case .token(let t): out.append(t)
                case .daughter(let i): out += tokens(of: array[i])
                }
            }
            return out
        case .general(let code):
            let forms = kids.map { tokens(of: $0) }
            let frame = RuleFrame(daughters: forms.map { [Value.sequence($0.map { .string($0) })] })
            var environment: [Value] = []
            guard
                case .sequence(let values) = try? grammar.model.evaluate(
                    code, environment: &environment, point: EvaluationPoint(context: 0, world: 0), frame: frame)
            else { return ["<form error>"] }
            return values.map {
                if case .string(let s) = $0 { return s }
                return "?"
            }
        }
    }

    /// The surface string of stored term `id`.
    public func yield(of id: Int32) -> String { tokens(of: id).joined(separator: " ") }

    /// The term tree of stored term `id`.
    public func term(_ id: Int32) -> Term {
        term(operation: operation(of: id), children: children(of: id))
    }

    /// The term tree of `operation` applied to stored children.
    public func term(operation op: Int, children kids: [Int32]) -> Term {
        let operation = grammar.operations[op]
        let arguments = kids.map { term($0) }
        return Term(
            operation: operation.name, isAtom: operation.isLexical, arguments: arguments,
            yield: tokens(operation: op, children: kids).joined(separator: " "),
            category: grammar.categories[operation.category].name,
            depth: 1 + (arguments.map(\.depth).max() ?? 0), size: 1 + arguments.map(\.size).reduce(0, +))
    }

    /// A meaning id rendered for reports.
    func describe(meaning id: Int32) -> String { engine.describe(id) }

    /// All stored term ids.
    public var storedTerms: Range<Int32> { 0..<Int32(store.count) }
}
