/// Options for compiling a grammar.
public struct GrammarCompilerOptions: Sendable {
    /// Infer category types (and accept undeclared categories) instead of requiring `cat` declarations.
    public var infersCategories = false
    /// Let meanings use constants the model does not define; they evaluate to "undefined" (NLTK behaviour).
    public var allowsUndefinedConstants = false

    /// Default options for `.mont` files: everything declared.
    public init(infersCategories: Bool = false, allowsUndefinedConstants: Bool = false) {
        self.infersCategories = infersCategories
        self.allowsUndefinedConstants = allowsUndefinedConstants
    }
}

/// Loads `.mont` grammars: parse, resolve names, type-check, build the finite model and compile the rules.
public enum GrammarLoader {
    /// Reads and compiles the grammar at `path` (`.mont`, or NLTK `.fcfg` with an optional `.val` beside it).
    public static func load(path: String, valuation: String? = nil) throws -> InterpretedGrammar {
        if path.hasSuffix(".fcfg") || path.hasSuffix(".cfg") {
            return try NLTKImporter.load(grammarPath: path, valuationPath: valuation)
        }
        if let valuation {
            _ = try readTextFile(valuation)
            throw GrammarError(
                "a valuation applies to NLTK .fcfg grammars only; a .mont grammar declares its model in 'model { }'",
                at: SourceLocation(file: valuation, line: 1, column: 1))
        }
        let source = try readTextFile(path)
        return try compile(source: source, file: path)
    }

    /// Compiles `.mont` source text; `file` labels diagnostics.
    public static func compile(source: String, file: String = "<string>", options: GrammarCompilerOptions = .init())
        throws(GrammarErrors) -> InterpretedGrammar
    {
        let syntax = try GrammarParser.parse(source, file: file)
        return try compile(syntax, options: options)
    }

    /// Compiles parsed syntax.
    public static func compile(_ syntax: GrammarSyntax, options: GrammarCompilerOptions = .init())
        throws(GrammarErrors) -> InterpretedGrammar
    {
        var compiler = GrammarCompiler(syntax: syntax, options: options)
        let grammar = compiler.run()
        if !compiler.errors.isEmpty || grammar == nil {
            throw GrammarErrors(
                compiler.errors.sorted {
                    ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
                })
        }
        return grammar!
    }
}

