/// Options of a bounded enumeration.
public struct EnumerationOptions {
    /// Depth, length and count bounds.
    public var bounds: EnumerationBounds
    /// Store the deepest layer too (needed by frame-based checks N4, N5, N6, N10); `false` streams it.
    public var storesDeepestLayer = true
    /// Track structured meanings (for `meaning = structured`).
    public var tracksStructure = false
    /// Restrict atoms to these forms (used by the parser-by-enumeration of `eval`).
    public var allowedAtomTokens: Set<String>?
    /// Keep only terms whose yield occurs contiguously in this sentence (valid for concatenative grammars).
    public var substringOf: [String]?
    /// Called every 65 536 terms with the number visited so far (progress display).
    public var progress: ((Int) -> Void)?

    /// Options with the given bounds.
    public init(bounds: EnumerationBounds) { self.bounds = bounds }
}

/// Enumerates the terms of a grammar breadth-first by depth, computing each term's meaning as it is built.
///
/// Terms of depth d are built from stored terms of depth < d with at least one argument of depth exactly d−1, so
/// every derivation appears exactly once, in order of depth (so the first witness found is of minimal depth).
/// Feature agreement is decided per *bucket* (category × feature values), not per term.
public enum Enumerator {
    /// Enumerates the fragment of `grammar` within `options.bounds`, calling `visit` for each term.
    public static func enumerate(
        _ grammar: InterpretedGrammar, options: EnumerationOptions, visit: ((EnumeratedTerm) -> Void)? = nil,
        prepare: ((Fragment) -> Void)? = nil
    ) -> Fragment {
        precondition(
            options.bounds.maxDepth <= EnumerationBounds.maximumDepth,
            "Enumerator.enumerate: maxDepth \(options.bounds.maxDepth) exceeds \(EnumerationBounds.maximumDepth)")
        let fragment = Fragment(grammar: grammar, bounds: options.bounds, tracksStructure: options.tracksStructure)
        prepare?(fragment)
        var run = EnumerationRun(fragment: fragment, options: options, visit: visit)
        run.run()
        return fragment
    }
}

private struct Bucket {
    let category: Int
    let features: [Int]
    let featureID: Int32
    var terms: [Int32] = []
    /// `depthEnd[d]`: number of terms of depth ≤ d (index 0 unused).
    var depthEnd: [Int] = [0]
}

/// Interned yields (token sequences) for memoising form-reading rules.
private struct YieldTable {
    var ids: [[String]: Int32] = [:]
    var tokens: [[String]] = []
    /// (operation, argument yields) → the mother's yield.
    var composed: [SemanticsEngine.MemoKey: Int32] = [:]

    mutating func intern(_ t: [String]) -> Int32 {
        if let id = ids[t] { return id }
        let id = Int32(tokens.count)
        tokens.append(t)
        ids[t] = id
        return id
    }
}

private struct EnumerationRun {
    let fragment: Fragment
    let grammar: InterpretedGrammar
    let options: EnumerationOptions
    let visit: ((EnumeratedTerm) -> Void)?
    var buckets: [Bucket] = []
    var bucketIndex: [[Int]: Int] = [:]
    var bucketsByCategory: [[Int]]
    var featureIDs: [[Int]: Int32] = [:]
    var stop = false
    var sentenceBigrams: Set<String> = []
    let overrides: OverrideTable
    /// Per (bucket, lower, upper): the terms sorted by yield length (pruning under `maxLength`).
    var lengthSorted: [[Int]: [(length: Int32, index: Int32)]] = [:]
    /// Whether some rule reads surface forms. Then every term's yield is interned, once per (operation, argument
    /// yields), and form-reading rules are evaluated once per (operation, argument records, argument yields) instead
    /// of once per term: a yield has many derivations (Catalan-many under binary concatenation), so the number of
    /// evaluations follows the distinct strings, not the derivations.
    let internsYields: Bool
    var yields = YieldTable()
    /// The interned yield of each stored term (when `internsYields`).
    var storedYields: [Int32] = []
    var yieldBuffer: [Int32] = []

