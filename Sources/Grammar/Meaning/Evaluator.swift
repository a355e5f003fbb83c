/// Evaluation of compiled meaning code in a finite model (call-by-value, closures capture their point and frame).
extension FiniteModel {
    func evaluate(
        _ code: Code, environment: inout [Value], point: EvaluationPoint, frame: RuleFrame
    ) throws(EvaluationError) -> Value {
        switch code {
        case .constant(let v):
            return v
        case .local(let i):
            return environment[environment.count - 1 - i]
        case .daughter(let i):
            return frame.daughters[i][pointIndex(point)]
        case .daughterForm(let i):
            return .sequence(frame.daughterForms[i].map { .string($0) })
        case .motherForm:
            return .sequence(frame.motherForm.map { .string($0) })
        case .currentWorld:
            return .world(point.world)
        case .currentContext:
            return .context(point.context)
        case .contextParameter(let c, let k):
            guard case .context(let i) = try evaluate(c, environment: &environment, point: point, frame: frame),
                i < contextValues.count, k < contextValues[i].count
            else { throw EvaluationError("context parameter is not set in this context") }
            return contextValues[i][k]
        case .lambda(let id, let body, let argument, let result):
            return .function(
                FunctionValue(
                    argumentType: argument, resultType: result, lambdaID: id, body: body, environment: environment,
                    point: point, frame: frame))
        case .intension(let id, let body, let result):
            return .function(
                FunctionValue(
                    argumentType: .world, resultType: result, lambdaID: id, body: body, environment: environment,
                    point: point, frame: frame))
        case .apply(let f, let x, let type):
            let function = try evaluate(f, environment: &environment, point: point, frame: frame)
            let argument = try evaluate(x, environment: &environment, point: point, frame: frame)
            if case .function(let closure) = function { return try apply(closure, to: argument) }
            return try apply(function, to: argument, argumentType: type)
        case .not(let a):
            return .bool(!(try truth(a, &environment, point, frame)))
        case .and(let a, let b):
            if !(try truth(a, &environment, point, frame)) { return .bool(false) }
            return .bool(try truth(b, &environment, point, frame))
        case .or(let a, let b):
            if try truth(a, &environment, point, frame) { return .bool(true) }
            return .bool(try truth(b, &environment, point, frame))
        case .implies(let a, let b):
            if !(try truth(a, &environment, point, frame)) { return .bool(true) }
            return .bool(try truth(b, &environment, point, frame))
        case .iff(let a, let b):
            return .bool(try truth(a, &environment, point, frame) == (try truth(b, &environment, point, frame)))
        case .equal(let a, let b, let type):
            let x = try canonical(try evaluate(a, environment: &environment, point: point, frame: frame), type: type)
            let y = try canonical(try evaluate(b, environment: &environment, point: point, frame: frame), type: type)
            return .bool(x == y)
        case .less(let a, let b):
            return .bool(try integer(a, &environment, point, frame) < (try integer(b, &environment, point, frame)))
        case .lessOrEqual(let a, let b):
            return .bool(try integer(a, &environment, point, frame) <= (try integer(b, &environment, point, frame)))
        case .add(let a, let b):
            let (x, overflow) = try integer(a, &environment, point, frame)
                .addingReportingOverflow(try integer(b, &environment, point, frame))
            if overflow { throw EvaluationError("integer overflow in +") }
            return .int(x)
        case .subtract(let a, let b):
            let (x, overflow) = try integer(a, &environment, point, frame)
                .subtractingReportingOverflow(try integer(b, &environment, point, frame))
            if overflow { throw EvaluationError("integer overflow in -") }
            return .int(x)
        case .multiply(let a, let b):
            let (x, overflow) = try integer(a, &environment, point, frame)
                .multipliedReportingOverflow(by: try integer(b, &environment, point, frame))
            if overflow { throw EvaluationError("integer overflow in *") }
            return .int(x)
        case .divide(let a, let b):
            let x = try integer(a, &environment, point, frame)
            let y = try integer(b, &environment, point, frame)
            if y == 0 { throw EvaluationError("division by zero") }
            let (q, overflow) = x.dividedReportingOverflow(by: y)
            if overflow { throw EvaluationError("integer overflow in /") }
            return .int(q)
        case .modulo(let a, let b):
            let x = try integer(a, &environment, point, frame)
            let y = try integer(b, &environment, point, frame)
            if y == 0 { throw EvaluationError("mod by zero") }
            if y == -1 { return .int(0) }
            let r = x % y
            // The result has the sign of y (r + y cannot overflow: r and y have opposite signs here).
            return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        case .negate(let a):
            let (x, overflow) = Int(0).subtractingReportingOverflow(try integer(a, &environment, point, frame))
            if overflow { throw EvaluationError("integer overflow in -") }
            return .int(x)
        case .concatenate(let a, let b):
            let x = try sequence(a, &environment, point, frame)
            let y = try sequence(b, &environment, point, frame)
            return .sequence(x + y)
        case .union(let a, let b, let t):
            let x = try set(a, &environment, point, frame)
            let y = try set(b, &environment, point, frame)
            return .set(try canonicalSet(x + y, elementType: t))
        case .intersection(let a, let b, let t):
            let x = try set(a, &environment, point, frame)
            let y = Set(try set(b, &environment, point, frame))
            return .set(try canonicalSet(x.filter { y.contains($0) }, elementType: t))
        case .difference(let a, let b, let t):
            let x = try set(a, &environment, point, frame)
            let y = Set(try set(b, &environment, point, frame))
            return .set(try canonicalSet(x.filter { !y.contains($0) }, elementType: t))
        case .member(let a, let b, let t):
            let x = try canonical(try evaluate(a, environment: &environment, point: point, frame: frame), type: t)
            switch try evaluate(b, environment: &environment, point: point, frame: frame) {
            case .set(let elements): return .bool(elements.contains(x))
            case .sequence(let elements):
                for e in elements where try canonical(e, type: t) == x { return .bool(true) }
                return .bool(false)
            default: throw EvaluationError("'in' needs a set or a sequence")
            }
        case .subset(let a, let b, _):
            let x = try set(a, &environment, point, frame)
            let y = Set(try set(b, &environment, point, frame))
            return .bool(x.allSatisfy { y.contains($0) })
        case .quantifier(let kind, let domainCode, let type, let body):
            let elements: [Value]
            if let domainCode {
                switch try evaluate(domainCode, environment: &environment, point: point, frame: frame) {
                case .set(let es), .sequence(let es): elements = es
                default: throw EvaluationError("quantifier domain is not a set")
                }
            } else {
                guard let d = domain(of: type) else { throw EvaluationError("cannot quantify over type \(type)") }
                elements = d
            }
            var witness: Value?
            var count = 0
            for element in elements {
                environment.append(element)
                let holds: Bool
                do {
                    holds = try truth(body, &environment, point, frame)
                } catch {
                    environment.removeLast()
                    throw error
                }
                environment.removeLast()
                switch kind {
                case .forall: if !holds { return .bool(false) }
                case .exists: if holds { return .bool(true) }
                case .iota, .count:
                    if holds {
                        count += 1
                        witness = element
                    }
                }
            }
            switch kind {
            case .forall: return .bool(true)
            case .exists: return .bool(false)
            case .count: return .int(count)
            case .iota:
                guard count == 1, let witness else {
                    throw EvaluationError(
                        "iota: \(count == 0 ? "nothing satisfies" : "\(count) values satisfy") the condition")
                }
                return witness
            }
        case .comprehension(let domainCode, let type, let condition):
            let elements: [Value]
            switch try evaluate(domainCode, environment: &environment, point: point, frame: frame) {
            case .set(let es), .sequence(let es): elements = es
            default: throw EvaluationError("comprehension domain is not a set")
            }
            var kept: [Value] = []
            for element in elements {
                environment.append(element)
                let holds: Bool
                do {
                    holds = try truth(condition, &environment, point, frame)
                } catch {
                    environment.removeLast()
                    throw error
                }
                environment.removeLast()
                if holds { kept.append(element) }
            }
            return .set(try canonicalSet(kept, elementType: type))
        case .setLiteral(let codes, let t):
            var elements: [Value] = []
            for c in codes { elements.append(try evaluate(c, environment: &environment, point: point, frame: frame)) }
            return .set(try canonicalSet(elements, elementType: t))
        case .sequenceLiteral(let codes):
            var elements: [Value] = []
            for c in codes { elements.append(try evaluate(c, environment: &environment, point: point, frame: frame)) }
            return .sequence(elements)
        case .tuple(let codes):
            var elements: [Value] = []
            for c in codes { elements.append(try evaluate(c, environment: &environment, point: point, frame: frame)) }
            return .tuple(elements)
        case .project(let c, let i):
            guard case .tuple(let components) = try evaluate(c, environment: &environment, point: point, frame: frame),
                i >= 1, i <= components.count
            else { throw EvaluationError("tuple projection .\(i) out of range") }
            return components[i - 1]
        case .conditional(let c, let a, let b):
            return try truth(c, &environment, point, frame)
                ? try evaluate(a, environment: &environment, point: point, frame: frame)
                : try evaluate(b, environment: &environment, point: point, frame: frame)
        case .letIn(let value, let body):
            let v = try evaluate(value, environment: &environment, point: point, frame: frame)
            environment.append(v)
            defer { environment.removeLast() }
            return try evaluate(body, environment: &environment, point: point, frame: frame)
        case .at(let body, let where_, let isWorld):
            var shifted = point
            switch try evaluate(where_, environment: &environment, point: point, frame: frame) {
            case .world(let w) where isWorld: shifted.world = w
            case .context(let c) where !isWorld: shifted.context = c
            default: throw EvaluationError("'at' needs a world or a context")
            }
            return try evaluate(body, environment: &environment, point: shifted, frame: frame)
        case .builtin(let function, let codes, let type):
            var arguments: [Value] = []
            for c in codes { arguments.append(try evaluate(c, environment: &environment, point: point, frame: frame)) }
            return try applyBuiltin(function, arguments, type: type)
        case .map(let pairs, let keyType, let valueType):
            guard let d = domain(of: keyType) else {
                throw EvaluationError("a table literal needs a finite key type, not \(keyType)")
            }
            var results: [Value?] = Array(repeating: nil, count: d.count)
            for (k, v) in pairs {
                let key = try canonical(
                    try evaluate(k, environment: &environment, point: point, frame: frame), type: keyType)
                guard let i = index(of: key, in: keyType) else { throw EvaluationError("table key outside its type") }
                results[i] = try canonical(
                    try evaluate(v, environment: &environment, point: point, frame: frame), type: valueType)
            }
            var filled: [Value] = []
            for r in results {
                if let r {
                    filled.append(r)
                } else if let empty = emptyValue(of: valueType) {
                    filled.append(empty)
                } else {
                    throw EvaluationError("table literal leaves a key without a value")
                }
            }
            return .table(filled)
        case .undefined(let name):
            throw EvaluationError("undefined constant '\(name)'")
        }
    }

