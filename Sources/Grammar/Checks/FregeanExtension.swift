/// The result of Hodges' fregean extension on a fragment.
public struct FregeanExtensionResult: Sendable {
    /// The verdict (holds iff the fregean equivalence restricted to sentences equals μ's synonymy there).
    public var result: NotionResult
    /// Fregean classes of the lexical atoms, each as the atoms' forms (with category), in order of first atom.
    public var atomClasses: [[String]]
    /// Number of fregean classes among all examined terms.
    public var classCount: Int
    /// The class of the first term with each yield.
    public var classByYield: [String: Int]
}

/// N10 Hodges' fregean extension (Hodges 2001, "Formal features of compositionality" — extension theorem):
/// p ≡_fr q iff p ~ q (same category) and μ(s[p]) = μ(s[q]) for every frame s with s[p] a sentence. Computed by
/// partition refinement to the coarsest congruence that refines (Hodges category, μ on sentences) — tree-automaton
/// minimisation.
///
/// The verdict comes from `FregeanFrameSearch`: the fragment's frames are applied to μ-synonymous sentences and
/// s[p], s[q] are evaluated whatever their depth, so the verdict does not depend on where the synonyms sit in the
/// bounded fragment. The reported classes come from the refinement, in which terms at the maximal depth keep their
/// initial class (more depth ⇒ possibly finer classes).
public enum FregeanExtension {
    /// Runs the refinement with X = meaningful terms of the start category.
    public static func run(fragment: Fragment, level: MeaningLevel? = nil) -> FregeanExtensionResult {
        let notion = Notion.fregean
        let grammar = fragment.grammar
        let view = MeaningView(level: level)
        guard let start = grammar.start else {
            return FregeanExtensionResult(
                result: NotionResult(
                    notion: notion.rawValue, label: notion.label, holds: nil,
                    summary: "needs a start category (the sentences X)", witness: nil, details: [],
                    inducedOperations: nil), atomClasses: [], classCount: 0, classByYield: [:])
        }
        let categories = HodgesCategories(fragment: fragment, view: view)
        let n = fragment.storedCount
        var meanings = [Int32](repeating: -1, count: n)
        var isSentence = [Bool](repeating: false, count: n)
        var isCore = [Bool](repeating: false, count: n)
        for id in fragment.storedTerms {
            meanings[Int(id)] = fragment.meaning(of: id, view: view)
            isSentence[Int(id)] = fragment.category(of: id) == start && meanings[Int(id)] >= 0
            isCore[Int(id)] = fragment.saturated || fragment.depth(of: id) < fragment.bounds.maxDepth
        }
        // Initial partition: Hodges category (or meaningless), and μ for sentences.
        struct InitialKey: Hashable {
            var category: Int
            var meaning: Int32
        }
        var block = [Int](repeating: 0, count: n)
        var initial: [InitialKey: Int] = [:]
        for id in fragment.storedTerms {
            let i = Int(id)
            let category =
                meanings[i] < 0 ? -1 : (categories.type(of: id, in: fragment).map { categories.block[$0] } ?? -2)
            let key = InitialKey(category: category, meaning: isSentence[i] ? meanings[i] : -1)
            if let b = initial[key] {
                block[i] = b
            } else {
                block[i] = initial.count
                initial[key] = initial.count
            }
        }
        // Occurrences of core terms as arguments, all siblings core and meaningful, as flat lists (compressed rows):
        // the parents of term i are occurrenceParent[occurrenceStart[i]..<occurrenceStart[i + 1]].
        let store = fragment.store
        let operations = fragment.grammar.operations
        func arity(_ u: Int32) -> Int { operations[Int(store.operation[Int(u)])].arity }
        func hasCoreArguments(_ u: Int32) -> Bool {
            let start = Int(store.childStart[Int(u)])
            let k = arity(u)
            if k == 0 { return false }
            for j in 0..<k {
                let kid = Int(store.children[start + j])
                if !isCore[kid] || meanings[kid] < 0 { return false }
            }
            return true
        }
        var occurrenceStart = [Int32](repeating: 0, count: n + 1)
        for u in fragment.storedTerms where hasCoreArguments(u) {
            let start = Int(store.childStart[Int(u)])
            for j in 0..<arity(u) { occurrenceStart[Int(store.children[start + j]) + 1] += 1 }
        }
        for i in 0..<n { occurrenceStart[i + 1] += occurrenceStart[i] }
        var occurrenceParent = [Int32](repeating: 0, count: Int(occurrenceStart[n]))
        var occurrencePosition = [Int32](repeating: 0, count: Int(occurrenceStart[n]))
        var fill = occurrenceStart
        for u in fragment.storedTerms where hasCoreArguments(u) {
            let start = Int(store.childStart[Int(u)])
            for j in 0..<arity(u) {
                let kid = Int(store.children[start + j])
                occurrenceParent[Int(fill[kid])] = u
                occurrencePosition[Int(fill[kid])] = Int32(j)
                fill[kid] += 1
            }
        }
        // Refinement: a term's signature is its block and the set of its one-step contexts (operation, position,
        // the siblings' blocks, the parent's block). Contexts are interned per round, so a signature is the block and
        // a sorted list of context ids, and equal signatures are found by hashing instead of comparing lists.
        var blockCount = initial.count
        var rounds = 0
        var contextBuffer: [Int32] = []
        var valueBuffer: [Int32] = []
        var next = block
        while true {
            rounds += 1
            var contexts: [ArgumentKey: Int32] = [:]
            var signatures: [ArgumentKey: Int] = [:]
            for id in fragment.storedTerms {
                let i = Int(id)
                contextBuffer.removeAll(keepingCapacity: true)
                if isCore[i] {
                    for o in Int(occurrenceStart[i])..<Int(occurrenceStart[i + 1]) {
                        let parent = Int(occurrenceParent[o])
                        let position = Int(occurrencePosition[o])
                        let start = Int(store.childStart[parent])
                        valueBuffer.removeAll(keepingCapacity: true)
                        for j in 0..<arity(Int32(parent)) where j != position {
                            valueBuffer.append(Int32(block[Int(store.children[start + j])]))
                        }
                        valueBuffer.append(Int32(block[parent]))
                        let key = valueBuffer.withUnsafeBufferPointer {
                            ArgumentKey(head: store.operation[parent], context: Int32(position), $0)
                        }
                        if let c = contexts[key] {
                            contextBuffer.append(c)
                        } else {
                            let c = Int32(contexts.count)
                            contexts[key] = c
                            contextBuffer.append(c)
                        }
                    }
                    if contextBuffer.count > 1 {
                        contextBuffer.sort()
                        var unique = 1
                        for k in 1..<contextBuffer.count where contextBuffer[k] != contextBuffer[unique - 1] {
                            contextBuffer[unique] = contextBuffer[k]
                            unique += 1
                        }
                        contextBuffer.removeLast(contextBuffer.count - unique)
                    }
                }
                let signature = contextBuffer.withUnsafeBufferPointer { ArgumentKey(head: Int32(block[i]), $0) }
                if let b = signatures[signature] {
                    next[i] = b
                } else {
                    next[i] = signatures.count
                    signatures[signature] = signatures.count
                }
            }
            swap(&block, &next)
            if signatures.count == blockCount || rounds > 10_000 { break }
            blockCount = signatures.count
        }
        // (i) Does ≡_fr restricted to sentences equal ker μ? Every μ-synonymous sentence is paired with the smallest
        // sentence of its meaning (a frame separating two synonyms separates one of them from the smallest); the
        // pairs are decided by the frame search, which evaluates s[p] and s[q] beyond the bound.
        func rank(_ id: Int32) -> (Int, Int, Int32) { (fragment.depth(of: id), fragment.size(of: id), id) }
        var smallest: [Int32: Int32] = [:]
        for id in fragment.storedTerms where isSentence[Int(id)] {
            let m = meanings[Int(id)]
            if let other = smallest[m], rank(other) <= rank(id) { continue }
            smallest[m] = id
        }
        func hodgesBlock(_ id: Int32) -> Int? { categories.type(of: id, in: fragment).map { categories.block[$0] } }
        var pairs: [(Int32, Int32)] = []
        var categoryFailure: (Int32, Int32)?
        for id in fragment.storedTerms where isSentence[Int(id)] {
            guard let representative = smallest[meanings[Int(id)]], representative != id else { continue }
            if hodgesBlock(representative) != hodgesBlock(id) {
                if categoryFailure == nil || rank(id) < rank(categoryFailure!.1) {
                    categoryFailure = (representative, id)
                }
                continue
            }
            pairs.append((representative, id))
        }
        // Each term is the second member of at most one pair, so the second members' ranks order the pairs.
        pairs.sort {
            (store.depth[Int($0.1)], store.size[Int($0.1)], $0.1) < (
                store.depth[Int($1.1)], store.size[Int($1.1)], $1.1
            )
        }
        var search = FregeanFrameSearch(fragment: fragment, view: view, start: start)
        let separation = categoryFailure == nil ? search.firstSeparation(pairs: pairs) : nil
        // Atom classes.
        var atomBlocks: [Int: [String]] = [:]
        var order: [Int] = []
        for id in fragment.storedTerms where fragment.grammar.operations[fragment.operation(of: id)].arity == 0 {
            let b = block[Int(id)]
            if atomBlocks[b] == nil { order.append(b) }
            atomBlocks[b, default: []].append(fragment.yield(of: id))
        }
        let atomClasses = order.map { atomBlocks[$0]! }
        var details = [
            "\(Set(block).count) fregean class(es) over \(n) term(s) after \(rounds) refinement round(s)",
            "atom classes: " + atomClasses.map { "{" + $0.joined(separator: ", ") + "}" }.joined(separator: " "),
        ]
        // (ii) Compare μ on non-sentences with ν.
        var coarser: (Int32, Int32)?
        var finer: (Int32, Int32)?
        var byMeaning: [Int32: Int32] = [:]
        var byBlock: [Int: Int32] = [:]
        for id in fragment.storedTerms where !isSentence[Int(id)] && isCore[Int(id)] && meanings[Int(id)] >= 0 {
            let i = Int(id)
            if let other = byMeaning[meanings[i]], block[Int(other)] != block[i], coarser == nil,
                categories.type(of: other, in: fragment).map({ categories.block[$0] })
                    == categories.type(of: id, in: fragment).map({ categories.block[$0] })
            {
                coarser = (other, id)
            }
            if byMeaning[meanings[i]] == nil { byMeaning[meanings[i]] = id }
            if let other = byBlock[block[i]], meanings[Int(other)] != meanings[i], finer == nil { finer = (other, id) }
            if byBlock[block[i]] == nil { byBlock[block[i]] = id }
        }
        if let (p, q) = coarser {
            details.append(
                "μ is coarser than the fregean meaning: \(fragment.term(p)) and \(fragment.term(q)) are synonymous but some sentence frame separates them (μ cannot be compositional w.r.t. sentence meanings)"
            )
        }
        if let (p, q) = finer {
            details.append(
                "μ is finer than the fregean meaning: \(fragment.term(p)) and \(fragment.term(q)) differ in μ but no sentence detects it"
            )
        }
        if !fragment.saturated { details.append("classes hold up to depth \(fragment.bounds.maxDepth)") }
        if search.cut {
            details.append(
                "the frame search stopped after \(search.applications) frame applications: the verdict covers the frames examined"
            )
        }
        let holds = categoryFailure == nil && separation == nil
        var result = NotionResult(
            notion: notion.rawValue, label: notion.label, holds: holds, summary: "", witness: nil,
            details: details, inducedOperations: nil)
        if let (p, q) = categoryFailure {
            var w = Witness(
                explanation:
                    "two synonymous sentences belong to different categories (some frame accepts one but not the other), so they are not fregean-equivalent"
            )
            w.term1 = fragment.term(p)
            w.term2 = fragment.term(q)
            w.meaning1 = fragment.describe(meaning: meanings[Int(p)])
            w.meaning2 = w.meaning1
            result.witness = w
            result.summary = "the fregean equivalence splits μ-synonymous sentences"
        } else if let separation {
            var w = Witness(
                explanation:
                    "two synonymous sentences are separated by a frame: s[term 1] = \(CheckReport.short(fragment.describe(meaning: separation.meaningP))) but s[term 2] = \(CheckReport.short(fragment.describe(meaning: separation.meaningQ))), so μ is not compositional on the sentences and no fregean extension agrees with it"
            )
            w.frame = separation.frame
            w.term1 = fragment.term(separation.p)
            w.term2 = fragment.term(separation.q)
            w.meaning1 = fragment.describe(meaning: separation.sentenceMeaning)
            w.meaning2 = w.meaning1
            result.witness = w
            result.summary = "the fregean equivalence splits μ-synonymous sentences"
        } else {
            result.summary = "the fregean extension exists and agrees with μ on sentences (\(Set(block).count) classes)"
        }
        var classByYield: [String: Int] = [:]
        if n <= 100_000 {
            for id in fragment.storedTerms where classByYield[fragment.yield(of: id)] == nil {
                classByYield[fragment.yield(of: id)] = block[Int(id)]
            }
        }
        return FregeanExtensionResult(
            result: result, atomClasses: atomClasses, classCount: Set(block).count, classByYield: classByYield)
    }
}