    init(fragment: Fragment, options: EnumerationOptions, visit: ((EnumeratedTerm) -> Void)?) {
        self.fragment = fragment
        self.grammar = fragment.grammar
        self.options = options
        self.visit = visit
        self.bucketsByCategory = Array(repeating: [], count: fragment.grammar.categories.count)
        self.internsYields = fragment.grammar.operations.contains(where: \.readsForms)
        self.overrides = OverrideTable(fragment.grammar)
    }

    mutating func featureID(_ features: [Int]) -> Int32 {
        if let id = featureIDs[features] { return id }
        let id = Int32(fragment.featureVectors.count)
        fragment.featureVectors.append(features)
        featureIDs[features] = id
        return id
    }

    mutating func bucket(category: Int, features: [Int], depth: Int) -> Int {
        let key = [category] + features
        if let b = bucketIndex[key] { return b }
        let id = featureID(features)
        var bucket = Bucket(category: category, features: features, featureID: id)
        bucket.depthEnd = Array(repeating: 0, count: depth)
        buckets.append(bucket)
        bucketIndex[key] = buckets.count - 1
        bucketsByCategory[category].append(buckets.count - 1)
        return buckets.count - 1
    }

    func isSubstringOfSentence(_ tokens: [String]) -> Bool {
        guard let sentence = options.substringOf else { return true }
        if tokens.isEmpty { return true }
        if tokens.count > sentence.count { return false }
        outer: for start in 0...(sentence.count - tokens.count) {
            for (i, t) in tokens.enumerated() where sentence[start + i] != t { continue outer }
            return true
        }
        return false
    }

    // MARK: - Overrides

    /// The override record for a term, if an override applies.
    func overrideRecord(operation op: Int, children kids: UnsafeBufferPointer<Int32>, length: Int) -> Int32? {
        overrides.record(operation: op, children: kids, length: length, in: fragment)
    }

    // MARK: - Driver

    mutating func run() {
        let maxDepth = options.bounds.maxDepth
        // Depth 1: atoms (lexical entries and 0-ary rules).
        var newAtDepth = 0
        for (op, operation) in grammar.operations.enumerated() where operation.arity == 0 {
            if stop { break }
            let tokens = fragment.tokens(operation: op, children: [Int32]())
            if let allowed = options.allowedAtomTokens, operation.isLexical, !tokens.allSatisfy(allowed.contains) {
                continue
            }
            if let maxLength = options.bounds.maxLength, tokens.count > maxLength { continue }
            if !isSubstringOfSentence(tokens) { continue }
            var features = Array(repeating: -1, count: grammar.categories[operation.category].features.count)
            for (f, source) in operation.motherFeatures.enumerated() where f < features.count {
                if case .constant(let c) = source { features[f] = c }
            }
            let b = bucket(category: operation.category, features: features, depth: 1)
            let empty = UnsafeBufferPointer<Int32>(start: nil, count: 0)
            let record =
                overrideRecord(operation: op, children: empty, length: tokens.count)
                ?? (operation.isLexical
                    ? fragment.engine.lexicalRecord(op)
                    : fragment.engine.ruleRecord(op, arguments: empty, forms: { ([], tokens) }))
            let yield = internsYields ? yields.intern(tokens) : -1
            emit(
                operation: op, children: empty, depth: 1, size: 1, length: tokens.count, bucket: b,
                record: record, yield: yield, store: maxDepth > 1 || options.storesDeepestLayer)
            newAtDepth += 1
        }
        finishDepth(1)
        fragment.countsByDepth.append(newAtDepth)
        if maxDepth < 2 || stop { return }
        for depth in 2...maxDepth {
            newAtDepth = 0
            let store = depth < maxDepth || options.storesDeepestLayer
            for (op, operation) in grammar.operations.enumerated() where operation.arity > 0 {
                if stop { break }
                newAtDepth += combine(op, operation, depth: depth, store: store)
            }
            finishDepth(depth)
            fragment.countsByDepth.append(newAtDepth)
            if stop { return }
            if newAtDepth == 0 {
                fragment.saturated = true
                return
            }
        }
    }