    /// The default for keys a table literal leaves out: false, the empty set, or a table of defaults.
    func emptyValue(of type: SemanticType) -> Value? {
        switch type {
        case .truth: return .bool(false)
        case .set: return .set([])
        case .sequence: return .sequence([])
        case .function(let a, let r):
            guard let d = domain(of: a), let e = emptyValue(of: r) else { return nil }
            return .table(Array(repeating: e, count: d.count))
        default: return nil
        }
    }

    @inline(__always)
    private func truth(_ code: Code, _ environment: inout [Value], _ point: EvaluationPoint, _ frame: RuleFrame)
        throws(EvaluationError) -> Bool
    {
        guard case .bool(let b) = try evaluate(code, environment: &environment, point: point, frame: frame) else {
            throw EvaluationError("expected a truth value")
        }
        return b
    }

    @inline(__always)
    private func integer(_ code: Code, _ environment: inout [Value], _ point: EvaluationPoint, _ frame: RuleFrame)
        throws(EvaluationError) -> Int
    {
        guard case .int(let i) = try evaluate(code, environment: &environment, point: point, frame: frame) else {
            throw EvaluationError("expected an integer")
        }
        return i
    }

    private func set(_ code: Code, _ environment: inout [Value], _ point: EvaluationPoint, _ frame: RuleFrame)
        throws(EvaluationError) -> [Value]
    {
        guard case .set(let s) = try evaluate(code, environment: &environment, point: point, frame: frame) else {
            throw EvaluationError("expected a set")
        }
        return s
    }

