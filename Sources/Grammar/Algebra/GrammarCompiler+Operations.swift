extension GrammarCompiler {
    // MARK: - Categories and operations

    mutating func declareCategories() {
        for declaration in syntax.categories {
            if categoryIndex[declaration.name.value] != nil {
                errors.append(
                    error("category '\(declaration.name.value)' is declared twice", declaration.name.location))
                continue
            }
            if let problem = checkTypeNames(declaration.type) {
                errors.append(error(problem, declaration.name.location))
            }
            for feature in declaration.features where symbols.enumerations[feature.type] == nil {
                errors.append(error("unknown parameter type '\(feature.type)'", declaration.name.location))
            }
            categoryIndex[declaration.name.value] = categories.count
            categories.append((declaration.name.value, declaration.features, declaration.type))
        }
    }

    /// The index of a referenced category (declaring it implicitly when inferring).
    mutating func categoryReference(_ reference: CategoryReference) throws(GrammarError) -> Int {
        if let c = categoryIndex[reference.name] {
            if options.infersCategories {
                // Features first seen here are added (untyped features take their values as constructors of one
                // shared enumeration, so a variable shared between two features compares the same values).
                for (name, _) in reference.features where !categories[c].features.contains(where: { $0.name == name }) {
                    categories[c].features.append((name, Self.inferredFeatureType))
                }
            }
            return c
        }
        guard options.infersCategories else {
            throw error(
                "unknown category '\(reference.name)' (declare it with 'cat \(reference.name) : type ;')",
                reference.location)
        }
        categoryIndex[reference.name] = categories.count
        categories.append(
            (reference.name, reference.features.map { ($0.name, Self.inferredFeatureType) }, inference.fresh()))
        return categories.count - 1
    }

    /// The type of every inferred (undeclared) feature: one enumeration of all the values written, so that values
    /// compare equal across features (`NP[NUM=?n] VP[AGR=?n]`).
    static let inferredFeatureType = "%"

    /// The constructor index of a feature value.
    mutating func featureConstant(_ value: String, feature: String, category: Int, at location: SourceLocation)
        throws(GrammarError) -> Int
    {
        guard let f = categories[category].features.first(where: { $0.name == feature }) else {
            throw error("category \(categories[category].name) has no feature '\(feature)'", location)
        }
        if f.type.hasPrefix("%") {
            // Inferred feature type: constructors are collected as they appear.
            var constructors = symbols.enumerations[f.type] ?? []
            if let i = constructors.firstIndex(of: value) { return i }
            constructors.append(value)
            symbols.enumerations[f.type] = constructors
            return constructors.count - 1
        }
        guard let c = symbols.constructors[value], c.type == f.type else {
            throw error(
                "'\(value)' is not a value of \(f.type) (feature \(feature) of \(categories[category].name))", location)
        }
        return c.index
    }

    func featureIndex(_ feature: String, category: Int, at location: SourceLocation) throws(GrammarError) -> Int {
        guard let i = categories[category].features.firstIndex(where: { $0.name == feature }) else {
            throw error("category \(categories[category].name) has no feature '\(feature)'", location)
        }
        return i
    }

    mutating func compileLexicalEntry(_ entry: LexicalDeclaration, index: Int) throws(GrammarError) -> PendingOperation
    {
        let category = try categoryReference(entry.category)
        var motherFeatures = Array(repeating: FeatureSource.unset, count: categories[category].features.count)
        for (name, value) in entry.category.features {
            let f = try featureIndex(name, category: category, at: entry.category.location)
            guard case .constant(let c) = value else {
                throw error("a lexical entry's features must be constants", entry.category.location)
            }
            let constant = try featureConstant(c, feature: name, category: category, at: entry.category.location)
            if f >= motherFeatures.count {
                motherFeatures.append(contentsOf: Array(repeating: .unset, count: f - motherFeatures.count + 1))
            }
            motherFeatures[f] = .constant(constant)
        }
        var scope = CompilationScope()
        let (code, type) = try makeExpressionCompiler().compile(
            entry.semantics, scope: &scope, expected: categories[category].type)
        if inference.unify(type, categories[category].type) != nil {
            throw error(
                "type mismatch: \(categories[category].name) has type \(inference.resolve(categories[category].type)) but the meaning of \"\(entry.form.value)\" has type \(inference.resolve(type))",
                entry.semantics.location)
        }
        let tokens = entry.form.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if tokens.isEmpty { throw error("empty lexical form", entry.form.location) }
        return PendingOperation(
            index: index, name: entry.form.value, category: category, daughterCategories: [], daughterNames: [],
            isLexical: true, location: entry.form.location, motherFeatures: motherFeatures,
            daughterRequirements: [], variableCount: 0, condition: nil, requirement: nil, semantics: code,
            form: .tokens(tokens), sourceSemantics: entry.semantics)
    }

    mutating func compileRule(_ rule: RuleDeclaration, index: Int) throws(GrammarError) -> PendingOperation {
        let mother = try categoryReference(rule.mother)
        var daughters: [(label: String?, category: Int, reference: CategoryReference)] = []
        var formItems: [FormItem] = []
        for item in rule.items {
            switch item {
            case .daughter(let label, let reference):
                formItems.append(.daughter(daughters.count))
                daughters.append((label, try categoryReference(reference), reference))
            case .token(let text, _):
                for token in text.split(separator: " ") { formItems.append(.token(String(token))) }
            }
        }
        // Daughter names: label, else category name if unique, else Cat1, Cat2, ….
        var names: [String] = []
        for (i, d) in daughters.enumerated() {
            if let label = d.label {
                names.append(label)
                continue
            }
            let name = categories[d.category].name
            let same = daughters.enumerated().filter { $0.element.label == nil && $0.element.category == d.category }
            if same.count == 1 {
                names.append(name)
            } else {
                names.append(name + String((same.firstIndex { $0.offset == i } ?? 0) + 1))
            }
        }
        // Features: variables are numbered per rule.
        var variables: [String: Int] = [:]
        var requirements: [[(feature: Int, requirement: FeatureRequirement)]] = []
        for d in daughters {
            var list: [(Int, FeatureRequirement)] = []
            for (name, value) in d.reference.features {
                let f = try featureIndex(name, category: d.category, at: d.reference.location)
                switch value {
                case .constant(let c):
                    list.append(
                        (
                            f,
                            .constant(
                                try featureConstant(c, feature: name, category: d.category, at: d.reference.location))
                        ))
                case .variable(let v):
                    let k = variables[v] ?? variables.count
                    variables[v] = k
                    list.append((f, .variable(k)))
                }
            }
            requirements.append(list)
        }
        var motherFeatures = Array(repeating: FeatureSource.unset, count: categories[mother].features.count)
        for (name, value) in rule.mother.features {
            let f = try featureIndex(name, category: mother, at: rule.mother.location)
            switch value {
            case .constant(let c):
                motherFeatures[f] = .constant(
                    try featureConstant(c, feature: name, category: mother, at: rule.mother.location))
            case .variable(let v):
                guard let k = variables[v] else {
                    throw error(
                        "feature variable ?\(v) of the mother does not occur in a daughter", rule.mother.location)
                }
                motherFeatures[f] = .variable(k)
            }
        }
        var condition: FeatureCondition?
        if let c = rule.condition {
            condition = try compileFeatureCondition(c, names: names, daughters: daughters.map(\.category))
        }
        var scope = CompilationScope()
        scope.daughters = zip(names, daughters).map { ($0, categories[$1.category].type) }
        scope.allowsForms = true
        let compiler = makeExpressionCompiler()
        var requirement: Code?
        if let r = rule.requirement {
            let (code, type) = try compiler.compile(r, scope: &scope)
            if inference.unify(type, .truth) != nil {
                throw error("'requires' needs a truth value, found \(inference.resolve(type))", r.location)
            }
            requirement = code
        }
        let semantics: Code
        if let s = rule.semantics {
            let (code, type) = try compiler.compile(s, scope: &scope, expected: categories[mother].type)
            if inference.unify(type, categories[mother].type) != nil {
                throw error(
                    "type mismatch in rule \(rule.name.value): \(categories[mother].name) has type \(inference.resolve(categories[mother].type)), the semantics has type \(inference.resolve(type))",
                    s.location)
            }
            semantics = code
        } else if daughters.count == 1 {
            if inference.unify(categories[daughters[0].category].type, categories[mother].type) != nil {
                throw error(
                    "rule \(rule.name.value) has no semantics and \(categories[daughters[0].category].name) and \(categories[mother].name) have different types",
                    rule.name.location)
            }
            semantics = .daughter(0)
        } else {
            throw error("rule \(rule.name.value) needs semantics ('=> …')", rule.name.location)
        }
        var form = FormSpecification.concatenation(formItems)
        if let f = rule.form {
            var formScope = CompilationScope()
            formScope.daughters = names.map { ($0, .sequence(.string)) }
            let (code, type) = try compiler.compile(f, scope: &formScope)
            if inference.unify(type, .sequence(.string)) != nil {
                throw error("a form must be a sequence of strings, found \(inference.resolve(type))", f.location)
            }
            form = .general(code)
        }
        return PendingOperation(
            index: index, name: rule.name.value, category: mother, daughterCategories: daughters.map(\.category),
            daughterNames: names, isLexical: false, location: rule.name.location, motherFeatures: motherFeatures,
            daughterRequirements: requirements, variableCount: variables.count, condition: condition,
            requirement: requirement, semantics: semantics, form: form, sourceSemantics: rule.semantics)
    }

    mutating func compileFeatureCondition(_ e: Expression, names: [String], daughters: [Int]) throws(GrammarError)
        -> FeatureCondition
    {
        switch e.kind {
        case .boolean(let b): return .truth(b)
        case .unary("!", let a): return .not(try compileFeatureCondition(a, names: names, daughters: daughters))
        case .binary(let op, let a, let b):
            switch op {
            case "&&":
                return .and(
                    try compileFeatureCondition(a, names: names, daughters: daughters),
                    try compileFeatureCondition(b, names: names, daughters: daughters))
            case "||":
                return .or(
                    try compileFeatureCondition(a, names: names, daughters: daughters),
                    try compileFeatureCondition(b, names: names, daughters: daughters))
            case "==", "!=":
                var x = try featureOperand(a, names: names, daughters: daughters)
                var y = try featureOperand(b, names: names, daughters: daughters)
                // Resolve bare constructor names against the other side's feature.
                if case .constant(let ci) = x, ci < 0, case .feature(let d, let f) = y {
                    x = .constant(try constructorIndex(a, daughter: daughters[d], feature: f))
                }
                if case .constant(let ci) = y, ci < 0, case .feature(let d, let f) = x {
                    y = .constant(try constructorIndex(b, daughter: daughters[d], feature: f))
                }
                return op == "==" ? .equal(x, y) : .notEqual(x, y)
            default: break
            }
        default: break
        }
        throw error(
            "a 'when' condition compares daughters' features (NP.num == VP.num) with ==, !=, &&, ||, !", e.location)
    }

    func featureOperand(_ e: Expression, names: [String], daughters: [Int]) throws(GrammarError) -> FeatureCondition {
        switch e.kind {
        case .field(let base, let feature):
            guard case .name(let d) = base.kind, let i = names.firstIndex(of: d) else {
                throw error("'\(feature)' must follow a daughter name", e.location)
            }
            return .feature(daughter: i, feature: try featureIndex(feature, category: daughters[i], at: e.location))
        case .name: return .constant(-1)
        default: throw error("expected a daughter feature or a parameter value", e.location)
        }
    }

    func constructorIndex(_ e: Expression, daughter: Int, feature: Int) throws(GrammarError) -> Int {
        guard case .name(let n) = e.kind else { throw error("expected a parameter value", e.location) }
        let type = categories[daughter].features[feature].type
        if let c = symbols.constructors[n], c.type == type { return c.index }
        if let i = symbols.enumerations[type]?.firstIndex(of: n) { return i }
        throw error("'\(n)' is not a value of \(type)", e.location)
    }

    mutating func compileOverride(_ declaration: OverrideDeclaration, _ operations: [PendingOperation])
        throws(GrammarError) -> CompiledOverride
    {
        let target: CompiledOverride.Target
        let category: Int
        let description: String
        switch declaration.target {
        case .string(let name, let form):
            guard let c = categoryIndex[name] else { throw error("unknown category '\(name)'", declaration.location) }
            category = c
            target = .string(category: c, tokens: form.split(separator: " ").map(String.init))
            description = "\(name) \"\(form)\""
        case .term(let pattern):
            let compiled = try compilePattern(pattern, operations, at: declaration.location)
            guard case .operation(let op, _) = compiled else {
                throw error("a term override must start with an operation: @Op(…)", declaration.location)
            }
            category = operations[op].category
            target = .term(compiled)
            description = "@" + Self.describe(pattern)
        }
        var scope = CompilationScope()
        let (code, type) = try makeExpressionCompiler().compile(
            declaration.semantics, scope: &scope, expected: categories[category].type)
        if inference.unify(type, categories[category].type) != nil {
            throw error(
                "type mismatch: the override must have type \(inference.resolve(categories[category].type)), found \(inference.resolve(type))",
                declaration.semantics.location)
        }
        return CompiledOverride(
            target: target, semantics: code, location: declaration.location, description: description)
    }

    static func describe(_ pattern: TermPattern) -> String {
        switch pattern {
        case .wildcard: return "_"
        case .atom(let a): return a
        case .operation(let op, let args): return op + "(" + args.map(describe).joined(separator: ", ") + ")"
        }
    }

    func compilePattern(_ pattern: TermPattern, _ operations: [PendingOperation], at location: SourceLocation)
        throws(GrammarError) -> CompiledPattern
    {
        switch pattern {
        case .wildcard: return .wildcard
        case .atom(let name):
            guard operations.contains(where: { $0.name == name && $0.daughterCategories.isEmpty }) else {
                throw error("no lexical atom '\(name)'", location)
            }
            return .atom(name)
        case .operation(let name, let arguments):
            guard let op = operations.firstIndex(where: { $0.name == name && !$0.isLexical }) else {
                throw error("no rule named '\(name)'", location)
            }
            guard operations[op].daughterCategories.count == arguments.count else {
                throw error("\(name) takes \(operations[op].daughterCategories.count) arguments", location)
            }
            var compiled: [CompiledPattern] = []
            for a in arguments { compiled.append(try compilePattern(a, operations, at: location)) }
            return .operation(op, compiled)
        }
    }

    mutating func compileLinguistic(_ operations: [PendingOperation]) -> CompiledLinguisticContexts? {
        guard let declaration = syntax.linguistic else { return nil }
        let names = declaration.contexts.map(\.value)
        guard !names.isEmpty else {
            errors.append(error("linguistic { } needs 'contexts = A | B ;'", fileStart))
            return nil
        }
        var root = 0
        if let r = declaration.root {
            if let i = names.firstIndex(of: r.value) {
                root = i
            } else {
                errors.append(error("unknown linguistic context '\(r.value)'", r.location))
            }
        }
        var embedding: [Int: Int] = [:]
        for (operation, position, mother, context) in declaration.embeddings {
            guard let op = operations.firstIndex(where: { $0.name == operation.value && !$0.isLexical }) else {
                errors.append(error("no rule named '\(operation.value)'", operation.location))
                continue
            }
            guard position >= 1, position <= operations[op].daughterCategories.count else {
                errors.append(error("\(operation.value) has no argument \(position)", operation.location))
                continue
            }
            guard let c = names.firstIndex(of: context) else {
                errors.append(error("unknown linguistic context '\(context)'", operation.location))
                continue
            }
            var m = -1
            if let mother {
                guard let i = names.firstIndex(of: mother) else {
                    errors.append(error("unknown linguistic context '\(mother)'", operation.location))
                    continue
                }
                m = i
            }
            embedding[CompiledLinguisticContexts.key(op, position - 1, m)] = c
        }
        var meanings: [Int: (code: Code, type: SemanticType)] = [:]
        for (category, function) in declaration.meanings {
            do throws(GrammarError) {
                guard let c = categoryIndex[category.value] else {
                    throw error("unknown category '\(category.value)'", category.location)
                }
                var scope = CompilationScope()
                let result = inference.fresh()
                let expected = SemanticType.function(categories[c].type, .function(.string, result))
                let (code, type) = try makeExpressionCompiler().compile(function, scope: &scope, expected: expected)
                if inference.unify(type, expected) != nil {
                    throw error("a linguistic meaning must be \\v xi. … with xi : str", function.location)
                }
                meanings[c] = (code, result)
            } catch {
                errors.append(error)
            }
        }
        return CompiledLinguisticContexts(names: names, root: root, embedding: embedding, meanings: meanings)
    }

    mutating func resolveStart() -> Int? {
        guard let start = syntax.start else { return nil }
        guard let c = categoryIndex[start.value] else {
            errors.append(error("unknown start category '\(start.value)'", start.location))
            return nil
        }
        return c
    }

    mutating func compileBounds() -> EnumerationBounds {
        var bounds = EnumerationBounds()
        for (key, value) in syntax.bounds {
            switch key.value {
            case "max_depth": bounds.maxDepth = value
            case "max_length": bounds.maxLength = value
            case "max_terms": bounds.maxTerms = value
            default:
                errors.append(
                    error("unknown bound '\(key.value)' (expected max_depth, max_length or max_terms)", key.location))
            }
            if value < 1 { errors.append(error("bounds must be positive", key.location)) }
            if key.value == "max_depth", value > EnumerationBounds.maximumDepth {
                errors.append(error("max_depth must be at most \(EnumerationBounds.maximumDepth)", key.location))
            }
        }
        return bounds
    }

    mutating func validateChecks() {
        for (name, _) in syntax.checks where Notion(checkName: name.value) == nil {
            errors.append(
                error(
                    "unknown check '\(name.value)' (known: \(Notion.allCases.map(\.rawValue).joined(separator: ", ")))",
                    name.location))
        }
    }
}