    mutating func finishDepth(_ depth: Int) {
        for b in buckets.indices {
            while buckets[b].depthEnd.count <= depth { buckets[b].depthEnd.append(buckets[b].terms.count) }
            buckets[b].depthEnd[depth] = buckets[b].terms.count
        }
    }

    /// Builds all terms `op(children)` of exactly `depth`; returns how many.
    mutating func combine(_ op: Int, _ operation: Operation, depth: Int, store: Bool) -> Int {
        let arity = operation.arity
        // Candidate buckets per position (constant feature requirements filter them).
        var candidates: [[Int]] = []
        for i in 0..<arity {
            let list = bucketsByCategory[operation.daughterCategories[i]].filter { b in
                for (f, requirement) in operation.daughterRequirements[i] {
                    if case .constant(let c) = requirement {
                        let v = buckets[b].features[f]
                        if v >= 0 && v != c { return false }
                    }
                }
                return buckets[b].depthEnd.count >= depth && buckets[b].depthEnd[depth - 1] > 0
            }
            if list.isEmpty { return 0 }
            candidates.append(list)
        }
        var produced = 0
        var choice = Array(repeating: 0, count: arity)
        var childFeatures = Array(repeating: [Int](), count: arity)
        var children = [Int32](repeating: 0, count: arity)
        while true {
            // Feature unification for this bucket tuple.
            var bindings = Array(repeating: -2, count: operation.variableCount)
            var ok = true
            for i in 0..<arity {
                let features = buckets[candidates[i][choice[i]]].features
                childFeatures[i] = features
                for (f, requirement) in operation.daughterRequirements[i] {
                    if case .variable(let k) = requirement {
                        let v = features[f]
                        if v < 0 { continue }
                        if bindings[k] < 0 {
                            bindings[k] = v
                        } else if bindings[k] != v {
                            ok = false
                        }
                    }
                }
            }
            if ok, let condition = operation.condition, !condition.holds(childFeatures) { ok = false }
            if ok {
                var motherFeatures = Array(repeating: -1, count: grammar.categories[operation.category].features.count)
                for (f, source) in operation.motherFeatures.enumerated() where f < motherFeatures.count {
                    switch source {
                    case .unset: break
                    case .constant(let c): motherFeatures[f] = c
                    case .variable(let k): motherFeatures[f] = max(-1, bindings[k])
                    }
                }
                let target = bucket(category: operation.category, features: motherFeatures, depth: depth)
                let tuple = (0..<arity).map { candidates[$0][choice[$0]] }
                produced += combineTerms(
                    op, operation, tuple, depth: depth, target: target, store: store, children: &children)
                if stop { return produced }
            }
            // Next bucket tuple (odometer).
            var i = arity - 1
            while i >= 0 {
                choice[i] += 1
                if choice[i] < candidates[i].count { break }
                choice[i] = 0
                i -= 1
            }
            if i < 0 { break }
        }
        return produced
    }

