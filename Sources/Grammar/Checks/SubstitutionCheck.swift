/// Substitutivity: N3 (plural, Hodges' Subst) and N4 (singular, 1-Subst; SEP: "If two meaningful expressions differ
/// only in that one is the result of substituting a synonym for a constituent within the other then the two
/// expressions are synonyms").
enum SubstitutionCheck {
    /// N3: equivalent to N1 given the domain principle N2 (Hodges 2001); the N1 witness is presented as a frame
    /// F(_, …, _) with the substituted positions as holes.
    static func plural(fragment: Fragment, funct: NotionResult?, domain: NotionResult?, level: MeaningLevel?)
        -> NotionResult
    {
        let notion = Notion.subst
        let n1 =
            funct
            ?? {
                let check = FunctionalityCheck(
                    fragment: fragment, notion: .funct, views: [MeaningView(level: level)], contextInKey: false,
                    tracksDeclaredRule: false)
                replay(fragment, into: check)
                return check.finish()
            }()
        var result = NotionResult(
            notion: notion.rawValue, label: notion.label, holds: n1.holds, summary: "", witness: nil, details: [],
            inducedOperations: nil)
        if let w = n1.witness {
            var witness = w
            let positions = Set(w.differingPositions ?? [])
            if let arguments = w.arguments1, let op = w.operation {
                witness.frame =
                    op + "("
                    + arguments.enumerated().map { positions.contains($0.offset + 1) ? "_" : $0.element.description }
                    .joined(separator: ", ") + ")"
            }
            witness.explanation = "substituting synonyms for the holes of the frame changes the meaning"
            result.witness = witness
            result.summary = "substituting synonyms in a frame changes the meaning"
        } else {
            result.summary = "substituting synonyms (any number at once) preserves meaning"
        }
        if domain?.holds == false {
            result.details.append("the domain principle fails here, so N3 ⇔ N1 (Hodges) is not guaranteed")
        }
        return result
    }

    /// Re-runs an observer over the stored terms (for checks requested without their streaming pass).
    static func replay(_ fragment: Fragment, into observer: FragmentObserver) {
        for id in fragment.storedTerms {
            let op = fragment.operation(of: id)
            let kids = fragment.children(of: id)
            kids.withUnsafeBufferPointer { buffer in
                observer.observe(
                    EnumeratedTerm(
                        operation: op, children: buffer, id: id, depth: fragment.depth(of: id),
                        size: fragment.size(of: id), length: 0, record: fragment.record(of: id),
                        structured: fragment.store.structured[Int(id)]))
            }
        }
    }

    /// N4: for every stored term F(p⃗), position i and stored synonym q of p_i with F(p⃗[i:=q]) in the fragment, the
    /// two terms must be synonyms. Checking immediate positions suffices: a deeper substitution is a chain of
    /// immediate ones along the path (each intermediate term is in the fragment when the outer one is).
    static func singular(fragment: Fragment, level: MeaningLevel?) -> NotionResult {
        let notion = Notion.subst1
        let view = MeaningView(level: level)
        var index: [ArgumentKey: Int32] = [:]
        var classes: [Int32: [Int32]] = [:]
        var meanings: [Int32] = []
        meanings.reserveCapacity(fragment.storedCount)
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id, view: view)
            meanings.append(m)
            let kids = fragment.children(of: id)
            index[ArgumentKey(head: Int32(fragment.operation(of: id)), kids)] = id
            if m >= 0 { classes[m, default: []].append(id) }
        }
        var best: (rank: (Int, Int), t: Int32, u: Int32, position: Int)?
        var substitutions = 0
        let budget = 20_000_000
        var exhausted = false
        outer: for t in fragment.storedTerms where meanings[Int(t)] >= 0 {
            let op = fragment.operation(of: t)
            var kids = fragment.children(of: t)
            for i in kids.indices {
                let p = kids[i]
                guard meanings[Int(p)] >= 0, let synonyms = classes[meanings[Int(p)]] else { continue }
                for q in synonyms where q != p {
                    substitutions += 1
                    if substitutions > budget {
                        exhausted = true
                        break outer
                    }
                    kids[i] = q
                    if let u = index[ArgumentKey(head: Int32(op), kids)], meanings[Int(u)] >= 0,
                        meanings[Int(u)] != meanings[Int(t)]
                    {
                        let rank = (
                            max(fragment.depth(of: t), fragment.depth(of: u)),
                            fragment.size(of: t) + fragment.size(of: u)
                        )
                        if best == nil || rank < best!.rank { best = (rank, t, u, i) }
                    }
                    kids[i] = p
                }
            }
        }
        var details: [String] = []
        if exhausted { details.append("stopped after \(budget) substitutions; the verdict covers the terms examined") }
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary:
                    "substituting one synonym for one constituent preserves meaning (\(substitutions) substitution(s) tried)",
                witness: nil, details: details, inducedOperations: nil)
        }
        var w = Witness(explanation: "replacing one constituent by a synonym changes the meaning")
        let t = fragment.term(best.t)
        let u = fragment.term(best.u)
        w.operation = t.operation
        w.term1 = t
        w.term2 = u
        w.meaning1 = fragment.describe(meaning: meanings[Int(best.t)])
        w.meaning2 = fragment.describe(meaning: meanings[Int(best.u)])
        w.differingPositions = [best.position + 1]
        w.frame =
            t.operation + "("
            + t.arguments.enumerated().map { $0.offset == best.position ? "_" : $0.element.description }.joined(
                separator: ", ")
            + ")"
        w.arguments1 = [t.arguments[best.position]]
        w.arguments2 = [u.arguments[best.position]]
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "a single synonym substitution changes the meaning", witness: w, details: details,
            inducedOperations: nil)
    }
}
