extension GrammarCompiler {
    /// The operations of a grammar in which one category's productions carry different semantic types — NLTK grammars
    /// type nothing, so a relative pronoun's NP `\P.\x.P(x)` may stand beside ordinary NPs of type ⟨⟨e,t⟩,t⟩.
    ///
    /// Each category gets *variants*, one per semantic type its productions need (`NP`, `NP#2`, …); a rule is compiled
    /// once per combination of its daughters' variants that type-checks (its *instances*), and an instance whose
    /// meaning fits none of its mother's variants opens a new one. Every derivation of the NLTK grammar whose meaning
    /// is well-typed is a derivation of exactly one combination, so no parse is lost or duplicated; ill-typed
    /// combinations (which NLTK would build and fail to evaluate) are left out. Variant 0 of a category takes the type
    /// most of its lexical entries agree on. Variants no production can reach from a variant 0 are dropped, and a
    /// production left with no instance is reported at its own line.
    mutating func compileSplittingByType() -> [PendingOperation] {
        enum Production {
            case lexical(LexicalDeclaration)
            case rule(RuleDeclaration)

            var mother: CategoryReference {
                switch self {
                case .lexical(let entry): return entry.category
                case .rule(let rule): return rule.mother
                }
            }

            var daughters: [String] {
                guard case .rule(let rule) = self else { return [] }
                return rule.items.compactMap {
                    if case .daughter(_, let category) = $0 { return category.name }
                    return nil
                }
            }

            var location: SourceLocation {
                switch self {
                case .lexical(let entry): return entry.semantics.location
                case .rule(let rule): return rule.semantics?.location ?? rule.name.location
                }
            }
        }
        // Processing order: lexicon (majority type first per category), then rules; `position` is the file order.
        let lexiconOrder = majorityFirstLexicon()
        let productions =
            lexiconOrder.map { Production.lexical(syntax.lexicon[$0]) } + syntax.rules.map(Production.rule)
        let position = lexiconOrder + syntax.rules.indices.map { syntax.lexicon.count + $0 }
        let maximumVariants = 8
        var variants: [String: [String]] = [:]
        func variantNames(_ base: String) -> [String] { variants[base] ?? [base] }
        var instances: [(production: Int, operation: PendingOperation)] = []
        var instanceCount = [Int](repeating: 0, count: productions.count)
        var firstError: [Int: GrammarError] = [:]
        var tried: Set<[String]> = []

        func instance(_ p: Int, mother: String, daughters: [String]) throws(GrammarError) -> PendingOperation {
            var daughterIndex = 0
            switch productions[p] {
            case .lexical(var entry):
                entry.category.name = mother
                return try compileLexicalEntry(entry, index: 0)
            case .rule(var rule):
                rule.mother.name = mother
                rule.items = rule.items.map { item in
                    guard case .daughter(let label, var category) = item else { return item }
                    category.name = daughters[daughterIndex]
                    daughterIndex += 1
                    return .daughter(label: label, category: category)
                }
                if instanceCount[p] > 0 {
                    rule.name = Located("\(rule.name.value)#\(instanceCount[p] + 1)", at: rule.name.location)
                }
                return try compileRule(rule, index: 0)
            }
        }

        var pass = 0
        while pass < 64 {
            var grew = false
            for (p, production) in productions.enumerated() {
                let base = production.mother.name
                // Pass 0 types the grammar as written; later passes try the variants found since.
                let lists = production.daughters.map { pass == 0 ? [$0] : variantNames($0) }
                var combination = [Int](repeating: 0, count: lists.count)
                while true {
                    let daughters = (0..<lists.count).map { lists[$0][combination[$0]] }
                    let key = ["\(p)"] + daughters
                    if !tried.contains(key) {
                        var compiled: PendingOperation?
                        for mother in pass == 0 ? [base] : variantNames(base) {
                            let state = inference.snapshot()
                            do throws(GrammarError) {
                                compiled = try instance(p, mother: mother, daughters: daughters)
                                break
                            } catch {
                                inference.restore(state)
                                if firstError[p] == nil { firstError[p] = error }
                            }
                        }
                        if compiled == nil, pass > 0, variantNames(base).count < maximumVariants,
                            let c = categoryIndex[base]
                        {
                            let name = base + "#\(variantNames(base).count + 1)"
                            let state = inference.snapshot()
                            let categoryCount = categories.count
                            categoryIndex[name] = categories.count
                            categories.append((name, categories[c].features, inference.fresh()))
                            do throws(GrammarError) {
                                compiled = try instance(p, mother: name, daughters: daughters)
                                variants[base] = variantNames(base) + [name]
                                grew = true
                            } catch {
                                inference.restore(state)
                                for (n, i) in categoryIndex where i >= categoryCount { categoryIndex[n] = nil }
                                categories.removeLast(categories.count - categoryCount)
                            }
                        }
                        if pass > 0 || compiled != nil { tried.insert(key) }
                        if let compiled {
                            instances.append((p, compiled))
                            instanceCount[p] += 1
                        }
                    }
                    var i = lists.count - 1
                    while i >= 0 {
                        combination[i] += 1
                        if combination[i] < lists[i].count { break }
                        combination[i] = 0
                        i -= 1
                    }
                    if i < 0 { break }
                }
            }
            pass += 1
            if pass > 1 && !grew { break }
        }
        // Variants reachable from a variant 0 (every declared category stays, as without splitting).
        let variantCategories = Set(variants.values.flatMap { $0.dropFirst() }.compactMap { categoryIndex[$0] })
        var alive = Set(categories.indices).subtracting(variantCategories)
        var changed = true
        while changed {
            changed = false
            for (_, operation) in instances where alive.contains(operation.category) {
                for d in operation.daughterCategories where alive.insert(d).inserted { changed = true }
            }
        }
        var kept: [(position: Int, operation: PendingOperation, name: String)] = []
        var keptProductions: [Int: Int] = [:]
        for (p, operation) in instances where alive.contains(operation.category) {
            // The surviving instances of a rule are named `Rule`, `Rule#2`, … in order.
            var name = operation.name
            if case .rule(let rule) = productions[p] {
                let k = keptProductions[p] ?? 0
                name = k == 0 ? rule.name.value : "\(rule.name.value)#\(k + 1)"
            }
            keptProductions[p, default: 0] += 1
            kept.append((position[p], operation, name))
        }
        // File order (stable: a production's instances in the order they were found).
        kept = kept.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }.map(
            \.element)
        for (p, production) in productions.enumerated() where keptProductions[p] == nil {
            if instanceCount[p] == 0, let e = firstError[p] {
                errors.append(e)
            } else {
                let base = production.mother.name
                errors.append(
                    error(
                        "this production gives \(base) a semantic type that no production using \(base) accepts (\(base)'s other productions: \(categoryIndex[base].map { "\(inference.resolve(categories[$0].type))" } ?? "?"))",
                        production.location))
            }
        }
        // Drop unreachable variant categories and renumber.
        var remap = [Int](repeating: -1, count: categories.count)
        var survivors: [(name: String, features: [(name: String, type: String)], type: SemanticType)] = []
        for (i, c) in categories.enumerated() where alive.contains(i) {
            remap[i] = survivors.count
            survivors.append(c)
        }
        categories = survivors
        categoryIndex = [:]
        for (i, c) in categories.enumerated() { categoryIndex[c.name] = i }
        return kept.enumerated().map { index, entry in
            let o = entry.operation
            return PendingOperation(
                index: index, name: entry.name, category: remap[o.category],
                daughterCategories: o.daughterCategories.map { remap[$0] }, daughterNames: o.daughterNames,
                isLexical: o.isLexical, location: o.location, motherFeatures: o.motherFeatures,
                daughterRequirements: o.daughterRequirements, variableCount: o.variableCount, condition: o.condition,
                requirement: o.requirement, semantics: o.semantics, form: o.form, sourceSemantics: o.sourceSemantics)
        }
    }

    /// The lexicon's indices with, per category, the entries whose standalone meaning types agree with the most others first
    /// (stable otherwise), so a category's first variant has the type of its ordinary entries.
    mutating func majorityFirstLexicon() -> [Int] {
        var byCategory: [String: [Int]] = [:]
        var order: [String] = []
        var types: [SemanticType?] = []
        for (i, entry) in syntax.lexicon.enumerated() {
            let state = inference.snapshot()
            var scope = CompilationScope()
            if let (_, type) = try? makeExpressionCompiler().compile(entry.semantics, scope: &scope) {
                types.append(inference.resolve(type))
            } else {
                types.append(nil)
            }
            inference.restore(state)
            if byCategory[entry.category.name] == nil { order.append(entry.category.name) }
            byCategory[entry.category.name, default: []].append(i)
        }
        var result: [Int] = []
        for name in order {
            let members = byCategory[name] ?? []
            var support: [Int: Int] = [:]
            for i in members {
                var count = 0
                for j in members {
                    guard let a = types[i], let b = types[j] else { continue }
                    let state = inference.snapshot()
                    if inference.unify(a, b) == nil { count += 1 }
                    inference.restore(state)
                }
                support[i] = count
            }
            let sorted = members.enumerated().sorted {
                let (a, b) = (support[$0.element] ?? 0, support[$1.element] ?? 0)
                return a != b ? a > b : $0.offset < $1.offset
            }
            result += sorted.map(\.element)
        }
        return result
    }
}
