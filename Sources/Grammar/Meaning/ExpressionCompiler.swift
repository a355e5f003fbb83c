/// Names visible to meaning expressions, besides local variables and daughters.
struct SymbolTable {
    var constants: [String: (type: SemanticType, value: Value)] = [:]
    var entities: [String: Int] = [:]
    var worlds: [String: Int] = [:]
    var contexts: [String: Int] = [:]
    var constructors: [String: (type: String, index: Int)] = [:]
    var contextParameters: [String: (index: Int, type: SemanticType)] = [:]
    var enumerations: [String: [String]] = [:]
    /// Imported grammars may use constants their model lacks; they evaluate to "undefined" (as in NLTK).
    var allowUndefinedConstants = false
}

/// What a rule's semantics may refer to.
struct CompilationScope {
    var locals: [(name: String, type: SemanticType)] = []
    var daughters: [(name: String, type: SemanticType)] = []
    /// Whether `form(X)` and `yield` are allowed (rule semantics and overrides; not model constants).
    var allowsForms = false
}

/// Type-checks an ``Expression`` against a ``SymbolTable`` and compiles it to ``Code``.
///
/// Errors are ``GrammarError``s at the offending sub-expression: `file:line:column: error: type mismatch: expected
/// e -> t, found e`.
struct ExpressionCompiler {
    let symbols: SymbolTable
    let inference: TypeInference
    let lines: [String]
    let lambdaIDs: () -> Int

    func error(_ message: String, _ location: SourceLocation) -> GrammarError {
        GrammarError(message, at: location, sourceLine: lines[safe: location.line - 1])
    }

    func unify(_ a: SemanticType, _ b: SemanticType, _ location: SourceLocation, _ what: String) throws(GrammarError) {
        if inference.unify(a, b) != nil {
            throw error(
                "type mismatch \(what): expected \(inference.resolve(b)), found \(inference.resolve(a))", location)
        }
    }

