import MontagueSupport
import Testing

@testable import Grammar

/// The linear-time checks (N4 by grouping, N5 with cached syntactic types, N6 with dense key tables, N10 refinement
/// on interned contexts, memoised form-reading rules) against straightforward reference implementations — the
/// quadratic substitution search, signatures as arrays — on random small grammars: verdicts, witnesses and classes
/// must be identical.
@Suite("Fast paths agree with reference implementations")
struct FastPathReferenceTests {
    static func fragment(seed: Int, maxDepth: Int = 3) throws -> Fragment {
        let grammar = try compile(ImplicationPropertyTests.randomGrammar(seed: UInt64(seed)))
        return Enumerator.enumerate(
            grammar, options: EnumerationOptions(bounds: EnumerationBounds(maxDepth: maxDepth, maxTerms: 1000)))
    }

    @Test(arguments: 1...24)
    func singularSubstitutionMatchesTheSubstitutionSearch(seed: Int) throws {
        let fragment = try Self.fragment(seed: seed)
        let fast = SubstitutionCheck.singular(fragment: fragment, level: nil)
        let reference = Self.referenceSingular(fragment: fragment)
        #expect(fast == reference, "seed \(seed)")
    }

    @Test(arguments: 1...24)
    func fregeanClassesMatchArraySignatureRefinement(seed: Int) throws {
        let fragment = try Self.fragment(seed: seed)
        let fast = FregeanExtension.run(fragment: fragment)
        let block = Self.referenceFregeanBlocks(fragment: fragment)
        #expect(fast.classCount == Set(block).count, "seed \(seed)")
        var classByYield: [String: Int] = [:]
        for id in fragment.storedTerms where classByYield[fragment.yield(of: id)] == nil {
            classByYield[fragment.yield(of: id)] = block[Int(id)]
        }
        #expect(fast.classByYield == classByYield, "seed \(seed)")
    }

    @Test(arguments: 1...24)
    func cachedSyntacticTypesMatchFeatureArrayLookup(seed: Int) throws {
        let fragment = try Self.fragment(seed: seed)
        let categories = HodgesCategories(fragment: fragment, view: .declared)
        for id in fragment.storedTerms {
            let key = [fragment.category(of: id)] + fragment.featureVectors[Int(fragment.featureID(of: id))]
            #expect(categories.type(of: id, in: fragment) == categories.typeIndex[key])
        }
    }

    @Test(arguments: 1...24)
    func globalCompositionalityMatchesDictionaryReference(seed: Int) throws {
        let grammar = try compile(ImplicationPropertyTests.randomGrammar(seed: UInt64(seed)))
        let report = CompositionalityChecker.check(
            grammar, options: CheckOptions(notions: [.global], bounds: EnumerationBounds(maxDepth: 3, maxTerms: 1000)))
        let fragment = try Self.fragment(seed: seed)
        let reference = Self.referenceGlobal(fragment: fragment)
        let result = try #require(report.results.first)
        #expect(result.holds == (reference == nil), "seed \(seed)")
        if let reference {
            #expect(result.witness?.term1 == reference.0 && result.witness?.term2 == reference.1, "seed \(seed)")
        }
    }

    /// Form-reading rules are memoised on (operation, argument records, argument yields): every term's record must
    /// be the one a direct evaluation on its own forms gives.
    @Test func memoisedFormReadingRecordsEqualDirectEvaluation() throws {
        let grammar = try compile(
            """
            grammar P ; start S ; cat S : t ;
            lexicon { "a" : S = true ; "b" : S = false ; }
            rules {
              C : S -> S S => reverse(yield) == yield || S1 ;
              D : S -> "d" S => len(form(S)) == 2 ;
            }
            """)
        let fragment = Enumerator.enumerate(
            grammar, options: EnumerationOptions(bounds: EnumerationBounds(maxDepth: 6, maxLength: 6, maxTerms: 20_000))
        )
        #expect(fragment.storedCount > 1000)
        // One evaluation per distinct (rule, argument records, argument strings), far fewer than the derivations.
        #expect(fragment.ruleEvaluationCount < fragment.storedCount / 2)
        for id in fragment.storedTerms where fragment.children(of: id).count > 0 {
            let kids = fragment.children(of: id)
            let records = kids.map { fragment.record(of: $0) }
            let direct = records.withUnsafeBufferPointer {
                fragment.engine.ruleRecord(
                    fragment.operation(of: id), arguments: $0,
                    forms: { (kids.map { fragment.tokens(of: $0) }, fragment.tokens(of: id)) })
            }
            #expect(direct == fragment.record(of: id))
        }
    }

    // MARK: - References

