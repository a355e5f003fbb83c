/// N12 Linguistic-context compositionality (Pagin & Westerståhl 2010 "general compositionality"): meanings are
/// relative to an embedding context ξ, and μ(F(p⃗), ξ) = G_{F,ξ}(μ(p1, ψ(F,1,ξ)), …, μ(pk, ψ(F,k,ξ))).
///
/// Decided as N1 over pairs (term, ξ) with key (F, ξ, daughters' meanings in their contexts).
final class LinguisticContextCheck: FragmentObserver {
    let fragment: Fragment
    private var cache: [Int64: Int32] = [:]
    private var table: [ArgumentKey: (output: Int32, handle: TermHandle)] = [:]
    private var best: (rank: (Int, Int), first: TermHandle, second: TermHandle, context: Int, m1: Int32, m2: Int32)?

    init(fragment: Fragment) { self.fragment = fragment }

    func meaning(record: Int32, category: Int, context: Int) -> Int32 {
        let key = (Int64(record) << 24) | (Int64(category) << 8) | Int64(context)
        if let m = cache[key] { return m }
        let m = fragment.engine.linguisticMeaning(record: record, category: category, context: context)
        cache[key] = m
        return m
    }

    func observe(_ term: EnumeratedTerm) {
        guard let linguistic = fragment.grammar.linguistic, !term.children.isEmpty, term.record >= 0 else { return }
        let operation = fragment.grammar.operations[term.operation]
        for xi in linguistic.names.indices {
            let output = meaning(record: term.record, category: operation.category, context: xi)
            if output < 0 { continue }
            var arguments: [Int32] = []
            for (i, child) in term.children.enumerated() {
                let childContext = linguistic.embed(operation: term.operation, position: i, mother: xi)
                arguments.append(
                    meaning(
                        record: fragment.record(of: child), category: fragment.category(of: child),
                        context: childContext))
            }
            if arguments.contains(where: { $0 < 0 }) { continue }
            let key = ArgumentKey(head: Int32(term.operation), context: Int32(xi), arguments)
            if let (other, handle) = table[key] {
                if other != output {
                    let mine = TermHandle(term)
                    let rank = (max(handle.depth, mine.depth), handle.size + mine.size)
                    if best == nil || rank < best!.rank { best = (rank, handle, mine, xi, other, output) }
                }
            } else {
                table[key] = (output, TermHandle(term))
            }
        }
    }

    func finish() -> NotionResult {
        let notion = Notion.lcontext
        guard let linguistic = fragment.grammar.linguistic else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: nil,
                summary: "the grammar declares no linguistic contexts (linguistic { … })", witness: nil, details: [],
                inducedOperations: nil)
        }
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary: "meanings in linguistic contexts {\(linguistic.names.joined(separator: ", "))} compose",
                witness: nil, details: [], inducedOperations: nil)
        }
        let first = best.first.materialize(fragment)
        let second = best.second.materialize(fragment)
        var w = Witness(
            explanation:
                "in linguistic context \(linguistic.names[best.context]) the arguments' contextual meanings agree but the results differ"
        )
        w.operation = fragment.grammar.operations[Int(best.first.operation)].name
        w.context = linguistic.names[best.context]
        w.arguments1 = first.arguments
        w.arguments2 = second.arguments
        w.term1 = first
        w.term2 = second
        w.meaning1 = fragment.describe(meaning: best.m1)
        w.meaning2 = fragment.describe(meaning: best.m2)
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "not compositional even relative to linguistic contexts", witness: w, details: [],
            inducedOperations: nil)
    }
}

/// N13 Recursive-but-not-form-independent semantics and Kracht's independence lint: lists rules whose semantics read
/// surface forms (`form(X)`, `yield` — like ccg2lambda's `child0_surf`), semantic definedness conditions, context-
/// reading rules and overrides (docs/compositionality.md, N13).
enum FormReadingLint {
    static func run(_ grammar: InterpretedGrammar) -> NotionResult {
        let notion = Notion.lint
        var details: [String] = []
        let formReading = grammar.operations.filter(\.readsForms)
        for op in formReading {
            details.append("\(op.location): rule \(op.name) reads surface forms (recursive, but not form-independent)")
        }
        for op in grammar.operations where op.hasSemanticCondition {
            details.append("\(op.location): rule \(op.name) has a semantic definedness condition ('requires')")
        }
        for op in grammar.operations where op.readsContext && !op.isLexical {
            details.append("\(op.location): rule \(op.name) reads the context of use (its G_F depends on the context)")
        }
        for o in grammar.overrides {
            details.append("\(o.location): override \(o.description) is a non-compositional stipulation")
        }
        let holds = formReading.isEmpty
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: holds,
            summary: holds
                ? "no rule reads surface forms (the semantics is recursive over meanings only)"
                : "\(formReading.count) rule(s) read surface forms: " + formReading.map(\.name).joined(separator: ", "),
            witness: nil, details: details, inducedOperations: nil)
    }
}
