/// Unification-based type inference for the meaning language (simply typed λ-calculus with type variables, no
/// let-polymorphism). One instance may span a whole grammar, so category types can be inferred jointly (as the NLTK
/// importer needs).
final class TypeInference {
    private var substitution: [Int: SemanticType] = [:]
    private var nextVariable = 0

    /// The current bindings, to undo a tentative unification with ``restore(_:)`` (fresh variables stay fresh).
    func snapshot() -> [Int: SemanticType] { substitution }

    /// Undoes every binding made since `snapshot`.
    func restore(_ snapshot: [Int: SemanticType]) { substitution = snapshot }

    func fresh() -> SemanticType {
        nextVariable += 1
        return .variable(nextVariable)
    }

    /// The type with every bound variable replaced (deeply).
    func resolve(_ type: SemanticType) -> SemanticType {
        switch type {
        case .variable(let id):
            if let bound = substitution[id] {
                let resolved = resolve(bound)
                substitution[id] = resolved
                return resolved
            }
            return type
        case .function(let a, let b): return .function(resolve(a), resolve(b))
        case .set(let a): return .set(resolve(a))
        case .sequence(let a): return .sequence(resolve(a))
        case .tuple(let cs): return .tuple(cs.map(resolve))
        default: return type
        }
    }

    /// `resolve`, then every remaining variable defaults to `e` (as NLTK treats untyped individual variables).
    func ground(_ type: SemanticType) -> SemanticType {
        switch resolve(type) {
        case .variable: return .entity
        case .function(let a, let b): return .function(ground(a), ground(b))
        case .set(let a): return .set(ground(a))
        case .sequence(let a): return .sequence(ground(a))
        case .tuple(let cs): return .tuple(cs.map(ground))
        case let t: return t
        }
    }

    private func occurs(_ id: Int, in type: SemanticType) -> Bool {
        switch resolve(type) {
        case .variable(let other): return other == id
        case .function(let a, let b): return occurs(id, in: a) || occurs(id, in: b)
        case .set(let a), .sequence(let a): return occurs(id, in: a)
        case .tuple(let cs): return cs.contains { occurs(id, in: $0) }
        default: return false
        }
    }

    /// Makes `a` and `b` equal or explains why they cannot be.
    func unify(_ a: SemanticType, _ b: SemanticType) -> String? {
        let x = resolve(a)
        let y = resolve(b)
        switch (x, y) {
        case (.variable(let i), .variable(let j)) where i == j: return nil
        case (.variable(let i), _):
            if occurs(i, in: y) { return "infinite type" }
            substitution[i] = y
            return nil
        case (_, .variable):
            return unify(y, x)
        case (.function(let a1, let r1), .function(let a2, let r2)):
            return unify(a1, a2) ?? unify(r1, r2)
        case (.set(let e1), .set(let e2)), (.sequence(let e1), .sequence(let e2)):
            return unify(e1, e2)
        case (.tuple(let c1), .tuple(let c2)):
            guard c1.count == c2.count else { return "tuples of different lengths" }
            for (p, q) in zip(c1, c2) {
                if let problem = unify(p, q) { return problem }
            }
            return nil
        default:
            return x == y ? nil : "mismatch"
        }
    }
}
