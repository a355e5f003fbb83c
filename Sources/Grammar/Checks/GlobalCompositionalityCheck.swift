/// N6 Global compositionality: μ(t) = H(skel(t), μ(a1)…μ(an)) — the meaning is determined by the term's structure
/// and its atoms' meanings (SEP (C); docs/compositionality.md, N6). Implied by N1 given N2, but not conversely (T5).
///
/// Also N7 C_coll, the weaker, collective notion of docs/compositionality.md: μ(t, c) = H(skel(t), c, μ(a1, c)…μ(an, c)) in
/// every context of use c — H sees the whole structure at once (so the structure may carry its own meaning) and the
/// context. Without contexts it coincides with N6; with contexts it is implied by N11b (C_occ weak) and by N6 on
/// occasion meanings, and fails only when one structure with atoms synonymous *in one context* gets two meanings there.
///
/// Each term gets a key interned from its operation and its children's keys, atoms' keys being their meanings (per
/// view, so per context for N7); a key with two meanings is a failure.
final class GlobalCompositionalityCheck: FragmentObserver {
    let fragment: Fragment
    let notion: Notion
    /// One meaning function per view (N6: the declared meaning; N7: one view per context of use).
    let views: [StoredMeanings]
    private var keys = TupleInterner()
    private var keyBuffer: [Int32] = []
    private var storedKeys: [[Int32]]
    /// Per key id (dense, in order of creation): the first meaning, and its term — a stored id (≥ 0), or −1 − the
    /// position in `transientTerms` of a term of the deepest layer that was not stored.
    private var firstMeaning: [Int32] = []
    private var firstTerm: [Int32] = []
    /// First terms that were not stored, flat: operation, depth, size, then the children.
    private var transientTerms: [Int32] = []
    private var best: (rank: (Int, Int), first: TermHandle, second: TermHandle, m1: Int32, m2: Int32, view: Int)?

    init(fragment: Fragment, views: [MeaningView], notion: Notion = .global) {
        precondition(!views.isEmpty, "GlobalCompositionalityCheck needs at least one meaning view")
        self.fragment = fragment
        self.notion = notion
        self.views = views.map { StoredMeanings(fragment: fragment, view: $0) }
        self.storedKeys = Array(repeating: [], count: views.count)
    }

    /// The check of N6 on one meaning view.
    convenience init(fragment: Fragment, view: MeaningView) {
        self.init(fragment: fragment, views: [view], notion: .global)
    }

    func observe(_ term: EnumeratedTerm) {
        for (v, meanings) in views.enumerated() {
            observe(term, view: v, meanings: meanings)
        }
    }

    private func observe(_ term: EnumeratedTerm, view v: Int, meanings: StoredMeanings) {
        let m = meanings.observe(term)
        var key: Int32 = -1
        if m >= 0 {
            keyBuffer.removeAll(keepingCapacity: true)
            if term.children.isEmpty {
                keyBuffer.append(-1 - Int32(v))
                keyBuffer.append(m)
            } else {
                keyBuffer.append(Int32(term.operation))
                for child in term.children {
                    let k = Int(child) < storedKeys[v].count ? storedKeys[v][Int(child)] : -1
                    if k < 0 { break }
                    keyBuffer.append(k)
                }
            }
            if keyBuffer.count == 1 + max(1, term.children.count) {
                key = keyBuffer.withUnsafeBufferPointer { keys.intern($0) }
            }
        }
        if term.id >= 0 {
            if Int(term.id) >= storedKeys[v].count {
                storedKeys[v].append(contentsOf: repeatElement(-1, count: Int(term.id) + 1 - storedKeys[v].count))
            }
            storedKeys[v][Int(term.id)] = key
        }
        guard key >= 0 else { return }
        if Int(key) < firstMeaning.count {
            let other = firstMeaning[Int(key)]
            if other != m {
                let handle = firstHandle(Int(key))
                let rank = (max(handle.depth, term.depth), handle.size + term.size)
                if best == nil || rank < best!.rank { best = (rank, handle, TermHandle(term), other, m, v) }
            }
        } else {
            firstMeaning.append(m)
            if term.id >= 0 {
                firstTerm.append(term.id)
            } else {
                firstTerm.append(-1 - Int32(transientTerms.count))
                transientTerms.append(Int32(term.operation))
                transientTerms.append(Int32(term.depth))
                transientTerms.append(Int32(term.size))
                transientTerms.append(contentsOf: term.children)
            }
        }
    }

    private func firstHandle(_ key: Int) -> TermHandle {
        let reference = firstTerm[key]
        if reference >= 0 {
            return TermHandle(
                operation: Int32(fragment.operation(of: reference)), children: fragment.children(of: reference),
                depth: fragment.depth(of: reference), size: fragment.size(of: reference))
        }
        let start = Int(-1 - reference)
        let arity = fragment.operationArity[Int(transientTerms[start])]
        return TermHandle(
            operation: transientTerms[start], children: Array(transientTerms[(start + 3)..<(start + 3 + arity)]),
            depth: Int(transientTerms[start + 1]), size: Int(transientTerms[start + 2]))
    }

