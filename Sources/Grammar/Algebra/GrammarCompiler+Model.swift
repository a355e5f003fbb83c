extension GrammarCompiler {
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
}
