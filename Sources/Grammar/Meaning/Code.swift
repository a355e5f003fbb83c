/// Built-in functions of the meaning language (always applied, never first-class).
enum BuiltinFunction: String, Sendable, CaseIterable {
    /// `card(S)`: number of elements of a set.
    case card
    /// `len(s)`: length of a sequence.
    case len
    /// `repeat(n, s)`: s concatenated n times.
    case `repeat`
    /// `reverse(s)`.
    case reverse
    /// `range(a, b)`: the set {a, …, b}.
    case range
    /// `sum(S)`, `max(S)`, `min(S)` over a set of integers.
    case sum, max, min
    /// `head(s)`, `last(s)`: first and last element; `tail(s)`: all but the first.
    case head, last, tail
    /// `elements(s)`: the set of elements of a sequence.
    case elements
}

/// The compiled, typed form of an expression, evaluated by ``Evaluator``.
///
/// Variables are de Bruijn indices into the environment stack (`local(0)` is the innermost binder).
indirect enum Code: Sendable {
    case constant(Value)
    case local(Int)
    case daughter(Int)
    case daughterForm(Int)
    case motherForm
    case currentWorld
    case currentContext
    case contextParameter(Code, Int)
    /// `lambda(id, body, argument type, result type)`.
    case lambda(Int, Code, SemanticType, SemanticType)
    /// `apply(function, argument, argument type)` (the type indexes canonical tables).
    case apply(Code, Code, SemanticType)
    case not(Code)
    case and(Code, Code)
    case or(Code, Code)
    case implies(Code, Code)
    case iff(Code, Code)
    /// Equality at a type (functions are compared canonically).
    case equal(Code, Code, SemanticType)
    case less(Code, Code)
    case lessOrEqual(Code, Code)
    case add(Code, Code)
    case subtract(Code, Code)
    case multiply(Code, Code)
    case divide(Code, Code)
    case modulo(Code, Code)
    case negate(Code)
    case concatenate(Code, Code)
    case union(Code, Code, SemanticType)
    case intersection(Code, Code, SemanticType)
    case difference(Code, Code, SemanticType)
    /// `member(element, container, element type)` (set or sequence container).
    case member(Code, Code, SemanticType)
    case subset(Code, Code, SemanticType)
    /// `quantifier(kind, domain or nil (the type's domain), variable type, body)`.
    case quantifier(QuantifierKind, Code?, SemanticType, Code)
    case comprehension(Code, SemanticType, Code)
    case setLiteral([Code], SemanticType)
    case sequenceLiteral([Code])
    case tuple([Code])
    case project(Code, Int)
    case conditional(Code, Code, Code)
    case letIn(Code, Code)
    /// `at(expression, point expression, true if the point is a world)`.
    case at(Code, Code, Bool)
    /// `^e`: the function from worlds to e's value there.
    case intension(Int, Code, SemanticType)
    case builtin(BuiltinFunction, [Code], SemanticType)
    /// `map(pairs, key type, value type)`: a finite function from a table literal.
    case map([(Code, Code)], SemanticType, SemanticType)
    case undefined(String)
}

/// Finite quantifiers.
enum QuantifierKind: String, Sendable {
    case forall, exists, iota, count
}