    /// Compiles `expression`; `expected` (if given) guides inference of unannotated λ binders.
    func compile(_ expression: Expression, scope: inout CompilationScope, expected: SemanticType? = nil)
        throws(GrammarError) -> (Code, SemanticType)
    {
        let location = expression.location
        switch expression.kind {
        case .integer(let i): return (.constant(.int(i)), .integer)
        case .string(let s): return (.constant(.string(s)), .string)
        case .boolean(let b): return (.constant(.bool(b)), .truth)
        case .currentWorld: return (.currentWorld, .world)
        case .currentContext: return (.currentContext, .context)
        case .undefinedConstant(let name): return (.undefined(name), inference.fresh())
        case .name(let name):
            return try compileName(name, location, scope: scope)
        case .lambda(let binders, let body):
            return try compileLambda(binders[...], body, scope: &scope, expected: expected)
        case .application(let function, let arguments):
            if case .name(let name) = function.kind, !scope.locals.contains(where: { $0.name == name }),
                !scope.daughters.contains(where: { $0.name == name }), symbols.constants[name] == nil
            {
                if name == "form" { return try compileForm(arguments, location, scope: scope) }
                if let builtin = BuiltinFunction(rawValue: name) {
                    return try compileBuiltin(builtin, arguments, location, scope: &scope)
                }
            }
            var (code, type) = try compile(function, scope: &scope)
            for argument in arguments {
                var argumentExpected: SemanticType?
                if case .function(let a, _) = inference.resolve(type) { argumentExpected = a }
                let (argumentCode, argumentType) = try compile(argument, scope: &scope, expected: argumentExpected)
                let result = inference.fresh()
                if inference.unify(type, .function(argumentType, result)) != nil {
                    let shown = inference.resolve(type)
                    if case .function(let a, _) = shown {
                        throw error(
                            "type mismatch in argument: the function takes \(a), the argument is \(inference.resolve(argumentType))",
                            argument.location)
                    }
                    throw error("applying a value of type \(shown), which is not a function", location)
                }
                code = .apply(code, argumentCode, argumentType)
                type = result
            }
            return (code, type)
        case .field(let base, let name):
            let (code, type) = try compile(base, scope: &scope)
            try unify(type, .context, base.location, "before '.\(name)' (only contexts have named fields)")
            guard let parameter = symbols.contextParameters[name] else {
                throw error("unknown context parameter '\(name)'", location)
            }
            return (.contextParameter(code, parameter.index), parameter.type)
        case .projection(let base, let index):
            let (code, type) = try compile(base, scope: &scope)
            guard case .tuple(let components) = inference.resolve(type) else {
                throw error(
                    "'.\(index)' needs a tuple, found \(inference.resolve(type)) (annotate the variable's type)",
                    location)
            }
            guard index >= 1, index <= components.count else {
                throw error("tuple has \(components.count) components, no '.\(index)'", location)
            }
            return (.project(code, index), components[index - 1])
        case .unary(let op, let operand):
            switch op {
            case "!":
                let (code, type) = try compile(operand, scope: &scope)
                try unify(type, .truth, operand.location, "in negation")
                return (.not(code), .truth)
            case "-":
                let (code, type) = try compile(operand, scope: &scope)
                try unify(type, .integer, operand.location, "in unary minus")
                return (.negate(code), .integer)
            default:  // "^"
                scope.locals.append((name: "%world", type: .world))
                defer { scope.locals.removeLast() }
                let (code, type) = try compile(operand, scope: &scope)
                return (.intension(lambdaIDs(), .at(code, .local(0), true), type), .function(.world, type))
            }
        case .binary(let op, let left, let right):
            return try compileBinary(op, left, right, location, scope: &scope)
        case .quantifier(let keyword, let binder, let domain, let body):
            let variableType = binder.type ?? inference.fresh()
            var domainCode: Code?
            if let domain {
                let (code, type) = try compile(domain, scope: &scope)
                if case .sequence(let element) = inference.resolve(type) {
                    try unify(element, variableType, domain.location, "in the quantifier domain")
                } else {
                    try unify(type, .set(variableType), domain.location, "in the quantifier domain")
                }
                domainCode = code
            }
            scope.locals.append((binder.name, variableType))
            defer { scope.locals.removeLast() }
            let (bodyCode, bodyType) = try compile(body, scope: &scope)
            try unify(bodyType, .truth, body.location, "in the quantifier body")
            let kind = QuantifierKind(rawValue: keyword) ?? .forall
            let resultType: SemanticType
            switch kind {
            case .forall, .exists: resultType = .truth
            case .iota: resultType = variableType
            case .count: resultType = .integer
            }
            return (.quantifier(kind, domainCode, variableType, bodyCode), resultType)
        case .comprehension(let binder, let domain, let condition):
            let variableType = binder.type ?? inference.fresh()
            let (domainCode, domainType) = try compile(domain, scope: &scope)
            if case .sequence(let element) = inference.resolve(domainType) {
                try unify(element, variableType, domain.location, "in the comprehension domain")
            } else {
                try unify(domainType, .set(variableType), domain.location, "in the comprehension domain")
            }
            scope.locals.append((binder.name, variableType))
            defer { scope.locals.removeLast() }
            let (conditionCode, conditionType) = try compile(condition, scope: &scope)
            try unify(conditionType, .truth, condition.location, "in the comprehension condition")
            return (.comprehension(domainCode, variableType, conditionCode), .set(variableType))
        case .setLiteral(let elements):
            var elementExpected: SemanticType?
            if let expected, case .set(let e) = inference.resolve(expected) { elementExpected = e }
            let elementType = elementExpected ?? inference.fresh()
            var codes: [Code] = []
            for element in elements {
                let (code, type) = try compile(element, scope: &scope, expected: elementType)
                try unify(type, elementType, element.location, "in the set")
                codes.append(code)
            }
            return (.setLiteral(codes, elementType), .set(elementType))
        case .sequenceLiteral(let elements):
            let elementType = inference.fresh()
            var codes: [Code] = []
            for element in elements {
                let (code, type) = try compile(element, scope: &scope)
                try unify(type, elementType, element.location, "in the sequence")
                codes.append(code)
            }
            return (.sequenceLiteral(codes), .sequence(elementType))
        case .tuple(let components):
            var codes: [Code] = []
            var types: [SemanticType] = []
            for component in components {
                let (code, type) = try compile(component, scope: &scope)
                codes.append(code)
                types.append(type)
            }
            return (.tuple(codes), .tuple(types))
        case .mapLiteral(let pairs):
            var keyType = inference.fresh()
            var valueType = inference.fresh()
            if let expected, case .function(let k, let v) = inference.resolve(expected) {
                keyType = k
                valueType = v
            }
            var codes: [(Code, Code)] = []
            for (key, value) in pairs {
                let (keyCode, kType) = try compile(key, scope: &scope)
                try unify(kType, keyType, key.location, "in a table key")
                let (valueCode, vType) = try compile(value, scope: &scope, expected: valueType)
                try unify(vType, valueType, value.location, "in a table value")
                codes.append((keyCode, valueCode))
            }
            return (.map(codes, keyType, valueType), .function(keyType, valueType))
        case .conditional(let condition, let then, let otherwise):
            let (c, ct) = try compile(condition, scope: &scope)
            try unify(ct, .truth, condition.location, "in the condition")
            let (a, at) = try compile(then, scope: &scope, expected: expected)
            let (b, bt) = try compile(otherwise, scope: &scope, expected: at)
            try unify(bt, at, otherwise.location, "between the branches")
            return (.conditional(c, a, b), at)
        case .letIn(let name, let value, let body):
            let (valueCode, valueType) = try compile(value, scope: &scope)
            scope.locals.append((name, valueType))
            defer { scope.locals.removeLast() }
            let (bodyCode, bodyType) = try compile(body, scope: &scope, expected: expected)
            return (.letIn(valueCode, bodyCode), bodyType)
        case .at(let body, let point):
            let (pointCode, pointType) = try compile(point, scope: &scope)
            let isWorld: Bool
            switch inference.resolve(pointType) {
            case .context: isWorld = false
            case .world: isWorld = true
            default:
                try unify(pointType, .world, point.location, "after 'at' (a world or a context)")
                isWorld = true
            }
            let (bodyCode, bodyType) = try compile(body, scope: &scope, expected: expected)
            return (.at(bodyCode, pointCode, isWorld), bodyType)
        }
    }

