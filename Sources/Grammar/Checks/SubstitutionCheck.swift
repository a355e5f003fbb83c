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
    ///
    /// Decided by grouping instead of trying substitutions: F(p⃗) and F(p⃗[i:=q]) with μ(q) = μ(p_i) are exactly the
    /// terms that share the group (F, i, the other arguments, μ(p_i)), so N4 holds iff every group has one meaning.
    /// One pass per (operation, position) with an open-addressing table of 64-bit group hashes (verified on the
    /// terms themselves): linear in the fragment, memory proportional to the largest operation's terms. Only groups
    /// with two meanings are revisited, for the minimal witness.
    static func singular(fragment: Fragment, level: MeaningLevel?) -> NotionResult {
        let notion = Notion.subst1
        let view = MeaningView(level: level)
        let store = fragment.store
        let operations = fragment.grammar.operations
        let n = fragment.storedCount
        var meanings = [Int32](repeating: -1, count: n)
        var classSize: [Int32: Int] = [:]
        // Terms by operation (stable: ascending ids).
        var countByOperation = [Int](repeating: 0, count: operations.count + 1)
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id, view: view)
            meanings[Int(id)] = m
            if m >= 0 { classSize[m, default: 0] += 1 }
            countByOperation[Int(store.operation[Int(id)]) + 1] += 1
        }
        for k in 0..<operations.count { countByOperation[k + 1] += countByOperation[k] }
        var byOperation = [Int32](repeating: 0, count: n)
        var fill = countByOperation
        for id in fragment.storedTerms {
            let op = Int(store.operation[Int(id)])
            byOperation[fill[op]] = id
            fill[op] += 1
        }
        // The number of substitutions the definition ranges over (each synonym q ≠ p_i of each argument).
        var substitutions = 0
        for id in fragment.storedTerms where meanings[Int(id)] >= 0 {
            let start = Int(store.childStart[Int(id)])
            for k in 0..<operations[Int(store.operation[Int(id)])].arity {
                let m = meanings[Int(store.children[start + k])]
                if m >= 0 { substitutions += (classSize[m] ?? 1) - 1 }
            }
        }
        var best: (rank: (Int, Int), t: Int32, u: Int32, position: Int, q: Int32)?
        var slots: [Int32] = []
        var slotHashes: [UInt64] = []
        var slotMixed: [Bool] = []
        for (op, operation) in operations.enumerated() where operation.arity > 0 {
            let terms = byOperation[countByOperation[op]..<countByOperation[op + 1]]
            if terms.count < 2 { continue }
            var capacity = 16
            while capacity < 2 * terms.count { capacity *= 2 }
            let mask = capacity - 1
            for position in 0..<operation.arity {
                slots = [Int32](repeating: -1, count: capacity)
                slotHashes = [UInt64](repeating: 0, count: capacity)
                slotMixed = [Bool](repeating: false, count: capacity)
                var anyMixed = false
                func sameGroup(_ a: Int32, _ b: Int32) -> Bool {
                    let sa = Int(store.childStart[Int(a)])
                    let sb = Int(store.childStart[Int(b)])
                    for k in 0..<operation.arity {
                        let x = store.children[sa + k]
                        let y = store.children[sb + k]
                        if k == position {
                            if meanings[Int(x)] != meanings[Int(y)] { return false }
                        } else if x != y {
                            return false
                        }
                    }
                    return true
                }
                /// The slot of `t`'s group (inserted if new), or -1 when t is not in a group.
                func slot(of t: Int32, insert: Bool) -> Int {
                    guard meanings[Int(t)] >= 0 else { return -1 }
                    let start = Int(store.childStart[Int(t)])
                    let kidMeaning = meanings[Int(store.children[start + position])]
                    guard kidMeaning >= 0 else { return -1 }
                    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(position + 1)
                    for k in 0..<operation.arity {
                        let v =
                            k == position ? UInt64(UInt32(bitPattern: kidMeaning)) : UInt64(store.children[start + k])
                        h = (h ^ v &+ UInt64(k)) &* 0xBF58_476D_1CE4_E5B9
                        h ^= h >> 31
                    }
                    var i = Int(truncatingIfNeeded: h) & mask
                    while slots[i] >= 0 {
                        if slotHashes[i] == h && sameGroup(slots[i], t) { return i }
                        i = (i + 1) & mask
                    }
                    if !insert { return -1 }
                    slots[i] = t
                    slotHashes[i] = h
                    return i
                }
                for t in terms {
                    let i = slot(of: t, insert: true)
                    if i >= 0, meanings[Int(slots[i])] != meanings[Int(t)] {
                        slotMixed[i] = true
                        anyMixed = true
                    }
                }
                guard anyMixed else { continue }
                var members: [Int: [Int32]] = [:]
                for t in terms {
                    let i = slot(of: t, insert: false)
                    if i >= 0, slotMixed[i] { members[i, default: []].append(t) }
                }
                for group in members.values {
                    guard let pair = minimalPair(group, position: position, fragment: fragment, meanings: meanings)
                    else { continue }
                    let key = (pair.rank.0, pair.rank.1, pair.t, position, pair.q)
                    if let b = best, key >= (b.rank.0, b.rank.1, b.t, b.position, b.q) { continue }
                    best = (pair.rank, pair.t, pair.u, position, pair.q)
                }
            }
        }
        let details: [String] = []
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary:
                    "substituting one synonym for one constituent preserves meaning (\(substitutions) substitution(s) covered)",
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

    /// The first pair (t, u) of a group with two meanings in the order of the definition's search: smallest
    /// (max depth, total size), then smallest t, then smallest substituted argument q (u's argument at `position`).
    static func minimalPair(_ group: [Int32], position: Int, fragment: Fragment, meanings: [Int32])
        -> (rank: (Int, Int), t: Int32, u: Int32, q: Int32)?
    {
        let store = fragment.store
        func depth(_ id: Int32) -> Int { Int(store.depth[Int(id)]) }
        func size(_ id: Int32) -> Int { Int(store.size[Int(id)]) }
        // Smallest depth bound D at which two meanings occur, then the smallest size sum below it.
        let depths = Set(group.map(depth)).sorted()
        var bound: Int?
        for d in depths {
            var first: Int32?
            if group.contains(where: { t in
                guard depth(t) <= d else { return false }
                if let f = first { return f != meanings[Int(t)] }
                first = meanings[Int(t)]
                return false
            }) {
                bound = d
                break
            }
        }
        guard let bound else { return nil }
        let eligible = group.filter { depth($0) <= bound }
        var smallestByMeaning: [Int32: Int] = [:]
        for t in eligible {
            smallestByMeaning[meanings[Int(t)]] = min(smallestByMeaning[meanings[Int(t)]] ?? .max, size(t))
        }
        let minima = smallestByMeaning.values.sorted()
        guard minima.count >= 2 else { return nil }
        let total = minima[0] + minima[1]
        var bySize: [Int: [(u: Int32, q: Int32)]] = [:]
        for u in eligible {
            bySize[size(u), default: []].append((u, store.children[Int(store.childStart[Int(u)]) + position]))
        }
        for key in Array(bySize.keys) { bySize[key]!.sort { $0.q < $1.q } }
        for t in eligible {
            guard let candidates = bySize[total - size(t)] else { continue }
            if let match = candidates.first(where: { meanings[Int($0.u)] != meanings[Int(t)] }) {
                return ((bound, total), t, match.u, match.q)
            }
        }
        return nil
    }
}
