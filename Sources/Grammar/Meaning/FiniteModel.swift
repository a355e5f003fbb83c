/// An error while evaluating a meaning (user data, not a bug): the term gets no meaning and the message is reported.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong (`iota: no unique x`, `undefined constant man`, …).
    public var message: String

    /// An evaluation error with `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// A finite model: entities, worlds, contexts of use, parameter types and constants, with the enumerated domains of
/// finite types (needed to compare functions by value and to run quantifiers without `in`).
public final class FiniteModel {
    /// Entity names; `Value.entity(i)` is `entities[i]`.
    public let entities: [String]
    /// World names (empty: one implicit world).
    public let worlds: [String]
    /// Index of the actual world.
    public let actualWorld: Int
    /// Context names (empty: one implicit context).
    public let contexts: [String]
    /// Context parameters in declaration order.
    public let contextParameters: [(name: String, type: SemanticType)]
    /// `contextValues[c][k]`: parameter k in context c.
    public internal(set) var contextValues: [[Value]]
    /// Parameter types and their constructors.
    public let enumerations: [String: [String]]
    /// Named constants with their types and (canonical) values.
    public internal(set) var constants: [String: (type: SemanticType, value: Value)] = [:]
    /// Functions whose argument domain has more elements than this are canonicalised to `opaque`.
    public var tabulationLimit = 1 << 12
    /// Number of canonicalisations that fell back to `opaque` (reported as a caveat on meaning equality).
    public internal(set) var opaqueCount = 0

    private var domainCache: [SemanticType: [Value]] = [:]
    private var infiniteTypes: Set<SemanticType> = []
    private var indexCache: [SemanticType: [Value: Int]] = [:]
    private var nextLambdaID = 1_000_000

    /// A model with the given universe; constants are added by the grammar compiler.
    public init(
        entities: [String], worlds: [String] = [], actualWorld: Int = 0, contexts: [String] = [],
        contextParameters: [(name: String, type: SemanticType)] = [], enumerations: [String: [String]] = [:]
    ) {
        self.entities = entities
        self.worlds = worlds
        self.actualWorld = actualWorld
        self.contexts = contexts
        self.contextParameters = contextParameters
        self.contextValues = Array(repeating: [], count: max(1, contexts.count))
        self.enumerations = enumerations
    }

    /// Number of worlds (at least 1).
    public var worldCount: Int { max(1, worlds.count) }
    /// Number of contexts (at least 1).
    public var contextCount: Int { max(1, contexts.count) }
    /// Number of points of evaluation (contexts × worlds).
    public var pointCount: Int { worldCount * contextCount }

    /// The index of a point in a term's value vector.
    @inline(__always) public func pointIndex(_ point: EvaluationPoint) -> Int {
        point.context * worldCount + point.world
    }

    /// The point with the given index.
    public func point(at index: Int) -> EvaluationPoint {
        EvaluationPoint(context: index / worldCount, world: index % worldCount)
    }

    /// The world a context's extension is taken at: its `world` parameter if declared, else the actual world.
    public func world(ofContext context: Int) -> Int {
        if let k = contextParameters.firstIndex(where: { $0.name == "world" && $0.type == .world }),
            context < contextValues.count, k < contextValues[context].count,
            case .world(let w) = contextValues[context][k]
        {
            return w
        }
        return actualWorld
    }

    func freshLambdaID() -> Int {
        nextLambdaID += 1
        return nextLambdaID
    }

    // MARK: - Domains

    /// All values of a finite type in a fixed order, or `nil` if the type is infinite or its domain is larger than
    /// 2^16 elements.
    public func domain(of type: SemanticType) -> [Value]? {
        if let cached = domainCache[type] { return cached }
        if infiniteTypes.contains(type) { return nil }
        let limit = 1 << 16
        var result: [Value]?
        switch type {
        case .entity: result = entities.indices.map { .entity($0) }
        case .truth: result = [.bool(false), .bool(true)]
        case .world: result = (0..<worldCount).map { .world($0) }
        case .context: result = (0..<contextCount).map { .context($0) }
        case .enumeration(let name): result = enumerations[name].map { $0.indices.map { .constructor($0) } }
        case .tuple(let components):
            var product: [[Value]] = [[]]
            for component in components {
                guard let d = domain(of: component), product.count * d.count <= limit else {
                    product = []
                    result = nil
                    break
                }
                product = product.flatMap { prefix in d.map { prefix + [$0] } }
            }
            result = product.isEmpty && !components.isEmpty ? nil : product.map { .tuple($0) }
        case .set(let element):
            if let d = domain(of: element), d.count <= 16 {
                var subsets: [Value] = []
                subsets.reserveCapacity(1 << d.count)
                for mask in 0..<(1 << d.count) {
                    let members = d.indices.filter { mask & (1 << $0) != 0 }.map { d[$0] }
                    subsets.append(.set(members.sorted(by: Value.precedes)))
                }
                result = subsets
            }
        case .function(let argument, let resultType):
            if let a = domain(of: argument), let r = domain(of: resultType) {
                var size = 1
                var fits = true
                for _ in a {
                    size *= r.count
                    if size > limit {
                        fits = false
                        break
                    }
                }
                if fits {
                    var tables: [[Value]] = [[]]
                    for _ in a { tables = tables.flatMap { prefix in r.map { prefix + [$0] } } }
                    result = tables.map { .table($0) }
                }
            }
        case .integer, .string, .sequence, .variable:
            result = nil
        }
        if let result {
            domainCache[type] = result
        } else {
            infiniteTypes.insert(type)
        }
        return result
    }

