/// A value of the meaning language in a finite model.
///
/// Functions have two forms: at run time a ``FunctionValue`` (a closure), and in canonical form a `table` (the results
/// over the enumerated domain of the argument type, in domain order) — so meanings compare *by value*, as finite
/// tables (docs/compositionality.md). A function whose domain is too large to enumerate is canonicalised to
/// `opaque` (its code and captured values), which identifies only syntactically equal closures; reports say when that
/// happened.
public enum Value: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    /// Index into the model's entities.
    case entity(Int)
    /// Index into the model's worlds.
    case world(Int)
    /// Index into the declared contexts.
    case context(Int)
    case string(String)
    /// Index of a constructor of a parameter type (`Sg`); the type is known statically.
    case constructor(Int)
    case tuple([Value])
    case sequence([Value])
    /// A finite set, canonical when its elements are canonical, sorted and unique.
    case set([Value])
    /// A canonical function: results over the argument type's domain in order.
    case table([Value])
    /// A run-time function (closure).
    case function(FunctionValue)
    /// A canonical function over a domain too large to tabulate: an identity key.
    case opaque(String)

    /// The truth value, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The integer, if this is an integer.
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    private var rank: Int {
        switch self {
        case .bool: return 0
        case .int: return 1
        case .entity: return 2
        case .world: return 3
        case .context: return 4
        case .string: return 5
        case .constructor: return 6
        case .tuple: return 7
        case .sequence: return 8
        case .set: return 9
        case .table: return 10
        case .function: return 11
        case .opaque: return 12
        }
    }

    /// A total order on canonical values (used to sort set elements).
    public static func precedes(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return !x && y
        case (.int(let x), .int(let y)), (.entity(let x), .entity(let y)), (.world(let x), .world(let y)),
            (.context(let x), .context(let y)), (.constructor(let x), .constructor(let y)):
            return x < y
        case (.string(let x), .string(let y)), (.opaque(let x), .opaque(let y)): return x < y
        case (.tuple(let x), .tuple(let y)), (.sequence(let x), .sequence(let y)), (.set(let x), .set(let y)),
            (.table(let x), .table(let y)):
            for (u, v) in zip(x, y) where u != v { return precedes(u, v) }
            return x.count < y.count
        case (.function(let x), .function(let y)):
            return ObjectIdentifier(x) < ObjectIdentifier(y)
        default:
            return a.rank < b.rank
        }
    }
}

/// A point of evaluation: a context of use and a world (indices; 0 when none are declared).
public struct EvaluationPoint: Hashable, Sendable {
    /// Context index.
    public var context: Int
    /// World index.
    public var world: Int

    /// The point (`context`, `world`).
    public init(context: Int, world: Int) {
        self.context = context
        self.world = world
    }
}

/// What a rule's semantics can see besides its λ-bound variables: the daughters' values at every point, and (for
/// form-reading rules) the daughters' and the mother's surface forms.
public final class RuleFrame: Sendable {
    /// `daughters[i][p]`: daughter i's value at point index p.
    public let daughters: [[Value]]
    /// Daughters' token sequences (only for form-reading rules).
    public let daughterForms: [[String]]
    /// The mother's token sequence (only for rules that read `yield`).
    public let motherForm: [String]

    /// A frame with the given daughter values and forms.
    public init(daughters: [[Value]], daughterForms: [[String]] = [], motherForm: [String] = []) {
        self.daughters = daughters
        self.daughterForms = daughterForms
        self.motherForm = motherForm
    }

    /// The frame of model constants and lexical entries (no daughters).
    public static let empty = RuleFrame(daughters: [])
}

/// A run-time function value: a closure over its environment, point and rule frame.
public final class FunctionValue: Hashable, Sendable {
    /// The type of the argument (decides how a canonical table is indexed).
    public let argumentType: SemanticType
    /// The type of the result.
    public let resultType: SemanticType
    /// Identifies the λ-abstraction in the compiled grammar (for `opaque` keys).
    let lambdaID: Int
    let body: Code
    let environment: [Value]
    let point: EvaluationPoint
    let frame: RuleFrame

    init(
        argumentType: SemanticType, resultType: SemanticType, lambdaID: Int, body: Code, environment: [Value],
        point: EvaluationPoint, frame: RuleFrame
    ) {
        self.argumentType = argumentType
        self.resultType = resultType
        self.lambdaID = lambdaID
        self.body = body
        self.environment = environment
        self.point = point
        self.frame = frame
    }

    /// Identity equality (run-time closures are compared by canonicalising them, never with `==`).
    public static func == (lhs: FunctionValue, rhs: FunctionValue) -> Bool { lhs === rhs }

    /// Identity hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
