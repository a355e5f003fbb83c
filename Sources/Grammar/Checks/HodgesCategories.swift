/// Hodges' (Husserl/Tarski) categories: p ~ q iff every frame s gives s[p] ∈ dom ⇔ s[q] ∈ dom.
///
/// Definedness of an operation depends only on the arguments' categories and features (the *syntactic type*), so ~
/// is computed exactly — for all frames, not only those inside the bound — by partition refinement of the finite set
/// of syntactic types: types are split until equal types are accepted by the same one-step frames and lead to
/// equal types (Myhill–Nerode for the tree automaton of definedness).
struct HodgesCategories {
    /// Syntactic types: category and feature values.
    var types: [[Int]] = []
    var typeIndex: [[Int]: Int] = [:]
    /// Whether a stored meaningful term has the type (only those serve as siblings in frames).
    var realized: [Bool] = []
    /// The smallest stored meaningful term of each realized type.
    var representative: [Int32] = []
    /// Refined block of each type (equal block ⇔ same Hodges category).
    var block: [Int] = []
    /// Transitions: (type, operation, position, sibling tuple) → result type or -1.
    var transitions: [Transition] = []
    /// Whether the type universe was cut off.
    var truncated = false
    /// The type of each (category, feature vector id) met in the fragment: terms share a handful of syntactic types,
    /// so the per-term lookup is one integer-keyed probe instead of building and hashing a feature array.
    private var typeOfKind: [Int64: Int] = [:]

    private static func kind(_ category: Int, _ featureID: Int32) -> Int64 { Int64(category) << 32 | Int64(featureID) }

    struct Transition {
        var type: Int
        var operation: Int
        var position: Int
        var siblings: [Int]
        var result: Int
    }

