/// A binder of a λ-abstraction: a name and an optional type annotation (`\x:e. …`).
public struct Binder: Sendable {
    /// The bound variable.
    public var name: String
    /// The annotated type, if written.
    public var type: SemanticType?

    /// A binder `name` with optional `type`.
    public init(name: String, type: SemanticType? = nil) {
        self.name = name
        self.type = type
    }
}

/// An untyped expression of the meaning language as parsed, with its source location.
///
/// The language is a typed λ-calculus (Montague's IL without modal operators as primitives) over a finite model:
/// booleans, integers, strings, sets, tuples, sequences, finite quantifiers, `@` (world of evaluation),
/// `ctx` (context of use), `e at w` (evaluation at another world or context), `^e` (intension) and `form(X)`/`yield`
/// (surface forms, which make a rule form-reading, N13).
public struct Expression: Sendable {
    /// The syntactic forms.
    public indirect enum Kind: Sendable {
        case integer(Int)
        case string(String)
        case boolean(Bool)
        case name(String)
        /// `@`: the world of evaluation.
        case currentWorld
        /// `ctx`: the context of use.
        case currentContext
        case lambda([Binder], Expression)
        /// `f(a, b)` is curried application `f(a)(b)`.
        case application(Expression, [Expression])
        /// `e.name`: a context parameter.
        case field(Expression, String)
        /// `e.1`: the first component of a tuple (1-based).
        case projection(Expression, Int)
        /// `!e`, `-e`, `^e`.
        case unary(String, Expression)
        /// Infix operators (`&&`, `||`, `->`, `<->`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `subset`, `+`, `-`, `*`,
        /// `/`, `mod`, `++`, `union`, `inter`, `minus`).
        case binary(String, Expression, Expression)
        /// `forall x [in S]. φ`, `exists …`, `iota …`, `count …` (number of satisfiers).
        case quantifier(String, Binder, Expression?, Expression)
        /// `{x in S | φ}`.
        case comprehension(Binder, Expression, Expression)
        case setLiteral([Expression])
        case sequenceLiteral([Expression])
        case tuple([Expression])
        /// `{k1: v1, …}`: a finite function given by a table (missing keys are false / empty).
        case mapLiteral([(Expression, Expression)])
        case conditional(Expression, Expression, Expression)
        case letIn(String, Expression, Expression)
        /// `e at w`: evaluate `e` at world (or context) `w`.
        case at(Expression, Expression)
        /// A constant the imported grammar uses but its model does not define (evaluates to "undefined", as NLTK).
        case undefinedConstant(String)
    }

    /// The form.
    public let kind: Kind
    /// Where it starts.
    public var location: SourceLocation
    /// Number of nested levels (a leaf has height 1). Parsers reject expressions higher than ``maximumNesting``,
    /// so every recursive pass over an expression (type inference, compilation, evaluation) stays within the stack.
    public let height: Int

    /// The deepest nesting the parsers accept.
    public static let maximumNesting = 100

    /// An expression of `kind` at `location`.
    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
        var inner = 0
        switch kind {
        case .integer, .string, .boolean, .name, .currentWorld, .currentContext, .undefinedConstant: break
        case .lambda(_, let body): inner = body.height
        case .application(let f, let arguments): inner = arguments.reduce(f.height) { max($0, $1.height) }
        case .field(let e, _), .projection(let e, _), .unary(_, let e): inner = e.height
        case .binary(_, let a, let b), .at(let a, let b): inner = max(a.height, b.height)
        case .quantifier(_, _, let domain, let body): inner = max(domain?.height ?? 0, body.height)
        case .comprehension(_, let a, let b): inner = max(a.height, b.height)
        case .setLiteral(let items), .sequenceLiteral(let items), .tuple(let items):
            inner = items.reduce(0) { max($0, $1.height) }
        case .mapLiteral(let pairs): inner = pairs.reduce(0) { max($0, $1.0.height, $1.1.height) }
        case .conditional(let a, let b, let c): inner = max(a.height, b.height, c.height)
        case .letIn(_, let a, let b): inner = max(a.height, b.height)
        }
        self.height = inner + 1
    }

    /// The immediate subexpressions, in source order.
    public var subexpressions: [Expression] {
        switch kind {
        case .integer, .string, .boolean, .name, .currentWorld, .currentContext, .undefinedConstant: return []
        case .lambda(_, let body): return [body]
        case .application(let f, let arguments): return [f] + arguments
        case .field(let e, _), .projection(let e, _), .unary(_, let e): return [e]
        case .binary(_, let a, let b), .at(let a, let b), .comprehension(_, let a, let b), .letIn(_, let a, let b):
            return [a, b]
        case .quantifier(_, _, let domain, let body): return (domain.map { [$0] } ?? []) + [body]
        case .setLiteral(let items), .sequenceLiteral(let items), .tuple(let items): return items
        case .mapLiteral(let pairs): return pairs.flatMap { [$0.0, $0.1] }
        case .conditional(let a, let b, let c): return [a, b, c]
        }
    }

    /// Every name occurrence (`x`, `?np`) with its location, in source order (iterative: no recursion).
    public var nameOccurrences: [(name: String, location: SourceLocation)] {
        var out: [(String, SourceLocation)] = []
        var stack = [self]
        while let e = stack.popLast() {
            if case .name(let n) = e.kind { out.append((n, e.location)) }
            stack.append(contentsOf: e.subexpressions.reversed())
        }
        return out
    }
}
