/// Builds given derivations into a ``Fragment`` bottom-up, computing each term's meaning as the enumerator does
/// (overrides first, then the lexical meaning or the rule's semantics over the children's records).
///
/// The chart parser and the probabilistic grammar's sampler use it to interpret the derivations they find without
/// enumerating the fragment.
struct DerivationBuilder {
    let fragment: Fragment
    let grammar: InterpretedGrammar
    let overrides: OverrideTable
    var featureIDs: [[Int]: Int32] = [:]

    init(grammar: InterpretedGrammar, bounds: EnumerationBounds) {
        self.grammar = grammar
        self.fragment = Fragment(grammar: grammar, bounds: bounds, tracksStructure: false)
        self.overrides = OverrideTable(grammar)
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
        if let r = overrides.record(operation: op, children: kids, length: length, in: fragment) {
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
}
