/// Logical forms of derivations: the rules' semantic terms with the daughters' logical forms substituted, then
/// β-reduced (Montague 1973, PTQ: the translation of a derivation into intensional logic, reduced by λ-conversion).
///
/// Substitution is capture-avoiding (bound variables are renamed apart from the substituted terms' free names);
/// reduction is normal-order with a step budget, so a term whose reduction does not terminate or blows up is printed
/// partly reduced rather than hanging.
public enum LogicalForm {
    /// The β-reduced logical form of `expression` with `bindings` substituted for free names.
    static func reduced(_ expression: Expression, substituting bindings: [String: Expression]) -> Expression {
        var reducer = Reducer()
        return reducer.reduce(reducer.substitute(expression, bindings))
    }

    /// The expression printed in the meaning language's syntax (`\x. P(x)`, `forall x. (A -> B)`, `f(a, b)`).
    public static func render(_ e: Expression) -> String {
        func atomic(_ e: Expression) -> String {
            switch e.kind {
            case .integer, .string, .boolean, .name, .currentWorld, .currentContext, .undefinedConstant, .application,
                .field, .projection, .tuple, .setLiteral, .sequenceLiteral, .mapLiteral, .comprehension:
                return render(e)
            default: return "(" + render(e) + ")"
            }
        }
        switch e.kind {
        case .integer(let i): return String(i)
        case .string(let s): return "\"" + s + "\""
        case .boolean(let b): return b ? "true" : "false"
        case .name(let n), .undefinedConstant(let n): return n
        case .currentWorld: return "@"
        case .currentContext: return "ctx"
        case .lambda(let binders, let body):
            return "\\" + binders.map(\.name).joined(separator: " ") + ". " + render(body)
        case .application(let f, let arguments):
            return atomic(f) + "(" + arguments.map(render).joined(separator: ", ") + ")"
        case .field(let e, let name): return atomic(e) + "." + name
        case .projection(let e, let i): return atomic(e) + "." + String(i)
        case .unary(let op, let e): return op + atomic(e)
        case .binary(let op, let a, let b): return atomic(a) + " " + op + " " + atomic(b)
        case .quantifier(let q, let binder, let domain, let body):
            return q + " " + binder.name + (domain.map { " in " + atomic($0) } ?? "") + ". " + render(body)
        case .comprehension(let binder, let domain, let condition):
            return "{" + binder.name + " in " + render(domain) + " | " + render(condition) + "}"
        case .setLiteral(let items): return "{" + items.map(render).joined(separator: ", ") + "}"
        case .sequenceLiteral(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(render).joined(separator: ", ") + ")"
        case .mapLiteral(let pairs):
            return "{" + pairs.map { render($0.0) + ": " + render($0.1) }.joined(separator: ", ") + "}"
        case .conditional(let c, let a, let b):
            return "if " + render(c) + " then " + render(a) + " else " + render(b)
        case .letIn(let name, let value, let body): return "let " + name + " = " + render(value) + " in " + render(body)
        case .at(let e, let w): return atomic(e) + " at " + atomic(w)
        }
    }

    /// Free names of an expression.
    static func freeNames(_ e: Expression) -> Set<String> {
        switch e.kind {
        case .name(let n): return [n]
        case .lambda(let binders, let body): return freeNames(body).subtracting(binders.map(\.name))
        case .quantifier(_, let binder, let domain, let body):
            return freeNames(body).subtracting([binder.name]).union(domain.map(freeNames) ?? [])
        case .comprehension(let binder, let domain, let condition):
            return freeNames(condition).subtracting([binder.name]).union(freeNames(domain))
        case .letIn(let name, let value, let body): return freeNames(body).subtracting([name]).union(freeNames(value))
        default: return e.subexpressions.reduce(into: Set<String>()) { $0.formUnion(freeNames($1)) }
        }
    }

    private struct Reducer {
        var budget = 10_000
        var fresh = 0

        mutating func freshName(_ base: String, avoiding used: Set<String>) -> String {
            let stem = base.hasPrefix("?") ? "v" : String(base.prefix { !$0.isNumber })
            while true {
                fresh += 1
                let candidate = (stem.isEmpty ? "v" : stem) + String(fresh)
                if !used.contains(candidate) { return candidate }
            }
        }

        /// `e` with `bindings` substituted for its free names, renaming binders that would capture.
        mutating func substitute(_ e: Expression, _ bindings: [String: Expression]) -> Expression {
            if bindings.isEmpty { return e }
            let at = e.location
            switch e.kind {
            case .name(let n): return bindings[n] ?? e
            case .lambda(let binders, let body):
                var inner = bindings
                var renamed: [Binder] = []
                let captured = bindings.values.reduce(into: Set<String>()) { $0.formUnion(LogicalForm.freeNames($1)) }
                for b in binders {
                    inner[b.name] = nil
                    if captured.contains(b.name) {
                        let name = freshName(b.name, avoiding: captured.union(LogicalForm.freeNames(body)))
                        inner[b.name] = Expression(.name(name), at: at)
                        renamed.append(Binder(name: name, type: b.type))
                    } else {
                        renamed.append(b)
                    }
                }
                return Expression(.lambda(renamed, substitute(body, inner)), at: at)
            case .quantifier(let q, let binder, let domain, let body):
                let (b, inner) = rebind(binder, bindings, body)
                return Expression(
                    .quantifier(q, b, domain.map { substitute($0, bindings) }, substitute(body, inner)), at: at)
            case .comprehension(let binder, let domain, let condition):
                let (b, inner) = rebind(binder, bindings, condition)
                return Expression(
                    .comprehension(b, substitute(domain, bindings), substitute(condition, inner)), at: at)
            case .letIn(let name, let value, let body):
                let (b, inner) = rebind(Binder(name: name), bindings, body)
                return Expression(.letIn(b.name, substitute(value, bindings), substitute(body, inner)), at: at)
            default:
                return e.mappingSubexpressions { substitute($0, bindings) }
            }
        }

        mutating func rebind(_ binder: Binder, _ bindings: [String: Expression], _ body: Expression)
            -> (Binder, [String: Expression])
        {
            var inner = bindings
            inner[binder.name] = nil
            let captured = inner.values.reduce(into: Set<String>()) { $0.formUnion(LogicalForm.freeNames($1)) }
            guard captured.contains(binder.name) else { return (binder, inner) }
            let name = freshName(binder.name, avoiding: captured.union(LogicalForm.freeNames(body)))
            inner[binder.name] = Expression(.name(name), at: body.location)
            return (Binder(name: name, type: binder.type), inner)
        }

        mutating func reduce(_ e: Expression) -> Expression {
            guard budget > 0 else { return e }
            if case .application(let f, let arguments) = e.kind {
                let head = reduce(f)
                if case .lambda(let binders, let body) = head.kind, !arguments.isEmpty, budget > 0 {
                    budget -= 1
                    let k = min(binders.count, arguments.count)
                    var bindings: [String: Expression] = [:]
                    for i in 0..<k { bindings[binders[i].name] = arguments[i] }
                    var result = substitute(body, bindings)
                    if binders.count > k { result = Expression(.lambda(Array(binders[k...]), result), at: e.location) }
                    if arguments.count > k {
                        result = Expression(.application(result, Array(arguments[k...])), at: e.location)
                    }
                    return reduce(result)
                }
                return Expression(.application(head, arguments.map { reduce($0) }), at: e.location)
            }
            return e.mappingSubexpressions { reduce($0) }
        }
    }
}

extension Expression {
    /// The expression with each immediate subexpression replaced by `transform` of it (binders kept).
    func mappingSubexpressions(_ transform: (Expression) -> Expression) -> Expression {
        let at = location
        switch kind {
        case .integer, .string, .boolean, .name, .currentWorld, .currentContext, .undefinedConstant: return self
        case .lambda(let binders, let body): return Expression(.lambda(binders, transform(body)), at: at)
        case .application(let f, let arguments):
            return Expression(.application(transform(f), arguments.map(transform)), at: at)
        case .field(let e, let name): return Expression(.field(transform(e), name), at: at)
        case .projection(let e, let i): return Expression(.projection(transform(e), i), at: at)
        case .unary(let op, let e): return Expression(.unary(op, transform(e)), at: at)
        case .binary(let op, let a, let b): return Expression(.binary(op, transform(a), transform(b)), at: at)
        case .quantifier(let q, let binder, let domain, let body):
            return Expression(.quantifier(q, binder, domain.map(transform), transform(body)), at: at)
        case .comprehension(let binder, let domain, let condition):
            return Expression(.comprehension(binder, transform(domain), transform(condition)), at: at)
        case .setLiteral(let items): return Expression(.setLiteral(items.map(transform)), at: at)
        case .sequenceLiteral(let items): return Expression(.sequenceLiteral(items.map(transform)), at: at)
        case .tuple(let items): return Expression(.tuple(items.map(transform)), at: at)
        case .mapLiteral(let pairs):
            return Expression(.mapLiteral(pairs.map { (transform($0.0), transform($0.1)) }), at: at)
        case .conditional(let c, let a, let b):
            return Expression(.conditional(transform(c), transform(a), transform(b)), at: at)
        case .letIn(let name, let value, let body):
            return Expression(.letIn(name, transform(value), transform(body)), at: at)
        case .at(let e, let w): return Expression(.at(transform(e), transform(w)), at: at)
        }
    }
}