    init(fragment: Fragment, view: MeaningView) {
        let grammar = fragment.grammar
        for id in fragment.storedTerms where fragment.meaning(of: id, view: view) >= 0 {
            let category = fragment.category(of: id)
            let featureID = fragment.featureID(of: id)
            let t: Int
            if let known = typeOfKind[Self.kind(category, featureID)] {
                t = known
            } else {
                t = typeID([category] + fragment.featureVectors[Int(featureID)])
                typeOfKind[Self.kind(category, featureID)] = t
            }
            realized[t] = true
            let r = representative[t]
            if r < 0 || (fragment.depth(of: id), fragment.size(of: id)) < (fragment.depth(of: r), fragment.size(of: r))
            {
                representative[t] = id
            }
        }
        let realizedTypes = types.indices.filter { realized[$0] }
        var byCategory: [Int: [Int]] = [:]
        for t in realizedTypes { byCategory[types[t][0], default: []].append(t) }
        // Closure of the type universe under the operations (siblings realized).
        var processed = 0
        var seenTransitions: Set<[Int]> = []
        while processed < types.count {
            if types.count > 20_000 {
                truncated = true
                break
            }
            let t = processed
            processed += 1
            for (op, operation) in grammar.operations.enumerated() where operation.arity > 0 {
                for position in 0..<operation.arity where operation.daughterCategories[position] == types[t][0] {
                    var pools: [[Int]] = []
                    for j in 0..<operation.arity where j != position {
                        pools.append(byCategory[operation.daughterCategories[j]] ?? [])
                    }
                    if pools.contains(where: \.isEmpty) { continue }
                    var choice = Array(repeating: 0, count: pools.count)
                    while true {
                        let siblings = (0..<pools.count).map { pools[$0][choice[$0]] }
                        var features: [[Int]] = []
                        var k = 0
                        for j in 0..<operation.arity {
                            if j == position {
                                features.append(Array(types[t].dropFirst()))
                            } else {
                                features.append(Array(types[siblings[k]].dropFirst()))
                                k += 1
                            }
                        }
                        var result = -1
                        let count = grammar.categories[operation.category].features.count
                        if let mother = operation.motherFeatures(for: features, motherFeatureCount: count) {
                            result = typeID([operation.category] + mother)
                        }
                        let key = [t, op, position] + siblings
                        if seenTransitions.insert(key).inserted {
                            transitions.append(
                                Transition(
                                    type: t, operation: op, position: position, siblings: siblings, result: result))
                        }
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
        // Every (category, feature vector) that names a type, for `type(of:in:)`.
        var featureIDs: [[Int]: Int32] = [:]
        for (f, vector) in fragment.featureVectors.enumerated() { featureIDs[vector] = Int32(f) }
        for (t, key) in types.enumerated() {
            if let f = featureIDs[Array(key.dropFirst())] { typeOfKind[Self.kind(key[0], f)] = t }
        }
        // Partition refinement.
        block = Array(repeating: 0, count: types.count)
        var byType: [[Int]] = Array(repeating: [], count: types.count)
        for (i, tr) in transitions.enumerated() { byType[tr.type].append(i) }
        var blockCount = 1
        while true {
            var signatures: [[Int]: Int] = [:]
            var next = Array(repeating: 0, count: types.count)
            for t in types.indices {
                var signature = [block[t]]
                for i in byType[t] {
                    let tr = transitions[i]
                    signature += [tr.operation, tr.position] + tr.siblings + [tr.result < 0 ? -1 : block[tr.result]]
                }
                if let b = signatures[signature] {
                    next[t] = b
                } else {
                    next[t] = signatures.count
                    signatures[signature] = signatures.count
                }
            }
            block = next
            if signatures.count == blockCount { break }
            blockCount = signatures.count
        }
    }

    private mutating func typeID(_ key: [Int]) -> Int {
        if let t = typeIndex[key] { return t }
        types.append(key)
        realized.append(false)
        representative.append(-1)
        typeIndex[key] = types.count - 1
        return types.count - 1
    }

    /// The syntactic type of a stored term.
    func type(of id: Int32, in fragment: Fragment) -> Int? {
        typeOfKind[Self.kind(fragment.category(of: id), fragment.featureID(of: id))]
    }

    /// A frame accepting exactly one of two types in different blocks, as text with `_` for the hole, and which
    /// side it accepts (true: the first).
    func distinguishingFrame(_ a: Int, _ b: Int, fragment: Fragment) -> (frame: String, acceptsFirst: Bool)? {
        var queue: [(Int, Int, String)] = [(a, b, "_")]
        var visited: Set<[Int]> = [[a, b]]
        var head = 0
        var byType: [Int: [Transition]] = [:]
        for tr in transitions { byType[tr.type, default: []].append(tr) }
        while head < queue.count {
            let (x, y, inner) = queue[head]
            head += 1
            for (first, second, swapped) in [(x, y, false), (y, x, true)] {
                for t1 in byType[first] ?? [] {
                    let t2 =
                        byType[second]?.first(where: {
                            $0.operation == t1.operation && $0.position == t1.position && $0.siblings == t1.siblings
                        })
                        ?? Transition(
                            type: second, operation: t1.operation, position: t1.position, siblings: t1.siblings,
                            result: -1)
                    let (tx, ty) = swapped ? (t2, t1) : (t1, t2)
                    let operation = fragment.grammar.operations[tx.operation]
                    var parts: [String] = []
                    var k = 0
                    for j in 0..<operation.arity {
                        if j == tx.position {
                            parts.append(inner)
                        } else {
                            parts.append(fragment.term(representative[tx.siblings[k]]).description)
                            k += 1
                        }
                    }
                    let frame = operation.name + "(" + parts.joined(separator: ", ") + ")"
                    if (tx.result < 0) != (ty.result < 0) { return (frame, tx.result >= 0) }
                    if tx.result >= 0, ty.result >= 0, block[tx.result] != block[ty.result],
                        visited.insert([tx.result, ty.result]).inserted
                    {
                        queue.append((tx.result, ty.result, frame))
                    }
                }
            }
        }
        return nil
    }
}

/// N5 Husserl's principle: synonyms belong to the same Hodges category (SEP; Hodges 2001 "Husserlian").
enum HusserlCheck {
    static func run(fragment: Fragment, level: MeaningLevel?) -> NotionResult {
        let notion = Notion.husserl
        let view = MeaningView(level: level)
        let categories = HodgesCategories(fragment: fragment, view: view)
        // Per meaning: the smallest term of each Hodges block.
        var classes: [Int32: [Int: Int32]] = [:]
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id, view: view)
            guard m >= 0, let t = categories.type(of: id, in: fragment) else { continue }
            let b = categories.block[t]
            if let other = classes[m]?[b],
                (fragment.depth(of: other), fragment.size(of: other)) <= (fragment.depth(of: id), fragment.size(of: id))
            {
                continue
            }
            classes[m, default: [:]][b] = id
        }
        var best: (rank: (Int, Int), p: Int32, q: Int32, meaning: Int32)?
        var failures = 0
        for (m, blocks) in classes where blocks.count > 1 {
            failures += 1
            let terms = blocks.values.sorted {
                (fragment.depth(of: $0), fragment.size(of: $0), $0) < (
                    fragment.depth(of: $1), fragment.size(of: $1), $1
                )
            }
            let p = terms[0]
            let q = terms[1]
            let rank = (max(fragment.depth(of: p), fragment.depth(of: q)), fragment.size(of: p) + fragment.size(of: q))
            if best == nil || rank < best!.rank || (rank == best!.rank && min(p, q) < min(best!.p, best!.q)) {
                best = (rank, min(p, q), max(p, q), m)
            }
        }
        var details = [
            "\(Set(categories.block).count) Hodges categor(ies) among \(categories.types.count) syntactic type(s)"
        ]
        if categories.truncated { details.append("the syntactic type universe was cut at 20 000 types") }
        if fragment.grammar.operations.contains(where: \.hasSemanticCondition) || !fragment.evaluationErrors.isEmpty {
            details.append(
                "frames are judged by syntactic definedness; semantic conditions and evaluation errors are not")
        }
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: "synonymous terms accept the same frames", witness: nil, details: details,
                inducedOperations: nil)
        }
        var w = Witness(explanation: "")
        w.term1 = fragment.term(best.p)
        w.term2 = fragment.term(best.q)
        w.meaning1 = fragment.describe(meaning: best.meaning)
        w.meaning2 = w.meaning1
        if let tp = categories.type(of: best.p, in: fragment), let tq = categories.type(of: best.q, in: fragment),
            let (frame, acceptsFirst) = categories.distinguishingFrame(tp, tq, fragment: fragment)
        {
            w.frame = frame
            let (yes, no) = acceptsFirst ? (w.term1!, w.term2!) : (w.term2!, w.term1!)
            w.explanation = "synonyms with different categories: the frame accepts \(yes) but not \(no)"
        } else {
            w.explanation = "synonyms with different categories"
        }
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "\(failures) synonymy class(es) span several categories", witness: w, details: details,
            inducedOperations: nil)
    }
}