    private func compileName(_ name: String, _ location: SourceLocation, scope: CompilationScope)
        throws(GrammarError) -> (Code, SemanticType)
    {
        if let i = scope.locals.lastIndex(where: { $0.name == name }) {
            return (.local(scope.locals.count - 1 - i), scope.locals[i].type)
        }
        if let i = scope.daughters.firstIndex(where: { $0.name == name }) {
            return (.daughter(i), scope.daughters[i].type)
        }
        if name == "yield" && scope.allowsForms { return (.motherForm, .sequence(.string)) }
        if let constant = symbols.constants[name] { return (.constant(constant.value), constant.type) }
        if let i = symbols.entities[name] { return (.constant(.entity(i)), .entity) }
        if let i = symbols.worlds[name] { return (.constant(.world(i)), .world) }
        if let i = symbols.contexts[name] { return (.constant(.context(i)), .context) }
        if let c = symbols.constructors[name] { return (.constant(.constructor(c.index)), .enumeration(c.type)) }
        switch name {
        case "entities": return (.constant(.set(symbols.entities.values.sorted().map { .entity($0) })), .set(.entity))
        case "worlds":
            let count = max(1, symbols.worlds.count)
            return (.constant(.set((0..<count).map { .world($0) })), .set(.world))
        case "contexts":
            let count = max(1, symbols.contexts.count)
            return (.constant(.set((0..<count).map { .context($0) })), .set(.context))
        default: break
        }
        if symbols.allowUndefinedConstants { return (.undefined(name), inference.fresh()) }
        if name == "yield" || name == "form" {
            throw error("'\(name)' is only available in rule semantics and overrides", location)
        }
        throw error("unknown name '\(name)'", location)
    }

    private func compileLambda(
        _ binders: ArraySlice<Binder>, _ body: Expression, scope: inout CompilationScope, expected: SemanticType?
    ) throws(GrammarError) -> (Code, SemanticType) {
        guard let binder = binders.first else { return try compile(body, scope: &scope, expected: expected) }
        var argumentType = binder.type ?? inference.fresh()
        var resultExpected: SemanticType?
        if let expected, case .function(let a, let r) = inference.resolve(expected) {
            if let problem = inference.unify(argumentType, a) {
                _ = problem
                throw error(
                    "type mismatch: λ\(binder.name) takes \(inference.resolve(argumentType)) but \(inference.resolve(a)) is expected",
                    body.location)
            }
            argumentType = a
            resultExpected = r
        }
        scope.locals.append((binder.name, argumentType))
        defer { scope.locals.removeLast() }
        let (bodyCode, bodyType) = try compileLambda(
            binders.dropFirst(), body, scope: &scope, expected: resultExpected)
        return (.lambda(lambdaIDs(), bodyCode, argumentType, bodyType), .function(argumentType, bodyType))
    }

    private func compileForm(_ arguments: [Expression], _ location: SourceLocation, scope: CompilationScope)
        throws(GrammarError) -> (Code, SemanticType)
    {
        guard scope.allowsForms else { throw error("'form' is only available in rule semantics", location) }
        guard arguments.count == 1, case .name(let name) = arguments[0].kind,
            let i = scope.daughters.firstIndex(where: { $0.name == name })
        else { throw error("'form' takes one daughter name, as in form(NP)", location) }
        return (.daughterForm(i), .sequence(.string))
    }