    mutating func combineTerms(
        _ op: Int, _ operation: Operation, _ tuple: [Int], depth: Int, target: Int, store: Bool,
        children: inout [Int32]
    ) -> Int {
        let arity = tuple.count
        var produced = 0
        var lower = Array(repeating: 0, count: arity)
        var upper = Array(repeating: 0, count: arity)
        var index = Array(repeating: 0, count: arity)
        let tokenCount: Int
        var isConcatenative = true
        switch operation.form {
        case .concatenation(let items):
            tokenCount = items.reduce(0) {
                if case .token = $1 { return $0 + 1 }
                return $0
            }
        default:
            tokenCount = 0
            isConcatenative = false
        }
        for j in 0..<arity {
            var empty = false
            for i in 0..<arity {
                let ends = buckets[tuple[i]].depthEnd
                let belowPrevious = depth >= 3 ? ends[depth - 2] : 0
                let upToPrevious = ends[depth - 1]
                if i < j {
                    lower[i] = 0
                    upper[i] = belowPrevious
                } else if i == j {
                    lower[i] = belowPrevious
                    upper[i] = upToPrevious
                } else {
                    lower[i] = 0
                    upper[i] = upToPrevious
                }
                if lower[i] >= upper[i] { empty = true }
            }
            if empty { continue }
            if let maxLength = options.bounds.maxLength, isConcatenative {
                // Prune while combining: each position's candidates sorted by yield length, so a prefix whose
                // length plus the shortest completion exceeds the bound ends that branch.
                var lists: [[(length: Int32, index: Int32)]] = []
                for i in 0..<arity { lists.append(sortedByLength(bucket: tuple[i], lower[i], upper[i])) }
                var suffixMinimum = [Int](repeating: 0, count: arity + 1)
                for i in stride(from: arity - 1, through: 0, by: -1) {
                    suffixMinimum[i] = suffixMinimum[i + 1] + Int(lists[i][0].length)
                }
                var cursor = [Int](repeating: 0, count: arity)
                var partial = [Int](repeating: 0, count: arity + 1)
                partial[0] = tokenCount
                var i = 0
                while true {
                    if i == arity {
                        for k in 0..<arity { index[k] = Int(lists[k][cursor[k]].index) }
                        produced += visitTuple(
                            op, operation, tuple, index: index, tokenCount: tokenCount,
                            isConcatenative: isConcatenative, depth: depth, target: target, store: store,
                            children: &children)
                        if stop { return produced }
                        i -= 1
                        cursor[i] += 1
                        continue
                    }
                    if cursor[i] < lists[i].count,
                        partial[i] + Int(lists[i][cursor[i]].length) + suffixMinimum[i + 1] <= maxLength
                    {
                        partial[i + 1] = partial[i] + Int(lists[i][cursor[i]].length)
                        i += 1
                        if i < arity { cursor[i] = 0 }
                    } else {
                        if i == 0 { break }
                        i -= 1
                        cursor[i] += 1
                    }
                }
                continue
            }
            for i in 0..<arity { index[i] = lower[i] }
            while true {
                produced += visitTuple(
                    op, operation, tuple, index: index, tokenCount: tokenCount, isConcatenative: isConcatenative,
                    depth: depth, target: target, store: store, children: &children)
                if stop { return produced }
                // Next term tuple.
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
        return produced
    }

    /// The terms of bucket `b` in positions `lower..<upper`, as (yield length, position) sorted by length.
    mutating func sortedByLength(bucket b: Int, _ lower: Int, _ upper: Int) -> [(length: Int32, index: Int32)] {
        let key = [b, lower, upper]
        if let cached = lengthSorted[key] { return cached }
        let terms = buckets[b].terms
        var list: [(length: Int32, index: Int32)] = []
        list.reserveCapacity(upper - lower)
        for k in lower..<upper { list.append((fragment.store.length[Int(terms[k])], Int32(k))) }
        list.sort { ($0.length, $0.index) < ($1.length, $1.index) }
        lengthSorted[key] = list
        return list
    }

    /// Builds `op` over the children at `index` in the buckets of `tuple` if it is admissible; returns 1 if a term
    /// was visited.
    mutating func visitTuple(
        _ op: Int, _ operation: Operation, _ tuple: [Int], index: [Int], tokenCount: Int, isConcatenative: Bool,
        depth: Int, target: Int, store: Bool, children: inout [Int32]
    ) -> Int {
        let arity = tuple.count
        let termStore = fragment.store
        var length = tokenCount
        var size = 1
        for i in 0..<arity {
            let child = buckets[tuple[i]].terms[index[i]]
            children[i] = child
            length += Int(termStore.length[Int(child)])
            size += Int(termStore.size[Int(child)])
        }
        var tokens: [String]?
        var motherYield: Int32 = -1
        if internsYields {
            yieldBuffer.removeAll(keepingCapacity: true)
            for i in 0..<arity { yieldBuffer.append(storedYields[Int(children[i])]) }
            let key = yieldBuffer.withUnsafeBufferPointer { SemanticsEngine.memoKey(op, $0) }
            if let y = yields.composed[key] {
                motherYield = y
            } else {
                var t: [String] = []
                if case .concatenation(let items) = operation.form {
                    for item in items {
                        switch item {
                        case .token(let token): t.append(token)
                        case .daughter(let d): t += yields.tokens[Int(yieldBuffer[d])]
                        }
                    }
                } else {
                    t = fragment.tokens(operation: op, children: children)
                }
                motherYield = yields.intern(t)
                yields.composed[key] = motherYield
            }
            if !isConcatenative {
                tokens = yields.tokens[Int(motherYield)]
                length = tokens!.count
            }
        } else if !isConcatenative {
            tokens = fragment.tokens(operation: op, children: children)
            length = tokens!.count
        }
        var admissible = true
        if let maxLength = options.bounds.maxLength, length > maxLength { admissible = false }
        if admissible, options.substringOf != nil {
            if tokens == nil { tokens = fragment.tokens(operation: op, children: children) }
            admissible = isSubstringOfSentence(tokens!)
        }
        if admissible {
            let record = children.withUnsafeBufferPointer { kids -> Int32 in
                if let r = overrideRecord(operation: op, children: kids, length: length) { return r }
                var argumentRecords = [Int32](repeating: 0, count: arity)
                for i in 0..<arity { argumentRecords[i] = termStore.record[Int(kids[i])] }
                let frag = fragment
                let kidsArray = Array(kids)
                if internsYields && operation.readsForms {
                    let table = yields.tokens
                    let kidYields = yieldBuffer
                    return argumentRecords.withUnsafeBufferPointer { records in
                        kidYields.withUnsafeBufferPointer { argumentYields in
                            fragment.engine.formReadingRecord(
                                op, arguments: records, argumentYields: argumentYields,
                                forms: { (kidYields.map { table[Int($0)] }, table[Int(motherYield)]) })
                        }
                    }
                }
                return argumentRecords.withUnsafeBufferPointer { records in
                    fragment.engine.ruleRecord(
                        op, arguments: records,
                        forms: {
                            (
                                kidsArray.map { frag.tokens(of: $0) },
                                frag.tokens(operation: op, children: kidsArray)
                            )
                        })
                }
            }
            children.withUnsafeBufferPointer { kids in
                emit(
                    operation: op, children: kids, depth: depth, size: size, length: length, bucket: target,
                    record: record, yield: motherYield, store: store)
            }
            return 1
        }
        return 0
    }

    mutating func emit(
        operation op: Int, children kids: UnsafeBufferPointer<Int32>, depth: Int, size: Int, length: Int,
        bucket b: Int, record: Int32, yield: Int32, store: Bool
    ) {
        var structured: Int32 = -1
        if fragment.tracksStructure {
            var childStructures = [Int32](repeating: 0, count: kids.count)
            for (i, k) in kids.enumerated() { childStructures[i] = fragment.store.structured[Int(k)] }
            structured = childStructures.withUnsafeBufferPointer {
                fragment.engine.structuredMeaning(operation: op, record: record, arguments: $0)
            }
        }
        var id: Int32 = -1
        if store {
            id = fragment.store.append(
                operation: Int32(op), children: kids, depth: depth, size: size, length: length,
                features: buckets[b].featureID, record: record, structured: structured)
            buckets[b].terms.append(id)
            if internsYields { storedYields.append(yield) }
        }
        let category = grammar.operations[op].category
        fragment.countsByCategory[category] += 1
        fragment.termCount += 1
        if record < 0 { fragment.meaninglessCount += 1 }
        if let visit {
            visit(
                EnumeratedTerm(
                    operation: op, children: kids, id: id, depth: depth, size: size, length: length, record: record,
                    structured: structured))
        }
        if let progress = options.progress, fragment.termCount & 0xFFFF == 0 { progress(fragment.termCount) }
        if fragment.termCount >= options.bounds.maxTerms {
            fragment.truncated = true
            stop = true
        }
    }
}