    /// N4 as the definition reads: try every synonym in every argument position and look the result up.
    static func referenceSingular(fragment: Fragment) -> NotionResult {
        let notion = Notion.subst1
        let view = MeaningView.declared
        var index: [[Int32]: Int32] = [:]
        var classes: [Int32: [Int32]] = [:]
        var meanings: [Int32] = []
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id, view: view)
            meanings.append(m)
            index[[Int32(fragment.operation(of: id))] + fragment.children(of: id)] = id
            if m >= 0 { classes[m, default: []].append(id) }
        }
        var best: (rank: (Int, Int), t: Int32, u: Int32, position: Int)?
        var substitutions = 0
        for t in fragment.storedTerms where meanings[Int(t)] >= 0 {
            let op = fragment.operation(of: t)
            var kids = fragment.children(of: t)
            for i in kids.indices {
                let p = kids[i]
                guard meanings[Int(p)] >= 0, let synonyms = classes[meanings[Int(p)]] else { continue }
                for q in synonyms where q != p {
                    substitutions += 1
                    kids[i] = q
                    if let u = index[[Int32(op)] + kids], meanings[Int(u)] >= 0, meanings[Int(u)] != meanings[Int(t)] {
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
        guard let best else {
            return NotionResult(
                notion: notion.rawValue, label: notion.label, holds: true,
                summary:
                    "substituting one synonym for one constituent preserves meaning (\(substitutions) substitution(s) covered)",
                witness: nil, details: [], inducedOperations: nil)
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
                separator: ", ") + ")"
        w.arguments1 = [t.arguments[best.position]]
        w.arguments2 = [u.arguments[best.position]]
        return NotionResult(
            notion: notion.rawValue, label: notion.label, holds: false,
            summary: "a single synonym substitution changes the meaning", witness: w, details: [],
            inducedOperations: nil)
    }

    /// N10's refinement with each signature spelled out as an array (block, then the sorted distinct contexts).
    static func referenceFregeanBlocks(fragment: Fragment) -> [Int] {
        let start = fragment.grammar.start ?? 0
        let categories = HodgesCategories(fragment: fragment, view: .declared)
        let n = fragment.storedCount
        var meanings = [Int32](repeating: -1, count: n)
        var isSentence = [Bool](repeating: false, count: n)
        var isCore = [Bool](repeating: false, count: n)
        for id in fragment.storedTerms {
            meanings[Int(id)] = fragment.meaning(of: id)
            isSentence[Int(id)] = fragment.category(of: id) == start && meanings[Int(id)] >= 0
            isCore[Int(id)] = fragment.saturated || fragment.depth(of: id) < fragment.bounds.maxDepth
        }
        var block = [Int](repeating: 0, count: n)
        var initial: [[Int]: Int] = [:]
        for id in fragment.storedTerms {
            let i = Int(id)
            let key = [fragment.category(of: id)] + fragment.featureVectors[Int(fragment.featureID(of: id))]
            let category = meanings[i] < 0 ? -1 : (categories.typeIndex[key].map { categories.block[$0] } ?? -2)
            let k = [category, isSentence[i] ? Int(meanings[i]) : -1]
            if initial[k] == nil { initial[k] = initial.count }
            block[i] = initial[k]!
        }
        var occurrences = [[(operation: Int, position: Int, parent: Int32)]](repeating: [], count: n)
        for u in fragment.storedTerms {
            let kids = fragment.children(of: u)
            guard !kids.isEmpty, kids.allSatisfy({ isCore[Int($0)] && meanings[Int($0)] >= 0 }) else { continue }
            for (i, k) in kids.enumerated() { occurrences[Int(k)].append((fragment.operation(of: u), i, u)) }
        }
        var blockCount = initial.count
        var rounds = 0
        while true {
            rounds += 1
            var signatures: [[Int]: Int] = [:]
            var next = block
            for id in fragment.storedTerms {
                let i = Int(id)
                var signature = [block[i]]
                if isCore[i] {
                    var contexts: [[Int]] = []
                    for o in occurrences[i] {
                        var c = [o.operation, o.position]
                        for (j, k) in fragment.children(of: o.parent).enumerated() where j != o.position {
                            c.append(block[Int(k)])
                        }
                        c.append(block[Int(o.parent)])
                        contexts.append(c)
                    }
                    contexts.sort { $0.lexicographicallyPrecedes($1) }
                    var last: [Int]?
                    for c in contexts where c != last {
                        signature.append(-7)
                        signature += c
                        last = c
                    }
                }
                if signatures[signature] == nil { signatures[signature] = signatures.count }
                next[i] = signatures[signature]!
            }
            block = next
            if signatures.count == blockCount || rounds > 10_000 { break }
            blockCount = signatures.count
        }
        return block
    }

    /// N6 with a dictionary of first meanings per (structure, atom meanings) key: the smallest conflicting pair.
    static func referenceGlobal(fragment: Fragment) -> (Term, Term)? {
        var keys: [[Int32]: Int32] = [:]
        var termKeys = [Int32](repeating: -1, count: fragment.storedCount)
        var first: [Int32: (meaning: Int32, id: Int32)] = [:]
        var best: (rank: (Int, Int), a: Int32, b: Int32)?
        for id in fragment.storedTerms {
            let m = fragment.meaning(of: id)
            guard m >= 0 else { continue }
            let kids = fragment.children(of: id)
            let raw: [Int32]
            if kids.isEmpty {
                raw = [-1, m]
            } else {
                let childKeys = kids.map { termKeys[Int($0)] }
                if childKeys.contains(-1) { continue }
                raw = [Int32(fragment.operation(of: id))] + childKeys
            }
            if keys[raw] == nil { keys[raw] = Int32(keys.count) }
            let key = keys[raw]!
            termKeys[Int(id)] = key
            if let (other, otherID) = first[key] {
                if other != m {
                    let rank = (
                        max(fragment.depth(of: otherID), fragment.depth(of: id)),
                        fragment.size(of: otherID) + fragment.size(of: id)
                    )
                    if best == nil || rank < best!.rank { best = (rank, otherID, id) }
                }
            } else {
                first[key] = (m, id)
            }
        }
        return best.map { (fragment.term($0.a), fragment.term($0.b)) }
    }
}
