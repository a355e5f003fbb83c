/// The decision half of N10 (Hodges 2001, fregean equivalence on sentences): is there a pair of μ-synonymous
/// sentences p, q (same Hodges category) and a frame s with s[p], s[q] meaningful sentences of different meaning?
///
/// Frames are the fragment's frames — chains of at most `maxDepth − 1` one-step frames F(t1, …, _, …, tk) whose
/// siblings are terms of the fragment — but s[p] and s[q] are evaluated *whatever their depth*: meanings are computed
/// for every term, so the verdict does not depend on where p and q sit in the bounded fragment (a frame that fits
/// around "0" is also applied around a deeper synonym). Frames are skipped only where the definition skips them: when
/// s[p] or s[q] is not meaningful.
///
/// The search runs breadth-first over pairs (s[p], s[q]) by the number of one-step frames, so the first separating
/// frame found is one of fewest steps. Two terms with the same record, syntactic type, structured meaning, matches of
/// the override patterns' sub-patterns and (when rules or overrides read forms) surface form behave identically in
/// every frame; pairs and siblings are deduplicated on that key, which keeps the search proportional to the distinct
/// meanings rather than to the fragment.
struct FregeanFrameSearch {
    /// A separating frame.
    struct Separation {
        var p: Int32
        var q: Int32
        var frame: String
        var meaningP: Int32
        var meaningQ: Int32
        var sentenceMeaning: Int32
    }

    /// A term built on top of the fragment: operation and children (a child ≥ 0 is a stored term, < 0 an extension).
    private struct Node {
        var operation: Int
        var children: [Int]
        var record: Int32
        var structured: Int32
        var features: [Int]
        var tokens: [String]
    }

    private struct Pair {
        var a: Int
        var b: Int
        var origin: (p: Int32, q: Int32)
        var frame: String
    }

    private struct StateKey: Hashable {
        var category: Int
        var record: Int32
        var structured: Int32
        var features: [Int]
        /// Which sub-patterns of the term overrides the term matches (overrides look that deep).
        var patterns: [Bool]
        /// The surface form, when form-reading rules or string overrides can see it.
        var yield: [String]?
    }

    let fragment: Fragment
    let view: MeaningView
    let start: Int
    /// Whether no rule or override reads surface forms (then forms are neither computed nor compared).
    let recordDetermined: Bool
    /// Whether surface forms can change a meaning (form-reading rules, string overrides).
    let formsMatter: Bool
    /// Every non-wildcard sub-pattern of the term overrides.
    let subpatterns: [CompiledPattern]
    private var nodes: [Node] = []
    /// Number of one-step frame applications performed.
    private(set) var applications = 0
    /// Whether the work limit stopped the search.
    private(set) var cut = false
    let applicationLimit: Int

    init(fragment: Fragment, view: MeaningView, start: Int, applicationLimit: Int = 500_000) {
        self.fragment = fragment
        self.view = view
        self.start = start
        let grammar = fragment.grammar
        var subpatterns: [CompiledPattern] = []
        var formsMatter = !grammar.formReadingOperations.isEmpty
        func collect(_ pattern: CompiledPattern) {
            switch pattern {
            case .wildcard: break
            case .atom: subpatterns.append(pattern)
            case .operation(_, let arguments):
                subpatterns.append(pattern)
                arguments.forEach(collect)
            }
        }
        for o in grammar.overrides {
            switch o.target {
            case .term(let pattern): collect(pattern)
            case .string: formsMatter = true
            }
        }
        self.subpatterns = subpatterns
        self.formsMatter = formsMatter
        self.recordDetermined = !grammar.hasOverrides && !formsMatter
        self.applicationLimit = applicationLimit
    }

    // MARK: - Terms beyond the fragment

    private func operation(_ ref: Int) -> Int {
        ref >= 0 ? fragment.operation(of: Int32(ref)) : nodes[-1 - ref].operation
    }

    private func category(_ ref: Int) -> Int { fragment.grammar.operations[operation(ref)].category }

    private func record(_ ref: Int) -> Int32 {
        ref >= 0 ? fragment.record(of: Int32(ref)) : nodes[-1 - ref].record
    }

    private func structured(_ ref: Int) -> Int32 {
        ref >= 0 ? fragment.store.structured[ref] : nodes[-1 - ref].structured
    }