    /// The position of a canonical value in `domain(of: type)`.
    func index(of value: Value, in type: SemanticType) -> Int? {
        switch (type, value) {
        case (.entity, .entity(let i)), (.world, .world(let i)), (.context, .context(let i)),
            (.enumeration, .constructor(let i)):
            return i
        case (.truth, .bool(let b)): return b ? 1 : 0
        default:
            if let table = indexCache[type] { return table[value] }
            guard let d = domain(of: type) else { return nil }
            var table: [Value: Int] = [:]
            table.reserveCapacity(d.count)
            for (i, v) in d.enumerated() { table[v] = i }
            indexCache[type] = table
            return table[value]
        }
    }

    // MARK: - Canonical values

    /// Whether values of `type` may contain run-time closures.
    func containsFunctions(_ type: SemanticType) -> Bool {
        switch type {
        case .function: return true
        case .set(let t), .sequence(let t): return containsFunctions(t)
        case .tuple(let ts): return ts.contains { containsFunctions($0) }
        default: return false
        }
    }

    /// The canonical form of `value` at `type`: closures become tables over the argument domain (or `opaque` keys
    /// when the domain is too large), set elements sorted; equal meanings have equal canonical forms.
    public func canonical(_ value: Value, type: SemanticType) throws(EvaluationError) -> Value {
        guard containsFunctions(type) else { return value }
        switch (value, type) {
        case (.function(let f), .function(let argument, let result)):
            if let d = domain(of: argument), d.count <= tabulationLimit {
                var results: [Value] = []
                results.reserveCapacity(d.count)
                for x in d { results.append(try canonical(try apply(f, to: x), type: result)) }
                return .table(results)
            }
            opaqueCount += 1
            return .opaque(try opaqueKey(f))
        case (.set(let elements), .set(let t)):
            return .set(try canonicalSet(elements, elementType: t))
        case (.sequence(let elements), .sequence(let t)):
            var out: [Value] = []
            for e in elements { out.append(try canonical(e, type: t)) }
            return .sequence(out)
        case (.tuple(let components), .tuple(let types)):
            var out: [Value] = []
            for (c, t) in zip(components, types) { out.append(try canonical(c, type: t)) }
            return .tuple(out)
        default:
            return value
        }
    }

    /// Sorted, duplicate-free canonical elements.
    func canonicalSet(_ elements: [Value], elementType: SemanticType) throws(EvaluationError) -> [Value] {
        var out: [Value] = []
        out.reserveCapacity(elements.count)
        for e in elements { out.append(try canonical(e, type: elementType)) }
        out.sort(by: Value.precedes)
        var unique: [Value] = []
        unique.reserveCapacity(out.count)
        for v in out where unique.last != v { unique.append(v) }
        return unique
    }

    private func opaqueKey(_ f: FunctionValue) throws(EvaluationError) -> String {
        var parts = ["λ\(f.lambdaID)@\(f.point.context).\(f.point.world)"]
        for v in f.environment { parts.append(try describeOpaque(v)) }
        for d in f.frame.daughters {
            parts.append(
                "[" + (try d.map { v throws(EvaluationError) in try describeOpaque(v) }).joined(separator: ";") + "]")
        }
        return parts.joined(separator: "|")
    }

    private func describeOpaque(_ v: Value) throws(EvaluationError) -> String {
        switch v {
        case .function(let g): return "(" + (try opaqueKey(g)) + ")"
        case .tuple(let cs), .sequence(let cs), .set(let cs), .table(let cs):
            return "<" + (try cs.map { c throws(EvaluationError) in try describeOpaque(c) }).joined(separator: ",")
                + ">"
        default: return "\(v)"
        }
    }