    func finish() -> NotionResult {
        let contextual = notion == .coll && views.count > 1
        var details: [String] = []
        if notion == .coll && !contextual {
            details.append("no contexts of use: C_coll coincides with N6 (global compositionality)")
        }
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: contextual
                    ? "in every context, each term's meaning is determined by its structure and its atoms' meanings there"
                    : "every term's meaning is determined by its structure and its atoms' meanings",
                witness: nil, details: details, inducedOperations: nil)
        }
        var w = Witness(
            explanation: contextual
                ? "in one context, two terms with the same structure and pairwise synonymous atoms have different meanings"
                : "two terms with the same structure and pairwise synonymous atoms have different meanings")
        w.term1 = best.first.materialize(fragment)
        w.term2 = best.second.materialize(fragment)
        w.meaning1 = fragment.describe(meaning: best.m1)
        w.meaning2 = fragment.describe(meaning: best.m2)
        w.frame = Self.skeleton(w.term1!)
        if contextual, let c = views[best.view].view.context {
            w.context = fragment.grammar.model.contexts[safe: c] ?? "c\(c)"
        }
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: contextual
                ? "in context \(w.context ?? "?"), structure and atom meanings do not determine the meaning"
                : "structure and atom meanings do not determine the meaning",
            witness: w, details: details, inducedOperations: nil)
    }

    static func skeleton(_ term: Term) -> String {
        if term.arguments.isEmpty { return "_" }
        return term.operation + "(" + term.arguments.map(skeleton).joined(separator: ", ") + ")"
    }
}

/// N14 Systematicity: the induced G_F equals the declared semantic rule (a λ-term, i.e. a polynomial in Montague's
/// sense) on every argument-meaning tuple; overrides and form-reading rules are where it can differ (Zadrozny 1994;
/// Janssen 1997; docs/compositionality.md, N14).
final class SystematicityCheck: FragmentObserver {
    let fragment: Fragment
    let meanings: StoredMeanings
    private var points: [ArgumentKey: TermHandle] = [:]
    private var records: [Int32] = []
    private var best: (rank: (Int, Int), handle: TermHandle, actual: Int32, declared: Int32)?

    init(fragment: Fragment, view: MeaningView) {
        self.fragment = fragment
        self.meanings = StoredMeanings(fragment: fragment, view: view)
    }

    func observe(_ term: EnumeratedTerm) {
        let actual = meanings.observe(term)
        let operation = fragment.grammar.operations[term.operation]
        guard !operation.isLexical, actual >= 0, !operation.readsForms else { return }
        records.removeAll(keepingCapacity: true)
        for c in term.children { records.append(fragment.record(of: c)) }
        let declaredRecord: Int32 = records.withUnsafeBufferPointer {
            term.children.isEmpty
                ? fragment.engine.ruleRecord(term.operation, arguments: $0, forms: { ([], []) })
                : fragment.engine.ruleRecord(term.operation, arguments: $0, forms: nil)
        }
        let declared = fragment.meaning(
            operation: term.operation, record: declaredRecord, structured: term.structured, view: meanings.view)
        guard declared != actual else { return }
        let key = ArgumentKey(head: Int32(term.operation), term.children.map { meanings[$0] })
        if points[key] == nil { points[key] = TermHandle(term) }
        let rank = (term.depth, term.size)
        if best == nil || rank < best!.rank { best = (rank, TermHandle(term), actual, declared) }
    }

    func finish() -> NotionResult {
        let notion = Notion.systematic
        let formReading = fragment.grammar.formReadingOperations.map(\.name)
        var details: [String] = []
        if !formReading.isEmpty {
            details.append(
                "rules that read surface forms (not polynomials over meanings): " + formReading.joined(separator: ", "))
        }
        if best == nil && formReading.isEmpty {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: "every induced operation equals its declared semantic rule", witness: nil, details: details,
                inducedOperations: nil)
        }
        var result = NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false, summary: "", witness: nil, details: details,
            inducedOperations: nil)
        if let best {
            var w = Witness(explanation: "the meaning differs from what the declared rule gives (an override)")
            w.operation = fragment.grammar.operations[Int(best.handle.operation)].name
            w.term1 = best.handle.materialize(fragment)
            w.meaning1 = fragment.describe(meaning: best.actual)
            w.meaning2 = fragment.describe(meaning: best.declared)
            w.explanation =
                "\(w.operation!) is stipulated here: meaning \(w.meaning1!) instead of the declared rule's \(w.meaning2!)"
            result.witness = w
            let byOperation = Dictionary(grouping: points.keys, by: { $0.head })
            for (op, keys) in byOperation.sorted(by: { $0.key < $1.key }) {
                result.details.append(
                    "\(fragment.grammar.operations[Int(op)].name): induced G differs from the declared rule at \(keys.count) point(s)"
                )
            }
            result.summary = "induced operations differ from the declared rules at \(points.count) point(s)"
        } else {
            result.summary = "rules read surface forms, so G_F is not given by a polynomial over meanings"
        }
        return result
    }
}
