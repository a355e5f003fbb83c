/// N9 Reverse (inverse) compositionality: μ(F(p⃗)) = μ(F(q⃗)) ⇒ μ(pi) = μ(qi) for all i, i.e. every induced G_F is
/// injective (Fodor & Lepore; Pagin 2003 "strong compositionality"; docs/compositionality.md, N9).
///
/// Per operation a map output meaning → first argument-meaning tuple; a second tuple is a failure.
final class ReverseCompositionalityCheck: FragmentObserver {
    let fragment: Fragment
    let meanings: StoredMeanings
    private var table: [Int64: (arguments: [Int32], handle: TermHandle)] = [:]
    private var best: (rank: (Int, Int), first: TermHandle, second: TermHandle, a: [Int32], b: [Int32], output: Int32)?
    private var failures = 0
    private var argumentBuffer: [Int32] = []

    init(fragment: Fragment, view: MeaningView) {
        self.fragment = fragment
        self.meanings = StoredMeanings(fragment: fragment, view: view)
    }

    func observe(_ term: EnumeratedTerm) {
        let output = meanings.observe(term)
        guard term.children.count > 0, output >= 0 else { return }
        argumentBuffer.removeAll(keepingCapacity: true)
        for child in term.children {
            let m = meanings[child]
            if m < 0 { return }
            argumentBuffer.append(m)
        }
        let key = Int64(term.operation) << 32 | Int64(output)
        if let (other, handle) = table[key] {
            if other != argumentBuffer {
                failures += 1
                let rank = (max(handle.depth, term.depth), handle.size + term.size)
                if best == nil || rank < best!.rank {
                    best = (rank, handle, TermHandle(term), other, argumentBuffer, output)
                }
            }
        } else {
            table[key] = (argumentBuffer, TermHandle(term))
        }
    }

    func finish() -> NotionResult {
        let notion = Notion.reverse
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: "every operation's output meaning determines its arguments' meanings", witness: nil,
                details: [], inducedOperations: nil)
        }
        let first = best.first.materialize(fragment)
        let second = best.second.materialize(fragment)
        var w = Witness(explanation: "")
        w.operation = fragment.grammar.operations[Int(best.first.operation)].name
        w.arguments1 = first.arguments
        w.arguments2 = second.arguments
        w.term1 = first
        w.term2 = second
        w.argumentMeanings1 = best.a.map { fragment.describe(meaning: $0) }
        w.argumentMeanings2 = best.b.map { fragment.describe(meaning: $0) }
        w.meaning1 = fragment.describe(meaning: best.output)
        w.meaning2 = w.meaning1
        w.differingPositions = zip(best.a, best.b).enumerated().filter { $0.element.0 != $0.element.1 }.map {
            $0.offset + 1
        }
        w.explanation = "\(w.operation!) gives the same meaning to arguments with different meanings"
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "some G_F is not injective (\(failures) collision(s))", witness: w, details: [],
            inducedOperations: nil)
    }
}

/// N2 Domain principle: every subterm of a meaningful term is meaningful (Hodges 2001 "Dom").
final class DomainPrincipleCheck: FragmentObserver {
    let fragment: Fragment
    let meanings: StoredMeanings
    private var best: (rank: (Int, Int), handle: TermHandle, child: Int32)?

    init(fragment: Fragment, view: MeaningView) {
        self.fragment = fragment
        self.meanings = StoredMeanings(fragment: fragment, view: view)
    }

    func observe(_ term: EnumeratedTerm) {
        let output = meanings.observe(term)
        guard output >= 0 else { return }
        for child in term.children where meanings[child] < 0 {
            let rank = (term.depth, term.size)
            if best == nil || rank < best!.rank { best = (rank, TermHandle(term), child) }
        }
    }

    func finish() -> NotionResult {
        let notion = Notion.domain
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: "subterms of meaningful terms are meaningful", witness: nil, details: [],
                inducedOperations: nil)
        }
        var w = Witness(explanation: "a meaningful term has a meaningless subterm (an override gives it a meaning)")
        w.term1 = best.handle.materialize(fragment)
        w.term2 = fragment.term(best.child)
        w.meaning2 = "⊥ (no meaning)"
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "a meaningful term has a meaningless subterm",
            witness: w, details: [], inducedOperations: nil)
    }
}