    // MARK: - Application

    /// Applies a function value (closure or canonical table) to an argument.
    public func apply(_ function: Value, to argument: Value) throws(EvaluationError) -> Value {
        switch function {
        case .function(let f): return try apply(f, to: argument)
        case .table(let results):
            throw EvaluationError("internal: table applied without a type (\(results.count) entries)")
        default:
            throw EvaluationError("applied a non-function value")
        }
    }

    func apply(_ f: FunctionValue, to argument: Value) throws(EvaluationError) -> Value {
        var environment = f.environment
        environment.append(argument)
        return try evaluate(f.body, environment: &environment, point: f.point, frame: f.frame)
    }

    /// Applies `function` of type `argumentType -> _` to `argument` (tables are indexed by the argument's position in
    /// the argument type's domain).
    func apply(_ function: Value, to argument: Value, argumentType: SemanticType) throws(EvaluationError) -> Value {
        switch function {
        case .function(let f): return try apply(f, to: argument)
        case .table(let results):
            let key = try canonical(argument, type: argumentType)
            guard let i = index(of: key, in: argumentType), i < results.count else {
                throw EvaluationError("argument outside the function's domain")
            }
            return results[i]
        case .opaque:
            throw EvaluationError("cannot apply a function compared only by identity")
        default:
            throw EvaluationError("applied a non-function value")
        }
    }

    // MARK: - Printing

    /// A readable rendering of a canonical or run-time value of `type`: characteristic functions print as sets
    /// (`{john, mary}`, curried relations as sets of tuples), other tables as `[key: value, …]`.
    public func describe(_ value: Value, type: SemanticType) -> String {
        switch (value, type) {
        case (.bool(let b), _): return b ? "true" : "false"
        case (.int(let i), _): return String(i)
        case (.entity(let i), _): return i < entities.count ? entities[i] : "e\(i)"
        case (.world(let i), _): return i < worlds.count ? worlds[i] : "w\(i)"
        case (.context(let i), _): return i < contexts.count ? contexts[i] : "c\(i)"
        case (.constructor(let i), .enumeration(let name)):
            if let names = enumerations[name], i < names.count { return names[i] }
            return "#\(i)"
        case (.constructor(let i), _): return "#\(i)"
        case (.string(let s), _): return s
        case (.tuple(let cs), .tuple(let ts)):
            return "(" + zip(cs, ts).map { describe($0, type: $1) }.joined(separator: ", ") + ")"
        case (.sequence(let cs), .sequence(let t)):
            return "[" + cs.map { describe($0, type: t) }.joined(separator: " ") + "]"
        case (.set(let cs), .set(let t)):
            return "{" + cs.map { describe($0, type: t) }.joined(separator: ", ") + "}"
        case (.function(let f), _):
            if let c = try? canonical(.function(f), type: type), case .table = c { return describe(c, type: type) }
            return "<function>"
        case (.table(let results), .function(let argument, let result)):
            guard let d = domain(of: argument) else { return "<table>" }
            if let tuples = characteristicTuples(results, argument: argument, result: result) {
                let argumentTypes = curriedArguments(type)
                let shown = tuples.map { tuple in
                    tuple.count == 1
                        ? describe(tuple[0], type: argumentTypes[0])
                        : "(" + zip(tuple, argumentTypes).map { describe($0, type: $1) }.joined(separator: ", ") + ")"
                }
                return "{" + shown.joined(separator: ", ") + "}"
            }
            return "["
                + zip(d, results).map { describe($0, type: argument) + ": " + describe($1, type: result) }
                .joined(separator: ", ") + "]"
        case (.opaque(let key), _): return "<opaque \(key.prefix(40))>"
        default: return "\(value)"
        }
    }

    private func curriedArguments(_ type: SemanticType) -> [SemanticType] {
        if case .function(let a, let r) = type { return [a] + curriedArguments(r) }
        return []
    }

    /// The satisfying argument tuples of a curried characteristic function, or nil if it does not end in `t`.
    private func characteristicTuples(_ results: [Value], argument: SemanticType, result: SemanticType) -> [[Value]]? {
        guard let d = domain(of: argument) else { return nil }
        var tuples: [[Value]] = []
        for (x, r) in zip(d, results) {
            switch (r, result) {
            case (.bool(let b), .truth):
                if b { tuples.append([x]) }
            case (.table(let inner), .function(let a2, let r2)):
                guard let rest = characteristicTuples(inner, argument: a2, result: r2) else { return nil }
                tuples += rest.map { [x] + $0 }
            default:
                return nil
            }
        }
        return tuples
    }
}