    private func sequence(_ code: Code, _ environment: inout [Value], _ point: EvaluationPoint, _ frame: RuleFrame)
        throws(EvaluationError) -> [Value]
    {
        guard case .sequence(let s) = try evaluate(code, environment: &environment, point: point, frame: frame) else {
            throw EvaluationError("expected a sequence")
        }
        return s
    }

    private func applyBuiltin(_ function: BuiltinFunction, _ arguments: [Value], type: SemanticType)
        throws(EvaluationError) -> Value
    {
        func ints(_ v: Value) throws(EvaluationError) -> [Int] {
            guard case .set(let es) = v else { throw EvaluationError("\(function.rawValue) needs a set of integers") }
            var out: [Int] = []
            for e in es {
                guard case .int(let i) = e else { throw EvaluationError("\(function.rawValue) needs integers") }
                out.append(i)
            }
            return out
        }
        switch function {
        case .card:
            guard case .set(let es) = arguments[0] else { throw EvaluationError("card needs a set") }
            return .int(es.count)
        case .len:
            guard case .sequence(let es) = arguments[0] else { throw EvaluationError("len needs a sequence") }
            return .int(es.count)
        case .repeat:
            guard case .int(let n) = arguments[0], case .sequence(let es) = arguments[1] else {
                throw EvaluationError("repeat needs an integer and a sequence")
            }
            let (total, overflow) = n.multipliedReportingOverflow(by: es.count)
            guard n >= 0, !overflow, total <= 1_000_000 else {
                throw EvaluationError("repeat count \(n) out of range (at most 1 000 000 elements)")
            }
            return .sequence(Array([[Value]](repeating: es, count: n).joined()))
        case .reverse:
            guard case .sequence(let es) = arguments[0] else { throw EvaluationError("reverse needs a sequence") }
            return .sequence(es.reversed())
        case .range:
            guard case .int(let a) = arguments[0], case .int(let b) = arguments[1] else {
                throw EvaluationError("range needs integers")
            }
            let (span, overflow) = b.subtractingReportingOverflow(a)
            guard !overflow, span <= 1_000_000 else { throw EvaluationError("range too large") }
            return .set(a <= b ? (a...b).map { .int($0) } : [])
        case .sum:
            var total = 0
            for x in try ints(arguments[0]) {
                let (t, overflow) = total.addingReportingOverflow(x)
                if overflow { throw EvaluationError("integer overflow in sum") }
                total = t
            }
            return .int(total)
        case .max:
            guard let m = try ints(arguments[0]).max() else { throw EvaluationError("max of an empty set") }
            return .int(m)
        case .min:
            guard let m = try ints(arguments[0]).min() else { throw EvaluationError("min of an empty set") }
            return .int(m)
        case .head, .last, .tail:
            guard case .sequence(let es) = arguments[0] else { throw EvaluationError("\(function) needs a sequence") }
            guard let first = es.first, let final = es.last else {
                throw EvaluationError("\(function.rawValue) of an empty sequence")
            }
            switch function {
            case .head: return first
            case .last: return final
            default: return .sequence(Array(es.dropFirst()))
            }
        case .elements:
            guard case .sequence(let es) = arguments[0], case .set(let t) = type else {
                throw EvaluationError("elements needs a sequence")
            }
            return .set(try canonicalSet(es, elementType: t))
        }
    }
}