extension Code {
    /// Rewrites every type annotation with `resolve` (used after global type inference).
    func mapTypes(_ resolve: (SemanticType) -> SemanticType) -> Code {
        func m(_ c: Code) -> Code { c.mapTypes(resolve) }
        switch self {
        case .constant, .local, .daughter, .daughterForm, .motherForm, .currentWorld, .currentContext, .undefined:
            return self
        case .contextParameter(let c, let i): return .contextParameter(m(c), i)
        case .lambda(let id, let body, let a, let r): return .lambda(id, m(body), resolve(a), resolve(r))
        case .apply(let f, let x, let t): return .apply(m(f), m(x), resolve(t))
        case .not(let c): return .not(m(c))
        case .and(let a, let b): return .and(m(a), m(b))
        case .or(let a, let b): return .or(m(a), m(b))
        case .implies(let a, let b): return .implies(m(a), m(b))
        case .iff(let a, let b): return .iff(m(a), m(b))
        case .equal(let a, let b, let t): return .equal(m(a), m(b), resolve(t))
        case .less(let a, let b): return .less(m(a), m(b))
        case .lessOrEqual(let a, let b): return .lessOrEqual(m(a), m(b))
        case .add(let a, let b): return .add(m(a), m(b))
        case .subtract(let a, let b): return .subtract(m(a), m(b))
        case .multiply(let a, let b): return .multiply(m(a), m(b))
        case .divide(let a, let b): return .divide(m(a), m(b))
        case .modulo(let a, let b): return .modulo(m(a), m(b))
        case .negate(let a): return .negate(m(a))
        case .concatenate(let a, let b): return .concatenate(m(a), m(b))
        case .union(let a, let b, let t): return .union(m(a), m(b), resolve(t))
        case .intersection(let a, let b, let t): return .intersection(m(a), m(b), resolve(t))
        case .difference(let a, let b, let t): return .difference(m(a), m(b), resolve(t))
        case .member(let a, let b, let t): return .member(m(a), m(b), resolve(t))
        case .subset(let a, let b, let t): return .subset(m(a), m(b), resolve(t))
        case .quantifier(let k, let d, let t, let body): return .quantifier(k, d.map(m), resolve(t), m(body))
        case .comprehension(let d, let t, let c): return .comprehension(m(d), resolve(t), m(c))
        case .setLiteral(let cs, let t): return .setLiteral(cs.map(m), resolve(t))
        case .sequenceLiteral(let cs): return .sequenceLiteral(cs.map(m))
        case .tuple(let cs): return .tuple(cs.map(m))
        case .project(let c, let i): return .project(m(c), i)
        case .conditional(let a, let b, let c): return .conditional(m(a), m(b), m(c))
        case .letIn(let a, let b): return .letIn(m(a), m(b))
        case .at(let a, let b, let w): return .at(m(a), m(b), w)
        case .intension(let id, let c, let t): return .intension(id, m(c), resolve(t))
        case .builtin(let f, let cs, let t): return .builtin(f, cs.map(m), resolve(t))
        case .map(let pairs, let k, let v): return .map(pairs.map { (m($0.0), m($0.1)) }, resolve(k), resolve(v))
        }
    }

    /// Whether the code reads surface forms (`form(X)` or `yield`): such rules are recursive but not
    /// form-independent (docs/compositionality.md, N13, Kracht's independence).
    var readsForms: Bool {
        var found = false
        visit { code in
            switch code {
            case .daughterForm, .motherForm: found = true
            default: break
            }
        }
        return found
    }

    /// Whether the code reads the context of use directly (`ctx`), e.g. a rule that quantifies over `ctx.dom`.
    var readsContext: Bool {
        var found = false
        visit { code in
            if case .currentContext = code { found = true }
        }
        return found
    }

    /// Calls `body` on every node, pre-order.
    func visit(_ body: (Code) -> Void) {
        body(self)
        switch self {
        case .constant, .local, .daughter, .daughterForm, .motherForm, .currentWorld, .currentContext, .undefined:
            break
        case .contextParameter(let c, _), .lambda(_, let c, _, _), .not(let c), .negate(let c), .project(let c, _),
            .intension(_, let c, _):
            c.visit(body)
        case .apply(let a, let b, _), .and(let a, let b), .or(let a, let b), .implies(let a, let b), .iff(let a, let b),
            .equal(let a, let b, _), .less(let a, let b), .lessOrEqual(let a, let b), .add(let a, let b),
            .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b), .modulo(let a, let b),
            .concatenate(let a, let b), .union(let a, let b, _), .intersection(let a, let b, _),
            .difference(let a, let b, _), .member(let a, let b, _), .subset(let a, let b, _), .letIn(let a, let b),
            .at(let a, let b, _), .comprehension(let a, _, let b):
            a.visit(body)
            b.visit(body)
        case .quantifier(_, let d, _, let b):
            d?.visit(body)
            b.visit(body)
        case .setLiteral(let cs, _), .sequenceLiteral(let cs), .tuple(let cs), .builtin(_, let cs, _):
            for c in cs { c.visit(body) }
        case .conditional(let a, let b, let c):
            a.visit(body)
            b.visit(body)
            c.visit(body)
        case .map(let pairs, _, _):
            for (k, v) in pairs {
                k.visit(body)
                v.visit(body)
            }
        }
    }
}
