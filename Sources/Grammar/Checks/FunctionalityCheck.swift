/// N1 Funct / C_local (and its variants C_ref N8, C_stand N11a, C_occ weak N11b and strong N11c): for every
/// operation F, μ(F(p⃗)) must be a function of μ(p1)…μ(pk).
///
/// One hash map per check, key (F, μ(p⃗)) → the outputs seen with their smallest terms; a second output is a
/// conflict. Linear in the fragment size; memory proportional to the distinct argument-meaning tuples.
/// (SEP "Compositionality" §2; Hodges 2001 "Funct"; docs/compositionality.md, N1.)
final class FunctionalityCheck: FragmentObserver {
    let fragment: Fragment
    let notion: Notion
    /// One meaning function per view; with `contextInKey`, views are separate (weak); otherwise pooled (strong).
    let views: [StoredMeanings]
    let contextInKey: Bool
    let tracksDeclaredRule: Bool

    private struct Output {
        var meaning: Int32
        var handle: TermHandle
        var view: Int
    }
    private var table: [ArgumentKey: [Output]] = [:]
    private var conflictsPerOperation: [Int: Int] = [:]
    private var best:
        (
            rank: (Int, Int), first: TermHandle, second: TermHandle, views: (Int, Int), arguments: [Int32],
            outputs: (Int32, Int32)
        )?
    private var disagreesWithDeclared: Set<Int> = []
    private var argumentBuffer: [Int32] = []

    init(fragment: Fragment, notion: Notion, views: [MeaningView], contextInKey: Bool, tracksDeclaredRule: Bool = true)
    {
        self.fragment = fragment
        self.notion = notion
        self.views = views.map { StoredMeanings(fragment: fragment, view: $0) }
        self.contextInKey = contextInKey
        self.tracksDeclaredRule = tracksDeclaredRule
    }

    func observe(_ term: EnumeratedTerm) {
        let arity = term.children.count
        for (v, meanings) in views.enumerated() {
            let output = meanings.observe(term)
            guard arity > 0, output >= 0 else { continue }
            argumentBuffer.removeAll(keepingCapacity: true)
            var meaningful = true
            for child in term.children {
                let m = meanings[child]
                if m < 0 { meaningful = false }
                argumentBuffer.append(m)
            }
            guard meaningful else { continue }
            let key = argumentBuffer.withUnsafeBufferPointer {
                ArgumentKey(head: Int32(term.operation), context: Int32(contextInKey ? v : 0), $0)
            }
            if var outputs = table[key] {
                if let i = outputs.firstIndex(where: { $0.meaning == output }) {
                    // Keep the smallest representative of each output.
                    if (term.depth, term.size) < (outputs[i].handle.depth, outputs[i].handle.size) {
                        outputs[i].handle = TermHandle(term)
                        table[key] = outputs
                    }
                    // A smaller term with a conflicting output already seen may give a smaller witness.
                    if outputs.count > 1 {
                        for (j, other) in outputs.enumerated() where j != i {
                            let rank = (max(other.handle.depth, term.depth), other.handle.size + term.size)
                            if best == nil || rank < best!.rank {
                                best = (
                                    rank, other.handle, TermHandle(term), (other.view, v), argumentBuffer,
                                    (other.meaning, output)
                                )
                            }
                        }
                    }
                    continue
                }
                conflictsPerOperation[term.operation, default: 0] += 1
                let mine = TermHandle(term)
                for other in outputs {
                    let rank = (max(other.handle.depth, mine.depth), other.handle.size + mine.size)
                    if best == nil || rank < best!.rank {
                        best = (rank, other.handle, mine, (other.view, v), argumentBuffer, (other.meaning, output))
                    }
                }
                outputs.append(Output(meaning: output, handle: mine, view: v))
                table[key] = outputs
            } else {
                table[key] = [Output(meaning: output, handle: TermHandle(term), view: v)]
            }
        }
        if tracksDeclaredRule, arity > 0, term.record >= 0, !fragment.grammar.overrides.isEmpty {
            // Does the declared rule give the same record? (differs only where an override applied)
            var records = [Int32](repeating: 0, count: arity)
            for (i, c) in term.children.enumerated() { records[i] = fragment.record(of: c) }
            let declared = records.withUnsafeBufferPointer {
                fragment.engine.ruleRecord(term.operation, arguments: $0, forms: nil)
            }
            if declared != term.record { disagreesWithDeclared.insert(term.operation) }
        }
    }

