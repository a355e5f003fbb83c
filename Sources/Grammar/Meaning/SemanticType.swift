/// A type of the meaning language: Montague's e, t and s plus integers, strings, contexts, parameter enumerations,
/// functions, sets, tuples and sequences.
///
/// Written in grammar files as `e`, `t`, `int`, `str`, `s` (worlds), `ctx` (contexts of use), a declared parameter
/// name (`Num`), `a -> b` (right associative), `{a}` (set), `[a]` (sequence), `(a, b)` (tuple).
public indirect enum SemanticType: Hashable, Sendable, CustomStringConvertible {
    /// Individuals (the model's entities).
    case entity
    /// Truth values.
    case truth
    /// Integers.
    case integer
    /// Strings (tokens).
    case string
    /// Possible worlds (declared in the model).
    case world
    /// Contexts of use (declared in `contexts { }`).
    case context
    /// A declared parameter type such as `Num = Sg | Pl`.
    case enumeration(String)
    /// Functions from the first type to the second.
    case function(SemanticType, SemanticType)
    /// Finite sets.
    case set(SemanticType)
    /// Tuples (at least two components).
    case tuple([SemanticType])
    /// Finite sequences.
    case sequence(SemanticType)
    /// A unification variable of the type checker (never in a checked grammar).
    case variable(Int)

    /// The curried function type `arguments[0] -> arguments[1] -> ... -> result`.
    public static func curried(_ arguments: [SemanticType], _ result: SemanticType) -> SemanticType {
        arguments.reversed().reduce(result) { .function($1, $0) }
    }

    /// The notation used in grammar files.
    public var description: String {
        switch self {
        case .entity: return "e"
        case .truth: return "t"
        case .integer: return "int"
        case .string: return "str"
        case .world: return "s"
        case .context: return "ctx"
        case .enumeration(let name): return name
        case .function(let argument, let result):
            if case .function = argument { return "(\(argument)) -> \(result)" }
            return "\(argument) -> \(result)"
        case .set(let element): return "{\(element)}"
        case .tuple(let components): return "(" + components.map(\.description).joined(separator: ", ") + ")"
        case .sequence(let element): return "[\(element)]"
        case .variable(let id): return "?\(id)"
        }
    }

    /// Whether the type contains no unification variables.
    public var isGround: Bool {
        switch self {
        case .variable: return false
        case .function(let a, let b): return a.isGround && b.isGround
        case .set(let a), .sequence(let a): return a.isGround
        case .tuple(let components): return components.allSatisfy(\.isGround)
        default: return true
        }
    }
}
