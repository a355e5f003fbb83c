/// Builds given derivations into a ``Fragment`` bottom-up, computing each term's meaning as the enumerator does
/// (overrides first, then the lexical meaning or the rule's semantics over the children's records).
///
/// The chart parser and the probabilistic grammar's sampler use it to interpret the derivations they find without
/// enumerating the fragment.
struct DerivationBuilder {
    let fragment: Fragment
    let grammar: InterpretedGrammar
    var stringOverrides: [Int: [(index: Int, tokens: [String])]] = [:]
    var termOverrides: [Int: [(index: Int, pattern: CompiledPattern)]] = [:]
    var featureIDs: [[Int]: Int32] = [:]

    init(grammar: InterpretedGrammar, bounds: EnumerationBounds) {
        self.grammar = grammar
        self.fragment = Fragment(grammar: grammar, bounds: bounds, tracksStructure: false)
        for (i, o) in grammar.overrides.enumerated() {
            switch o.target {
            case .string(let c, let tokens): stringOverrides[c, default: []].append((i, tokens))
            case .term(let pattern):
                if case .operation(let op, _) = pattern { termOverrides[op, default: []].append((i, pattern)) }
            }
        }
    }

    /// Stores `operation(children)` (children already stored) and returns its id.
    mutating func add(operation op: Int, children kids: [Int32]) -> Int32 {
        let operation = grammar.operations[op]
        let store = fragment.store
        var depth = 1
        var size = 1
        var length = 0
        switch operation.form {
        case .tokens(let tokens): length = tokens.count
        case .concatenation(let items):
            for case .token in items { length += 1 }
        case .general: break
        }
        for child in kids {
            depth = max(depth, Int(store.depth[Int(child)]) + 1)
            size += Int(store.size[Int(child)])
            length += Int(store.length[Int(child)])
        }
        if case .general = operation.form { length = fragment.tokens(operation: op, children: kids).count }
        let record: Int32
        if let r = overrideRecord(operation: op, children: kids, length: length) {
            record = r
        } else if operation.isLexical {
            record = fragment.engine.lexicalRecord(op)
        } else {
            let arguments = kids.map { store.record[Int($0)] }
            let frag = fragment
            record = arguments.withUnsafeBufferPointer { records in
                fragment.engine.ruleRecord(
                    op, arguments: records,
                    forms: { (kids.map { frag.tokens(of: $0) }, frag.tokens(operation: op, children: kids)) })
            }
        }
        let featureID: Int32
        let features =
            operation.motherFeatures(
                for: kids.map { fragment.featureVectors[Int(store.features[Int($0)])] },
                motherFeatureCount: grammar.categories[operation.category].features.count) ?? []
        if let known = featureIDs[features] {
            featureID = known
        } else {
            featureID = Int32(fragment.featureVectors.count)
            fragment.featureVectors.append(features)
            featureIDs[features] = featureID
        }
        let id = kids.withUnsafeBufferPointer {
            store.append(
                operation: Int32(op), children: $0, depth: depth, size: size, length: length, features: featureID,
                record: record, structured: -1)
        }
        fragment.countsByCategory[operation.category] += 1
        fragment.termCount += 1
        if record < 0 { fragment.meaninglessCount += 1 }
        return id
    }

    func matches(_ pattern: CompiledPattern, operation op: Int, children kids: [Int32]) -> Bool {
        switch pattern {
        case .wildcard: return true
        case .atom(let name):
            let o = grammar.operations[op]
            if o.arity != 0 { return false }
            return o.name == name
                || (o.isLexical && fragment.tokens(operation: op, children: kids).joined(separator: " ") == name)
        case .operation(let p, let arguments):
            guard p == op else { return false }
            for (a, child) in zip(arguments, kids)
            where !matches(a, operation: fragment.operation(of: child), children: fragment.children(of: child)) {
                return false
            }
            return true
        }
    }

    func overrideRecord(operation op: Int, children kids: [Int32], length: Int) -> Int32? {
        if let list = termOverrides[op] {
            for (index, pattern) in list where matches(pattern, operation: op, children: kids) {
                return fragment.engine.overrideRecord(index)
            }
        }
        if let list = stringOverrides[grammar.operations[op].category] {
            var tokens: [String]?
            for (index, overrideTokens) in list where overrideTokens.count == length {
                let yield = tokens ?? fragment.tokens(operation: op, children: kids)
                tokens = yield
                if yield == overrideTokens { return fragment.engine.overrideRecord(index) }
            }
        }
        return nil
    }
}