    private func compileBuiltin(
        _ builtin: BuiltinFunction, _ arguments: [Expression], _ location: SourceLocation,
        scope: inout CompilationScope
    ) throws(GrammarError) -> (Code, SemanticType) {
        let arity: Int
        switch builtin {
        case .repeat, .range: arity = 2
        default: arity = 1
        }
        guard arguments.count == arity else {
            throw error("'\(builtin.rawValue)' takes \(arity) argument\(arity == 1 ? "" : "s")", location)
        }
        var codes: [Code] = []
        var types: [SemanticType] = []
        for argument in arguments {
            let (code, type) = try compile(argument, scope: &scope)
            codes.append(code)
            types.append(type)
        }
        let element = inference.fresh()
        let name = "in \(builtin.rawValue)"
        switch builtin {
        case .card:
            try unify(types[0], .set(element), arguments[0].location, name)
            return (.builtin(builtin, codes, .integer), .integer)
        case .len:
            try unify(types[0], .sequence(element), arguments[0].location, name)
            return (.builtin(builtin, codes, .integer), .integer)
        case .repeat:
            try unify(types[0], .integer, arguments[0].location, name)
            try unify(types[1], .sequence(element), arguments[1].location, name)
            return (.builtin(builtin, codes, .sequence(element)), .sequence(element))
        case .reverse, .tail:
            try unify(types[0], .sequence(element), arguments[0].location, name)
            return (.builtin(builtin, codes, .sequence(element)), .sequence(element))
        case .range:
            try unify(types[0], .integer, arguments[0].location, name)
            try unify(types[1], .integer, arguments[1].location, name)
            return (.builtin(builtin, codes, .set(.integer)), .set(.integer))
        case .sum, .max, .min:
            try unify(types[0], .set(.integer), arguments[0].location, name)
            return (.builtin(builtin, codes, .integer), .integer)
        case .head, .last:
            try unify(types[0], .sequence(element), arguments[0].location, name)
            return (.builtin(builtin, codes, element), element)
        case .elements:
            try unify(types[0], .sequence(element), arguments[0].location, name)
            return (.builtin(builtin, codes, .set(element)), .set(element))
        }
    }

    private func compileBinary(
        _ op: String, _ left: Expression, _ right: Expression, _ location: SourceLocation,
        scope: inout CompilationScope
    ) throws(GrammarError) -> (Code, SemanticType) {
        let (a, at) = try compile(left, scope: &scope)
        let (b, bt) = try compile(right, scope: &scope, expected: op == "==" || op == "!=" ? at : nil)
        func both(_ type: SemanticType) throws(GrammarError) {
            try unify(at, type, left.location, "on the left of '\(op)'")
            try unify(bt, type, right.location, "on the right of '\(op)'")
        }
        switch op {
        case "&&":
            try both(.truth)
            return (.and(a, b), .truth)
        case "||":
            try both(.truth)
            return (.or(a, b), .truth)
        case "->":
            try both(.truth)
            return (.implies(a, b), .truth)
        case "<->":
            try both(.truth)
            return (.iff(a, b), .truth)
        case "==", "!=":
            try unify(bt, at, right.location, "in comparison")
            let code = Code.equal(a, b, at)
            return (op == "==" ? code : .not(code), .truth)
        case "<":
            try both(.integer)
            return (.less(a, b), .truth)
        case "<=":
            try both(.integer)
            return (.lessOrEqual(a, b), .truth)
        case ">":
            try both(.integer)
            return (.less(b, a), .truth)
        case ">=":
            try both(.integer)
            return (.lessOrEqual(b, a), .truth)
        case "+", "-", "*", "/", "mod":
            try both(.integer)
            switch op {
            case "+": return (.add(a, b), .integer)
            case "-": return (.subtract(a, b), .integer)
            case "*": return (.multiply(a, b), .integer)
            case "/": return (.divide(a, b), .integer)
            default: return (.modulo(a, b), .integer)
            }
        case "++":
            let element = inference.fresh()
            try both(.sequence(element))
            return (.concatenate(a, b), .sequence(element))
        case "union", "inter", "minus":
            let element = inference.fresh()
            try both(.set(element))
            switch op {
            case "union": return (.union(a, b, element), .set(element))
            case "inter": return (.intersection(a, b, element), .set(element))
            default: return (.difference(a, b, element), .set(element))
            }
        case "in":
            if case .sequence(let element) = inference.resolve(bt) {
                try unify(at, element, left.location, "on the left of 'in'")
            } else {
                try unify(bt, .set(at), right.location, "on the right of 'in'")
            }
            return (.member(a, b, at), .truth)
        case "subset":
            let element = inference.fresh()
            try both(.set(element))
            return (.subset(a, b, element), .truth)
        default:
            throw error("unknown operator '\(op)'", location)
        }
    }
}