/// An operation before its types are resolved.
struct PendingOperation {
    let index: Int
    let name: String
    let category: Int
    let daughterCategories: [Int]
    let daughterNames: [String]
    let isLexical: Bool
    let location: SourceLocation
    let motherFeatures: [FeatureSource]
    let daughterRequirements: [[(feature: Int, requirement: FeatureRequirement)]]
    let variableCount: Int
    let condition: FeatureCondition?
    let requirement: Code?
    let semantics: Code
    let form: FormSpecification
    let sourceSemantics: Expression?

    func finish(_ ground: (SemanticType) -> SemanticType) -> Operation {
        let code = semantics.mapTypes(ground)
        let requirementCode = requirement?.mapTypes(ground)
        var formCode = form
        if case .general(let c) = form { formCode = .general(c.mapTypes(ground)) }
        return Operation(
            index: index, name: name, category: category, daughterCategories: daughterCategories,
            daughterNames: daughterNames, isLexical: isLexical,
            readsForms: code.readsForms || (requirementCode?.readsForms ?? false),
            readsContext: code.readsContext, hasSemanticCondition: requirement != nil, location: location,
            motherFeatures: motherFeatures, daughterRequirements: daughterRequirements, variableCount: variableCount,
            condition: condition, requirement: requirementCode, semantics: code, form: formCode,
            sourceSemantics: sourceSemantics)
    }
}
