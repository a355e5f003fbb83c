import MontagueSupport

/// Options of `montague check`.
public struct CheckOptions: Sendable {
    /// Notions to decide (empty: the grammar's `check { }` block, else N1).
    public var notions: [Notion] = []
    /// Bounds (nil: the grammar's).
    public var bounds: EnumerationBounds?
    /// Compare at this meaning level instead of the declared one.
    public var level: MeaningLevel?
    /// Record whether induced operations agree with the declared rules (one extra memo lookup per term).
    public var tracksDeclaredRules = true
    /// Report ambiguity conflicts (needs the yields of the start category's terms).
    public var reportsAmbiguities = true

    /// Default options.
    public init(notions: [Notion] = [], bounds: EnumerationBounds? = nil, level: MeaningLevel? = nil) {
        self.notions = notions
        self.bounds = bounds
        self.level = level
    }
}

/// Decides the notions of compositionality of docs/compositionality.md on a bounded fragment, with minimal witnesses.
public enum CompositionalityChecker {
    /// Notions decided in one streaming pass (the deepest layer need not be stored).
    static let streamingNotions: Set<Notion> = [
        .funct, .ref, .stand, .occWeak, .occStrong, .reverse, .domain, .subst, .systematic, .lcontext, .lint, .global,
        .coll,
    ]

    /// Enumerates the fragment and decides the requested notions.
    public static func check(
        _ grammar: InterpretedGrammar, options: CheckOptions = CheckOptions(), progress: ((Int) -> Void)? = nil
    ) -> CheckReport {
        var notions = options.notions
        if notions.isEmpty {
            notions = grammar.requestedChecks.compactMap { Notion(checkName: $0.name, argument: $0.argument) }
        }
        if notions.isEmpty { notions = [.funct] }
        var seen: Set<Notion> = []
        notions = notions.filter { seen.insert($0).inserted }

        let bounds = options.bounds ?? grammar.bounds
        var enumeration = EnumerationOptions(bounds: bounds)
        enumeration.storesDeepestLayer = !notions.allSatisfy(streamingNotions.contains) || options.reportsAmbiguities
        let baseLevel = options.level
        let usesStructure =
            baseLevel == .structured || grammar.meaningLevel == .structured
            || grammar.categoryMeaningLevels.values.contains(.structured)
        enumeration.tracksStructure = usesStructure
        enumeration.progress = progress

        // Fragment is created by the enumerator; observers need it, so they are created lazily on the first term.
        var observers: [(Notion, FragmentObserver)] = []
        var created = false
        let model = grammar.model
        let contexts = Array(0..<model.contextCount)
        var fragmentRef: Fragment?
        let fragment = Enumerator.enumerate(grammar, options: enumeration) { term in
            if !created {
                created = true
                // The fragment is reachable through the engine's grammar; build observers now.
                observers = makeObservers(
                    notions, fragment: fragmentRef!, level: baseLevel, contexts: contexts, options: options)
            }
            for (_, o) in observers { o.observe(term) }
        } prepare: { fragment in
            fragmentRef = fragment
        }
        if !created {
            observers = makeObservers(
                notions, fragment: fragment, level: baseLevel, contexts: contexts, options: options)
        }
        var results: [NotionResult] = []
        var funct: NotionResult?
        var domain: NotionResult?
        for notion in notions {
            if notion == .subst {
                let n1 = observers.first(where: { $0.0 == .subst })?.1.finish() ?? funct
                results.append(
                    SubstitutionCheck.plural(fragment: fragment, funct: n1, domain: domain, level: baseLevel))
                continue
            }
            if let observer = observers.first(where: { $0.0 == notion })?.1 {
                let r = observer.finish()
                if notion == .funct { funct = r }
                if notion == .domain { domain = r }
                results.append(r)
                continue
            }
            switch notion {
            case .subst:
                results.append(
                    SubstitutionCheck.plural(fragment: fragment, funct: funct, domain: domain, level: baseLevel))
            case .subst1:
                results.append(SubstitutionCheck.singular(fragment: fragment, level: baseLevel))
            case .husserl:
                results.append(HusserlCheck.run(fragment: fragment, level: baseLevel))
            case .fregean:
                results.append(FregeanExtension.run(fragment: fragment, level: baseLevel).result)
            case .lint:
                results.append(FormReadingLint.run(grammar))
            default:
                results.append(
                    NotionResult(
                        notion: notion.rawValue, label: notion.label, holds: nil, summary: "not implemented",
                        witness: nil, details: [], inducedOperations: nil))
            }
        }
        var caveats: [String] = []
        if fragment.truncated {
            caveats.append(
                "the enumeration stopped at \(bounds.maxTerms) terms: verdicts hold for the enumerated part only")
        } else if !fragment.saturated {
            caveats.append("verdicts hold up to depth \(bounds.maxDepth); deeper terms were not examined")
        }
        if model.opaqueCount > 0 {
            caveats.append(
                "\(model.opaqueCount) function value(s) had domains too large to tabulate and were compared by their code (identical code ⇒ equal; different code may still be extensionally equal)"
            )
        }
        let ambiguities = options.reportsAmbiguities ? findAmbiguities(fragment, level: baseLevel) : []
        var perCategory: [String: Int] = [:]
        for (i, c) in grammar.categories.enumerated() { perCategory[c.name] = fragment.countsByCategory[i] }
        return CheckReport(
            grammar: grammar.name, file: grammar.file, maxDepth: bounds.maxDepth, maxLength: bounds.maxLength,
            maxTerms: bounds.maxTerms, termCount: fragment.termCount, termsPerCategory: perCategory,
            isTruncated: fragment.truncated, isSaturated: fragment.saturated,
            distinctMeanings: fragment.distinctMeaningCount, meaninglessTerms: fragment.meaninglessCount,
            results: results, ambiguities: ambiguities, evaluationErrors: fragment.evaluationErrors, caveats: caveats)
    }

