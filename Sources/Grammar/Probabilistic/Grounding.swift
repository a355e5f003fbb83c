/// A feature grammar compiled to a plain context-free grammar over node types (a category with feature values, the
/// enumerator's buckets): every type with a finite derivation, and every operation over a tuple of child types that
/// unifies, with the mother type it builds.
struct Grounding {
    struct TypeKey: Hashable {
        let category: Int
        let features: [Int]
    }

    struct ProductionKey: Hashable {
        let operation: Int
        let children: [Int]
    }

    var types: [(category: Int, features: [Int])] = []
    var productions: [(operation: Int, children: [Int], mother: Int)] = []

    /// Grounds `grammar`; throws when more than `limit` productions arise (too many feature combinations).
    init(grammar: InterpretedGrammar, limit: Int) throws(GrammarError) {
        var typeIndex: [TypeKey: Int] = [:]
        var typesByCategory = [[Int]](repeating: [], count: grammar.categories.count)
        var seen: Set<ProductionKey> = []
        var changed = true
        while changed {
            changed = false
            for (op, operation) in grammar.operations.enumerated() {
                let arity = operation.arity
                let candidates = operation.daughterCategories.map { typesByCategory[$0] }
                if candidates.contains(where: \.isEmpty) { continue }
                var choice = [Int](repeating: 0, count: arity)
                while true {
                    let children = (0..<arity).map { candidates[$0][choice[$0]] }
                    let key = ProductionKey(operation: op, children: children)
                    if !seen.contains(key),
                        let features = operation.motherFeatures(
                            for: children.map { types[$0].features },
                            motherFeatureCount: grammar.categories[operation.category].features.count)
                    {
                        seen.insert(key)
                        let typeKey = TypeKey(category: operation.category, features: features)
                        let mother: Int
                        if let known = typeIndex[typeKey] {
                            mother = known
                        } else {
                            mother = types.count
                            types.append((operation.category, features))
                            typeIndex[typeKey] = mother
                            typesByCategory[operation.category].append(mother)
                        }
                        productions.append((op, children, mother))
                        changed = true
                        if productions.count > limit {
                            throw GrammarError(
                                "the grammar's features make more than \(limit) typed productions",
                                at: operation.location)
                        }
                    }
                    var i = arity - 1
                    while i >= 0 {
                        choice[i] += 1
                        if choice[i] < candidates[i].count { break }
                        choice[i] = 0
                        i -= 1
                    }
                    if i < 0 { break }
                }
            }
        }
    }
}