/// Reads a UTF-8 text file, throwing a ``GrammarError`` at `path:1:1` if it cannot be read.
func readTextFile(_ path: String) throws(GrammarError) -> String {
    guard let file = fopen(path, "rb") else {
        throw GrammarError("cannot open file", at: SourceLocation(file: path, line: 1, column: 1))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    if ferror(file) != 0 {
        // fopen succeeds on a directory on Linux; the read is what fails (EISDIR).
        let reason = String(cString: strerror(errno))
        throw GrammarError("cannot read file: \(reason)", at: SourceLocation(file: path, line: 1, column: 1))
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw GrammarError("file is not valid UTF-8", at: SourceLocation(file: path, line: 1, column: 1))
    }
    return text
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct GrammarCompiler {
    let syntax: GrammarSyntax
    let options: GrammarCompilerOptions
    let lines: [String]
    var errors: [GrammarError] = []
    var symbols = SymbolTable()
    let inference = TypeInference()
    var model: FiniteModel!
    var categories: [(name: String, features: [(name: String, type: String)], type: SemanticType)] = []
    var categoryIndex: [String: Int] = [:]

    init(syntax: GrammarSyntax, options: GrammarCompilerOptions) {
        self.syntax = syntax
        self.options = options
        self.lines = syntax.source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        symbols.allowUndefinedConstants = options.allowsUndefinedConstants
    }

    func error(_ message: String, _ location: SourceLocation) -> GrammarError {
        GrammarError(message, at: location, sourceLine: lines[safe: location.line - 1])
    }

    var fileStart: SourceLocation { SourceLocation(file: syntax.file, line: 1, column: 1) }

    func makeExpressionCompiler() -> ExpressionCompiler {
        let model = self.model!
        return ExpressionCompiler(
            symbols: symbols, inference: inference, lines: lines, lambdaIDs: { model.freshLambdaID() })
    }

    // MARK: - Driver

    mutating func run() -> InterpretedGrammar? {
        buildUniverse()
        compileConstants()
        compileContextValues()
        declareCategories()
        var operations: [PendingOperation] = []
        for entry in syntax.lexicon {
            do throws(GrammarError) { operations.append(try compileLexicalEntry(entry, index: operations.count)) } catch
            {
                errors.append(error)
            }
        }
        for rule in syntax.rules {
            if operations.contains(where: { $0.name == rule.name.value && !$0.isLexical }) {
                errors.append(error("duplicate rule name '\(rule.name.value)'", rule.name.location))
                continue
            }
            do throws(GrammarError) { operations.append(try compileRule(rule, index: operations.count)) } catch {
                errors.append(error)
            }
        }
        if syntax.lexicon.isEmpty && syntax.rules.isEmpty {
            errors.append(
                GrammarError(
                    "the grammar has no lexical entries and no rules",
                    at: SourceLocation(file: syntax.file, line: 1, column: 1)))
        }
        var overrides: [CompiledOverride] = []
        for declaration in syntax.overrides {
            do throws(GrammarError) { overrides.append(try compileOverride(declaration, operations)) } catch {
                errors.append(error)
            }
        }
        var projections: [Int: (code: Code, type: SemanticType)] = [:]
        for (category, function) in syntax.projections {
            do throws(GrammarError) {
                guard let c = categoryIndex[category.value] else {
                    throw error("unknown category '\(category.value)'", category.location)
                }
                var scope = CompilationScope()
                let result = inference.fresh()
                let expected = SemanticType.function(categories[c].type, result)
                let (code, type) = try makeExpressionCompiler().compile(function, scope: &scope, expected: expected)
                if inference.unify(type, expected) != nil {
                    throw error(
                        "projection of \(category.value) must be a function from \(inference.resolve(categories[c].type)), found \(inference.resolve(type))",
                        function.location)
                }
                projections[c] = (code, result)
            } catch {
                errors.append(error)
            }
        }
        let linguistic = compileLinguistic(operations)
        let start = resolveStart()
        let bounds = compileBounds()
        var levels: [Int: MeaningLevel] = [:]
        for (category, level) in syntax.categoryMeaningLevels {
            if let c = categoryIndex[category.value] {
                levels[c] = level
            } else {
                errors.append(error("unknown category '\(category.value)'", category.location))
            }
        }
        validateChecks()
        if !errors.isEmpty { return nil }

        // Resolve all types (remaining variables default to e).
        let inference = self.inference
        let ground = { (t: SemanticType) in inference.ground(t) }
        let finalCategories = categories.map { Category(name: $0.name, features: $0.features, type: ground($0.type)) }
        let finalOperations = operations.map { $0.finish(ground) }
        let finalOverrides = overrides.map {
            CompiledOverride(
                target: $0.target, semantics: $0.semantics.mapTypes(ground), location: $0.location,
                description: $0.description)
        }
        var finalProjections: [Int: (code: Code, type: SemanticType)] = [:]
        for (c, p) in projections { finalProjections[c] = (p.code.mapTypes(ground), ground(p.type)) }
        var finalLinguistic = linguistic
        if let l = linguistic {
            var meanings: [Int: (code: Code, type: SemanticType)] = [:]
            for (c, m) in l.meanings { meanings[c] = (m.code.mapTypes(ground), ground(m.type)) }
            finalLinguistic = CompiledLinguisticContexts(
                names: l.names, root: l.root, embedding: l.embedding, meanings: meanings)
        }
        if syntax.meaningLevel?.value == .intension || syntax.lexicalMeaningLevel?.value == .intension,
            model.worlds.isEmpty
        {
            errors.append(
                error("meaning = intension needs worlds in the model", syntax.meaningLevel?.location ?? fileStart))
            return nil
        }
        var parameterNames: [String: [String]] = [:]
        for (name, constructors) in syntax.parameters { parameterNames[name.value] = constructors }
        return InterpretedGrammar(
            name: syntax.name, file: syntax.file, model: model, categories: finalCategories,
            operations: finalOperations, start: start, bounds: bounds,
            requestedChecks: syntax.checks.map { ($0.name.value, $0.argument) },
            meaningLevel: syntax.meaningLevel?.value ?? .extension,
            lexicalMeaningLevel: syntax.lexicalMeaningLevel?.value, categoryMeaningLevels: levels,
            overrides: finalOverrides, projections: finalProjections, linguistic: finalLinguistic,
            parameterNames: parameterNames)
    }

    // MARK: - Universe and model

    mutating func buildUniverse() {
        var enumerations: [String: [String]] = [:]
        for (name, constructors) in syntax.parameters {
            if enumerations[name.value] != nil {
                errors.append(error("duplicate parameter type '\(name.value)'", name.location))
            }
            enumerations[name.value] = constructors
            for (i, c) in constructors.enumerated() {
                if symbols.constructors[c] != nil {
                    errors.append(error("parameter value '\(c)' is declared twice", name.location))
                }
                symbols.constructors[c] = (name.value, i)
            }
        }
        symbols.enumerations = enumerations
        var entityNames: [String] = []
        var seen: Set<String> = []
        for entity in syntax.model.entities {
            if seen.insert(entity.value).inserted {
                entityNames.append(entity.value)
            } else {
                errors.append(error("entity '\(entity.value)' is declared twice", entity.location))
            }
        }
        // NLTK valuation style: names inside `=>` values are entities.
        let worldNames = Set(syntax.model.worlds.map(\.value))
        let constantNames = Set(syntax.model.constants.map(\.name.value))
        for constant in syntax.model.constants where constant.type == nil {
            for name in Self.names(in: constant.value)
            where !constantNames.contains(name) && !worldNames.contains(name) && symbols.constructors[name] == nil
                && seen.insert(name).inserted
            {
                entityNames.append(name)
            }
        }
        let worlds = syntax.model.worlds.map(\.value)
        var actual = 0
        if let a = syntax.model.actualWorld {
            if let i = worlds.firstIndex(of: a.value) {
                actual = i
            } else {
                errors.append(error("actual world '\(a.value)' is not among the worlds", a.location))
            }
        }
        let contexts = syntax.contexts.contexts.map(\.name.value)
        let parameters = syntax.contexts.parameters.map { (name: $0.name.value, type: $0.type) }
        model = FiniteModel(
            entities: entityNames, worlds: worlds, actualWorld: actual, contexts: contexts,
            contextParameters: parameters, enumerations: enumerations)
        for (i, e) in entityNames.enumerated() { symbols.entities[e] = i }
        for (i, w) in worlds.enumerated() { symbols.worlds[w] = i }
        for (i, c) in contexts.enumerated() { symbols.contexts[c] = i }
        for (i, p) in parameters.enumerated() { symbols.contextParameters[p.name] = (i, p.type) }
        for (name, type) in parameters {
            if let problem = checkTypeNames(type) {
                errors.append(
                    error(
                        problem, syntax.contexts.parameters.first { $0.name.value == name }?.name.location ?? fileStart)
                )
            }
        }
    }

    static func names(in expression: Expression) -> [String] {
        switch expression.kind {
        case .name(let n): return [n]
        case .setLiteral(let es), .tuple(let es), .sequenceLiteral(let es): return es.flatMap { names(in: $0) }
        default: return []
        }
    }

    func checkTypeNames(_ type: SemanticType) -> String? {
        switch type {
        case .enumeration(let name):
            return symbols.enumerations[name] == nil ? "unknown type '\(name)'" : nil
        case .function(let a, let b): return checkTypeNames(a) ?? checkTypeNames(b)
        case .set(let a), .sequence(let a): return checkTypeNames(a)
        case .tuple(let cs):
            for c in cs {
                if let p = checkTypeNames(c) { return p }
            }
            return nil
        default: return nil
        }
    }

    mutating func compileConstants() {
        for constant in syntax.model.constants {
            do throws(GrammarError) {
                if symbols.constants[constant.name.value] != nil {
                    throw error("constant '\(constant.name.value)' is defined twice", constant.name.location)
                }
                if let t = constant.type, let problem = checkTypeNames(t) {
                    throw error(problem, constant.name.location)
                }
                let type = constant.type ?? inferValuationType(constant.value)
                let value = try closedValue(constant.value, type: type)
                symbols.constants[constant.name.value] = (type, value)
                model.constants[constant.name.value] = (type, value)
            } catch {
                errors.append(error)
            }
        }
    }

    /// The type of an NLTK valuation entry: an entity, a set of entities (e -> t), or a set of n-tuples (curried).
    func inferValuationType(_ value: Expression) -> SemanticType {
        switch value.kind {
        case .setLiteral(let elements):
            if let first = elements.first, case .tuple(let components) = first.kind {
                return .curried(Array(repeating: .entity, count: components.count), .truth)
            }
            return .function(.entity, .truth)
        case .boolean: return .truth
        case .integer: return .integer
        default: return .entity
        }
    }

    /// Evaluates a closed expression at `type`, turning set literals into characteristic functions and table
    /// literals into functions when `type` asks for a function.
    func closedValue(_ expression: Expression, type: SemanticType) throws(GrammarError) -> Value {
        if case .function(let argument, let result) = type {
            let (arguments, final) = Self.uncurry(type)
            let isSetLike: Bool
            switch expression.kind {
            case .setLiteral, .comprehension: isSetLike = true
            default: isSetLike = false
            }
            if isSetLike && final == .truth {
                let elementType: SemanticType = arguments.count == 1 ? arguments[0] : .tuple(arguments)
                let set = try evaluateClosed(expression, expected: .set(elementType))
                guard case .set(let elements) = set else { throw error("expected a set", expression.location) }
                return try characteristic(Set(elements), arguments: arguments, at: expression.location)
            }
            if case .mapLiteral(let pairs) = expression.kind {
                guard let domain = model.domain(of: argument) else {
                    throw error("a table needs a finite argument type, not \(argument)", expression.location)
                }
                var results: [Value?] = Array(repeating: nil, count: domain.count)
                for (key, value) in pairs {
                    let k = try evaluateClosed(key, expected: argument)
                    guard let i = model.index(of: k, in: argument) else {
                        throw error("table key outside \(argument)", key.location)
                    }
                    results[i] = try closedValue(value, type: result)
                }
                var filled: [Value] = []
                for r in results {
                    if let r {
                        filled.append(r)
                    } else if let empty = model.emptyValue(of: result) {
                        filled.append(empty)
                    } else {
                        throw error("the table leaves some \(argument) without a value", expression.location)
                    }
                }
                return .table(filled)
            }
        }
        return try evaluateClosed(expression, expected: type)
    }

    static func uncurry(_ type: SemanticType) -> ([SemanticType], SemanticType) {
        if case .function(let a, let r) = type {
            let (rest, final) = uncurry(r)
            return ([a] + rest, final)
        }
        return ([], type)
    }

    func characteristic(_ elements: Set<Value>, arguments: [SemanticType], at location: SourceLocation)
        throws(GrammarError) -> Value
    {
        guard let domain = model.domain(of: arguments[0]) else {
            throw error("cannot tabulate a function over \(arguments[0])", location)
        }
        if arguments.count == 1 {
            return .table(domain.map { .bool(elements.contains($0)) })
        }
        var tables: [Value] = []
        for x in domain {
            var rest: Set<Value> = []
            for e in elements {
                guard case .tuple(let cs) = e, cs.count == arguments.count else { continue }
                if cs[0] == x { rest.insert(cs.count == 2 ? cs[1] : .tuple(Array(cs.dropFirst()))) }
            }
            tables.append(try characteristic(rest, arguments: Array(arguments.dropFirst()), at: location))
        }
        return .table(tables)
    }

    func evaluateClosed(_ expression: Expression, expected: SemanticType) throws(GrammarError) -> Value {
        var scope = CompilationScope()
        let compiler = makeExpressionCompiler()
        let (code, type) = try compiler.compile(expression, scope: &scope, expected: expected)
        if inference.unify(type, expected) != nil {
            throw error(
                "type mismatch: expected \(inference.resolve(expected)), found \(inference.resolve(type))",
                expression.location)
        }
        let inference = self.inference
        let resolved = code.mapTypes { inference.ground($0) }
        var environment: [Value] = []
        do throws(EvaluationError) {
            let value = try model.evaluate(
                resolved, environment: &environment, point: EvaluationPoint(context: 0, world: model.actualWorld),
                frame: .empty)
            return try model.canonical(value, type: inference.ground(expected))
        } catch {
            throw self.error("cannot evaluate: \(error.message)", expression.location)
        }
    }

    mutating func compileContextValues() {
        for (c, context) in syntax.contexts.contexts.enumerated() {
            var values: [Value?] = Array(repeating: nil, count: model.contextParameters.count)
            for (parameter, expression) in context.settings {
                guard let p = symbols.contextParameters[parameter.value] else {
                    errors.append(error("unknown context parameter '\(parameter.value)'", parameter.location))
                    continue
                }
                do throws(GrammarError) { values[p.index] = try closedValue(expression, type: p.type) } catch {
                    errors.append(error)
                }
            }
            var filled: [Value] = []
            for (k, v) in values.enumerated() {
                if let v {
                    filled.append(v)
                } else if let empty = model.emptyValue(of: model.contextParameters[k].type) {
                    filled.append(empty)
                } else {
                    errors.append(
                        error(
                            "context \(context.name.value) does not set parameter '\(model.contextParameters[k].name)'",
                            context.name.location))
                    filled.append(.bool(false))
                }
            }
            model.contextValues[c] = filled
        }
    }

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
                // Features first seen here are added (untyped features take their values as constructors).
                for (name, _) in reference.features where !categories[c].features.contains(where: { $0.name == name }) {
                    categories[c].features.append((name, "%" + name))
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
        categories.append((reference.name, reference.features.map { ($0.name, "%" + $0.name) }, inference.fresh()))
        return categories.count - 1
    }

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