    static func makeObservers(
        _ notions: [Notion], fragment: Fragment, level: MeaningLevel?, contexts: [Int], options: CheckOptions
    ) -> [(Notion, FragmentObserver)] {
        var observers: [(Notion, FragmentObserver)] = []
        let tracks = options.tracksDeclaredRules
        for notion in notions {
            switch notion {
            case .funct:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: notion, views: [MeaningView(level: level)], contextInKey: false,
                            tracksDeclaredRule: tracks)
                    ))
            case .ref:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: notion, views: [MeaningView(level: .extension)],
                            contextInKey: false, tracksDeclaredRule: tracks)
                    ))
            case .stand:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: notion, views: [MeaningView(level: level)], contextInKey: false,
                            tracksDeclaredRule: tracks)
                    ))
            case .occWeak:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: notion,
                            views: contexts.map { MeaningView(level: level, context: $0) }, contextInKey: true,
                            tracksDeclaredRule: false)
                    ))
            case .occStrong:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: notion,
                            views: contexts.map { MeaningView(level: level, context: $0) }, contextInKey: false,
                            tracksDeclaredRule: false)
                    ))
            case .subst:
                observers.append(
                    (
                        notion,
                        FunctionalityCheck(
                            fragment: fragment, notion: .funct, views: [MeaningView(level: level)], contextInKey: false,
                            tracksDeclaredRule: false)
                    ))
            case .reverse:
                observers.append(
                    (notion, ReverseCompositionalityCheck(fragment: fragment, view: MeaningView(level: level))))
            case .domain:
                observers.append((notion, DomainPrincipleCheck(fragment: fragment, view: MeaningView(level: level))))
            case .global:
                observers.append(
                    (notion, GlobalCompositionalityCheck(fragment: fragment, view: MeaningView(level: level))))
            case .coll:
                let views =
                    contexts.count > 1
                    ? contexts.map { MeaningView(level: level, context: $0) } : [MeaningView(level: level)]
                observers.append(
                    (notion, GlobalCompositionalityCheck(fragment: fragment, views: views, notion: .coll)))
            case .systematic:
                observers.append((notion, SystematicityCheck(fragment: fragment, view: MeaningView(level: level))))
            case .lcontext:
                observers.append((notion, LinguisticContextCheck(fragment: fragment)))
            default:
                break
            }
        }
        return observers
    }

    /// Strings of the start category (or every category without a start) with two derivations and two meanings.
    ///
    /// Yields are compared by a polynomial hash computed bottom-up (h(xy) = h(x)·Bᵏ + h(y), k = |y|), so the pass
    /// is linear in the number of terms instead of building every yield; a hash match is confirmed on the tokens.
    static func findAmbiguities(_ fragment: Fragment, level: MeaningLevel?) -> [AmbiguityConflict] {
        guard fragment.storedCount <= 300_000 else { return [] }
        let grammar = fragment.grammar
        let n = fragment.storedCount
        let base: UInt64 = 0x100_0000_01B3
        var hashes = [UInt64](repeating: 0, count: n)
        var powers = [UInt64](repeating: 1, count: n)
        var tokenHashes: [String: UInt64] = [:]
        func tokenHash(_ token: String) -> UInt64 {
            if let h = tokenHashes[token] { return h }
            var generator = SplitMix64(seed: UInt64(tokenHashes.count) &+ 0x5EED)
            let h = generator.next() | 1
            tokenHashes[token] = h
            return h
        }
        func append(_ h: inout UInt64, _ p: inout UInt64, hash: UInt64, power: UInt64) {
            h = h &* power &+ hash
            p = p &* power
        }
        var first: [[UInt64]: (Int32, Int32)] = [:]
        var conflicts: [AmbiguityConflict] = []
        var reported: Set<[UInt64]> = []
        let view = MeaningView(level: level)
        for id in fragment.storedTerms {
            let i = Int(id)
            var h: UInt64 = 0
            var p: UInt64 = 1
            let operation = grammar.operations[fragment.operation(of: id)]
            switch operation.form {
            case .tokens(let tokens):
                for t in tokens { append(&h, &p, hash: tokenHash(t), power: base) }
            case .concatenation(let items):
                let kids = fragment.children(of: id)
                for item in items {
                    switch item {
                    case .token(let t): append(&h, &p, hash: tokenHash(t), power: base)
                    case .daughter(let d):
                        append(&h, &p, hash: hashes[Int(kids[d])], power: powers[Int(kids[d])])
                    }
                }
            case .general:
                for t in fragment.tokens(of: id) { append(&h, &p, hash: tokenHash(t), power: base) }
            }
            hashes[i] = h
            powers[i] = p
            let category = fragment.category(of: id)
            if let start = grammar.start, category != start { continue }
            let m = fragment.meaning(of: id, view: view)
            if m < 0 { continue }
            let key = [UInt64(category), h, p]
            guard let (otherID, otherMeaning) = first[key] else {
                first[key] = (id, m)
                continue
            }
            guard otherMeaning != m, !reported.contains(key) else { continue }
            let yield = fragment.tokens(of: id)
            guard yield == fragment.tokens(of: otherID) else { continue }
            reported.insert(key)
            conflicts.append(
                AmbiguityConflict(
                    yield: yield.joined(separator: " "), category: grammar.categories[category].name,
                    terms: [fragment.term(otherID), fragment.term(id)],
                    meanings: [fragment.describe(meaning: otherMeaning), fragment.describe(meaning: m)]))
        }
        return conflicts
    }
}