    func finish() -> NotionResult {
        let operations = fragment.grammar.operations
        var result = NotionResult(
            notion: notion.rawValue, label: notion.label, holds: best == nil, summary: "", witness: nil, details: [],
            inducedOperations: nil)
        let checkedOperations = operations.filter { $0.arity > 0 }
        if let best {
            let first = best.first.materialize(fragment)
            let second = best.second.materialize(fragment)
            var w = Witness(explanation: "")
            w.operation = operations[Int(best.first.operation)].name
            w.arguments1 = first.arguments
            w.arguments2 = second.arguments
            w.term1 = first
            w.term2 = second
            w.argumentMeanings1 = best.arguments.map { fragment.describe(meaning: $0) }
            w.meaning1 = fragment.describe(meaning: best.outputs.0)
            w.meaning2 = fragment.describe(meaning: best.outputs.1)
            w.differingPositions = zip(best.first.children, best.second.children).enumerated()
                .filter { $0.element.0 != $0.element.1 }.map { $0.offset + 1 }
            let contextName = { (v: Int) -> String? in
                self.views[v].view.context.map { self.fragment.grammar.model.contexts[safe: $0] ?? "c\($0)" }
            }
            if contextInKey {
                w.context = contextName(best.views.1)
            } else if views.count > 1 {
                w.context = [contextName(best.views.0), contextName(best.views.1)].compactMap { $0 }.joined(
                    separator: " vs ")
            }
            let positions = w.differingPositions ?? []
            if positions.isEmpty {
                w.differingPositions = nil
                w.explanation =
                    "the same arguments, with the same meanings in both contexts, give \(w.operation!) different meanings: G_\(w.operation!) depends on the context"
            } else {
                w.explanation =
                    "the arguments have the same meanings but \(w.operation!) gives different meanings"
                    + (positions.count == 1 ? " (they differ in one position)" : "")
            }
            result.witness = w
            result.summary =
                "no function G_\(w.operation!) exists: \(conflictsPerOperation.values.reduce(0, +)) conflicting term(s)"
            for (op, n) in conflictsPerOperation.sorted(by: { $0.key < $1.key }) {
                result.details.append("\(operations[op].name): \(n) conflict(s)")
            }
        } else {
            result.summary =
                "every operation's meaning is a function of its arguments' meanings (\(checkedOperations.count) operation(s), \(table.count) argument-meaning tuple(s))"
            if !contextInKey && views.count == 1 { result.inducedOperations = inducedOperations() }
        }
        if !disagreesWithDeclared.isEmpty {
            result.details.append(
                "overrides make the induced operation differ from the declared rule for: "
                    + disagreesWithDeclared.sorted().map { operations[$0].name }.joined(separator: ", "))
        }
        return result
    }

    /// G_F for each operation as a table (when N1 holds).
    func inducedOperations() -> [InducedOperation] {
        var rows: [Int: [(ArgumentKey, Int32)]] = [:]
        for (key, outputs) in table {
            rows[Int(key.head), default: []].append((key, outputs[0].meaning))
        }
        var result: [InducedOperation] = []
        for (op, list) in rows.sorted(by: { $0.key < $1.key }) {
            let sorted = list.sorted { $0.0.values.lexicographicallyPrecedes($1.0.values) }
            let shown = sorted.prefix(200).map { key, output in
                InducedRow(
                    arguments: key.values.map { fragment.describe(meaning: $0) },
                    result: fragment.describe(meaning: output))
            }
            result.append(
                InducedOperation(
                    operation: fragment.grammar.operations[op].name, rowCount: list.count, rows: Array(shown),
                    agreesWithDeclaredRule: !disagreesWithDeclared.contains(op)
                        && !fragment.grammar.operations[op].readsForms))
        }
        return result
    }
}