    private func features(_ ref: Int) -> [Int] {
        ref >= 0 ? fragment.featureVectors[Int(fragment.featureID(of: Int32(ref)))] : nodes[-1 - ref].features
    }

    private func tokens(_ ref: Int) -> [String] {
        ref >= 0 ? fragment.tokens(of: Int32(ref)) : nodes[-1 - ref].tokens
    }

    private func children(_ ref: Int) -> [Int] {
        ref >= 0 ? fragment.children(of: Int32(ref)).map { Int($0) } : nodes[-1 - ref].children
    }

    private func meaning(_ ref: Int) -> Int32 {
        if ref >= 0 { return fragment.meaning(of: Int32(ref), view: view) }
        let node = nodes[-1 - ref]
        return fragment.meaning(operation: node.operation, record: node.record, structured: node.structured, view: view)
    }

    private func key(_ ref: Int) -> StateKey {
        StateKey(
            category: category(ref), record: record(ref), structured: structured(ref), features: features(ref),
            patterns: subpatterns.map { matches($0, ref) }, yield: formsMatter ? tokens(ref) : nil)
    }

    private func describe(_ ref: Int) -> String {
        if ref >= 0 { return fragment.term(Int32(ref)).description }
        let node = nodes[-1 - ref]
        let operation = fragment.grammar.operations[node.operation]
        return operation.name + "(" + node.children.map { describe($0) }.joined(separator: ", ") + ")"
    }

    private func matches(_ pattern: CompiledPattern, _ ref: Int) -> Bool {
        switch pattern {
        case .wildcard: return true
        case .atom(let name):
            let o = fragment.grammar.operations[operation(ref)]
            if o.arity != 0 { return false }
            return o.name == name || (o.isLexical && tokens(ref).joined(separator: " ") == name)
        case .operation(let op, let arguments):
            guard op == operation(ref) else { return false }
            for (a, child) in zip(arguments, children(ref)) where !matches(a, child) { return false }
            return true
        }
    }

    /// `op(children)` as a new node, or nil when the features do not unify.
    private mutating func apply(_ op: Int, _ kids: [Int]) -> Int? {
        applications += 1
        let grammar = fragment.grammar
        let operation = grammar.operations[op]
        let count = grammar.categories[operation.category].features.count
        guard let mother = operation.motherFeatures(for: kids.map { features($0) }, motherFeatureCount: count) else {
            return nil
        }
        // Forms matter only to form-reading rules and overrides.
        let childTokens = recordDetermined ? [] : kids.map { tokens($0) }
        let motherTokens =
            recordDetermined ? [] : Self.tokens(of: operation, childTokens: childTokens, fragment: fragment)
        var record: Int32 = -1
        var overridden = false
        for (index, o) in grammar.overrides.enumerated() {
            switch o.target {
            case .term(let pattern):
                if case .operation(let p, _) = pattern, p == op {
                    let probe = Node(
                        operation: op, children: kids, record: -1, structured: -1, features: mother,
                        tokens: motherTokens)
                    nodes.append(probe)
                    let ref = -nodes.count
                    let hit = matches(pattern, ref)
                    nodes.removeLast()
                    if hit {
                        record = fragment.engine.overrideRecord(index)
                        overridden = true
                    }
                }
            case .string(let c, let t):
                if c == operation.category, t == motherTokens {
                    record = fragment.engine.overrideRecord(index)
                    overridden = true
                }
            }
            if overridden { break }
        }
        if !overridden {
            let records = kids.map { self.record($0) }
            record = records.withUnsafeBufferPointer { buffer in
                fragment.engine.ruleRecord(op, arguments: buffer, forms: { (childTokens, motherTokens) })
            }
        }
        var structured: Int32 = -1
        if fragment.tracksStructure {
            let childStructures = kids.map { self.structured($0) }
            structured = childStructures.withUnsafeBufferPointer {
                fragment.engine.structuredMeaning(operation: op, record: record, arguments: $0)
            }
        }
        nodes.append(
            Node(
                operation: op, children: kids, record: record, structured: structured, features: mother,
                tokens: motherTokens))
        return -nodes.count
    }

    /// The tokens of `operation` applied to daughters with the given tokens.
    static func tokens(of operation: Operation, childTokens: [[String]], fragment: Fragment) -> [String] {
        switch operation.form {
        case .tokens(let t): return t
        case .concatenation(let items):
            var out: [String] = []
            for item in items {
                switch item {
                case .token(let t): out.append(t)
                case .daughter(let i): out += childTokens[i]
                }
            }
            return out
        case .general(let code):
            let frame = RuleFrame(daughters: childTokens.map { [Value.sequence($0.map { .string($0) })] })
            var environment: [Value] = []
            guard
                case .sequence(let values) = try? fragment.grammar.model.evaluate(
                    code, environment: &environment, point: EvaluationPoint(context: 0, world: 0), frame: frame)
            else { return ["<form error>"] }
            return values.map {
                if case .string(let s) = $0 { return s }
                return "?"
            }
        }
    }

    // MARK: - Search

    /// The first separating frame (fewest one-step frames; then smallest sentences), or nil.
    ///
    /// `pairs` are the μ-synonymous sentence pairs to test (same Hodges category), smallest first.
    mutating func firstSeparation(pairs initial: [(Int32, Int32)]) -> Separation? {
        let grammar = fragment.grammar
        let maxSteps = max(0, fragment.bounds.maxDepth - 1)
        // Siblings: meaningful stored terms that fit as proper subterms of the fragment, one per state key.
        var siblings = [[Int]](repeating: [], count: grammar.categories.count)
        var seenSiblings: Set<StateKey> = []
        for id in fragment.storedTerms where fragment.record(of: id) >= 0 {
            if !fragment.saturated && fragment.depth(of: id) >= fragment.bounds.maxDepth { continue }
            if seenSiblings.insert(key(Int(id))).inserted { siblings[fragment.category(of: id)].append(Int(id)) }
        }
        var level: [Pair] = []
        var seenPairs: Set<[StateKey]> = []
        for (p, q) in initial {
            let pair = [key(Int(p)), key(Int(q))]
            if pair[0] == pair[1] { continue }
            if seenPairs.insert(pair).inserted {
                level.append(Pair(a: Int(p), b: Int(q), origin: (p, q), frame: "_"))
            }
        }
        var step = 0
        while !level.isEmpty && step < maxSteps {
            step += 1
            var next: [Pair] = []
            for pair in level {
                let hole = category(pair.a)
                for (op, operation) in grammar.operations.enumerated() where operation.arity > 0 {
                    for position in 0..<operation.arity where operation.daughterCategories[position] == hole {
                        var pools: [[Int]] = []
                        for j in 0..<operation.arity where j != position {
                            pools.append(siblings[operation.daughterCategories[j]])
                        }
                        if pools.contains(where: \.isEmpty) { continue }
                        var choice = [Int](repeating: 0, count: pools.count)
                        while true {
                            if applications >= applicationLimit {
                                cut = true
                                return nil
                            }
                            var kidsA: [Int] = []
                            var k = 0
                            for j in 0..<operation.arity {
                                if j == position {
                                    kidsA.append(pair.a)
                                } else {
                                    kidsA.append(pools[k][choice[k]])
                                    k += 1
                                }
                            }
                            var kidsB = kidsA
                            kidsB[position] = pair.b
                            let mark = nodes.count
                            var kept = false
                            if let a = apply(op, kidsA), let b = apply(op, kidsB), record(a) >= 0, record(b) >= 0 {
                                let parts = kidsA.enumerated().map { j, kid in
                                    j == position ? pair.frame : describe(kid)
                                }
                                let frame = operation.name + "(" + parts.joined(separator: ", ") + ")"
                                if operation.category == start {
                                    let ma = meaning(a)
                                    let mb = meaning(b)
                                    if ma >= 0, mb >= 0, ma != mb {
                                        return Separation(
                                            p: pair.origin.p, q: pair.origin.q, frame: frame, meaningP: ma,
                                            meaningQ: mb,
                                            sentenceMeaning: fragment.meaning(of: pair.origin.p, view: view))
                                    }
                                }
                                let keys = [key(a), key(b)]
                                if keys[0] != keys[1], seenPairs.insert(keys).inserted {
                                    next.append(Pair(a: a, b: b, origin: pair.origin, frame: frame))
                                    kept = true
                                }
                            }
                            if !kept { nodes.removeSubrange(mark...) }
                            var i = pools.count - 1
                            while i >= 0 {
                                choice[i] += 1
                                if choice[i] < pools[i].count { break }
                                choice[i] = 0
                                i -= 1
                            }
                            if i < 0 { break }
                        }
                    }
                }
            }
            level = next
        }
        return nil
    }
}
