/// Which meaning function μ a check looks at.
public struct MeaningView: Hashable, Sendable {
    /// The level (extension, intension, character, structured). `nil`: the grammar's declared levels.
    public var level: MeaningLevel?
    /// A single context (for occasion meanings, N11b/c), or `nil` for all contexts together (standing meaning).
    public var context: Int?

    /// The view with the given level and context.
    public init(level: MeaningLevel? = nil, context: Int? = nil) {
        self.level = level
        self.context = context
    }

    /// The grammar's declared meaning function over all contexts.
    public static let declared = MeaningView()
}

/// Computes the semantic value of terms: a *record* (the value at every point of evaluation, interned), bottom-up
/// from the declared rules, overrides and lexicon; and the meaning μ(t) a check compares, for a view.
///
/// Rule applications are memoised on (operation, argument records) — exact because a declared semantic rule is a
/// function of the arguments' values at all points. Form-reading rules and overrides are evaluated per term.
final class SemanticsEngine {
    let grammar: InterpretedGrammar
    let model: FiniteModel
    let table = MeaningTable()
    let pointCount: Int

    /// Records: canonical value ids per point → record id.
    private var recordIDs: [[Int32]: Int32] = [:]
    private(set) var recordCanonical: [[Int32]] = []
    private(set) var recordValues: [[Value]] = []
    private(set) var recordTypes: [SemanticType] = []

    private var memo: [MemoKey: Int32] = [:]
    private var formMemo: [FormMemoKey: Int32] = [:]
    private var lexicalRecords: [Int: Int32] = [:]
    private var overrideRecords: [Int: Int32] = [:]
    private var meaningCache: [MeaningCacheKey: Int32] = [:]
    private var projectedCache: [Int64: [Int32]] = [:]

    /// The first evaluation errors (term description and message).
    private(set) var evaluationErrors: [String] = []
    /// The first error message per source (`"word"`, `Rule(…)`, an override), for explaining ⊥.
    private(set) var firstErrorBySource: [String: String] = [:]
    private(set) var evaluationErrorCount = 0

    /// Number of rule evaluations actually performed (memo misses).
    private(set) var evaluations = 0

    init(grammar: InterpretedGrammar) {
        self.grammar = grammar
        self.model = grammar.model
        self.pointCount = grammar.model.pointCount
    }

    struct MemoKey: Hashable {
        var operation: Int32
        var a: Int32
        var b: Int32
        var c: Int32
        var rest: [Int32]
    }

    /// A form-reading rule application: operation, argument records and argument yields (interned token sequences).
    struct FormMemoKey: Hashable {
        var operation: Int32
        var records: MemoKey
        var yields: MemoKey
    }

    struct MeaningCacheKey: Hashable {
        var record: Int32
        var category: Int32
        var lexical: Bool
        var level: Int8
        var context: Int32
    }

    // MARK: - Records

    func recordError(_ message: String, _ what: @autoclosure () -> String) {
        evaluationErrorCount += 1
        let source = what()
        if evaluationErrors.count < 20 { evaluationErrors.append("\(source): \(message)") }
        if firstErrorBySource.count < 10_000, firstErrorBySource[source] == nil { firstErrorBySource[source] = message }
    }

    /// Interns the values (one per point) of a term of `type`; nil if a value cannot be canonicalised.
    func internRecord(_ values: [Value], type: SemanticType) throws(EvaluationError) -> Int32 {
        let typeID = table.typeID(type)
        var ids: [Int32] = []
        ids.reserveCapacity(values.count)
        for v in values { ids.append(table.intern(.value(typeID, try model.canonical(v, type: type)))) }
        if let id = recordIDs[ids] { return id }
        let id = Int32(recordCanonical.count)
        recordIDs[ids] = id
        recordCanonical.append(ids)
        recordValues.append(values)
        recordTypes.append(type)
        return id
    }

    /// Evaluates closed code (lexicon, override) at every point.
    func evaluateClosed(_ code: Code, type: SemanticType, what: @autoclosure () -> String) -> Int32 {
        do throws(EvaluationError) {
            var values: [Value] = []
            for p in 0..<pointCount {
                var environment: [Value] = []
                values.append(
                    try model.evaluate(code, environment: &environment, point: model.point(at: p), frame: .empty))
            }
            return try internRecord(values, type: type)
        } catch {
            recordError(error.message, what())
            return -1
        }
    }

    func lexicalRecord(_ op: Int) -> Int32 {
        if let r = lexicalRecords[op] { return r }
        let operation = grammar.operations[op]
        let r = evaluateClosed(
            operation.semantics, type: grammar.categories[operation.category].type, what: "\"\(operation.name)\"")
        lexicalRecords[op] = r
        return r
    }

    func overrideRecord(_ index: Int) -> Int32 {
        if let r = overrideRecords[index] { return r }
        let o = grammar.overrides[index]
        let category: Int
        switch o.target {
        case .string(let c, _): category = c
        case .term(.operation(let op, _)): category = grammar.operations[op].category
        case .term: category = 0
        }
        let r = evaluateClosed(o.semantics, type: grammar.categories[category].type, what: o.description)
        overrideRecords[index] = r
        return r
    }

    /// The record of `op` applied to argument records (memoised unless the rule reads forms).
    func ruleRecord(
        _ op: Int, arguments: UnsafeBufferPointer<Int32>, forms: (() -> (daughters: [[String]], mother: [String]))?
    ) -> Int32 {
        for r in arguments where r < 0 { return -1 }
        let operation = grammar.operations[op]
        if operation.readsForms {
            let f = forms?() ?? (daughters: [], mother: [])
            return evaluateRule(operation, arguments: arguments, daughterForms: f.daughters, motherForm: f.mother)
        }
        let n = arguments.count
        let key = MemoKey(
            operation: Int32(op), a: n > 0 ? arguments[0] : -1, b: n > 1 ? arguments[1] : -1,
            c: n > 2 ? arguments[2] : -1, rest: n > 3 ? Array(arguments[3...]) : [])
        if let r = memo[key] { return r }
        let r = evaluateRule(operation, arguments: arguments, daughterForms: [], motherForm: [])
        memo[key] = r
        return r
    }

    /// The record of a form-reading rule `op` applied to argument records whose yields have the interned ids
    /// `argumentYields`, memoised on both: the mother's form is a function of the arguments' forms, so records, daughter
    /// forms and mother form — everything the rule reads — are fixed by the key. `forms` is called on a miss only.
    func formReadingRecord(
        _ op: Int, arguments: UnsafeBufferPointer<Int32>, argumentYields: UnsafeBufferPointer<Int32>,
        forms: () -> (daughters: [[String]], mother: [String])
    ) -> Int32 {
        for r in arguments where r < 0 { return -1 }
        let key = FormMemoKey(
            operation: Int32(op), records: Self.memoKey(op, arguments), yields: Self.memoKey(op, argumentYields))
        if let r = formMemo[key] { return r }
        let f = forms()
        let r = evaluateRule(
            grammar.operations[op], arguments: arguments, daughterForms: f.daughters, motherForm: f.mother)
        formMemo[key] = r
        return r
    }

    static func memoKey(_ op: Int, _ values: UnsafeBufferPointer<Int32>) -> MemoKey {
        let n = values.count
        return MemoKey(
            operation: Int32(op), a: n > 0 ? values[0] : -1, b: n > 1 ? values[1] : -1, c: n > 2 ? values[2] : -1,
            rest: n > 3 ? Array(values[3...]) : [])
    }

    private func evaluateRule(
        _ operation: Operation, arguments: UnsafeBufferPointer<Int32>, daughterForms: [[String]], motherForm: [String]
    ) -> Int32 {
        evaluations += 1
        let frame = RuleFrame(
            daughters: arguments.map { recordValues[Int($0)] }, daughterForms: daughterForms, motherForm: motherForm)
        do throws(EvaluationError) {
            var values: [Value] = []
            values.reserveCapacity(pointCount)
            for p in 0..<pointCount {
                let point = model.point(at: p)
                var environment: [Value] = []
                if let requirement = operation.requirement {
                    guard
                        case .bool(true) = try model.evaluate(
                            requirement, environment: &environment, point: point, frame: frame)
                    else { return -1 }
                }
                values.append(
                    try model.evaluate(operation.semantics, environment: &environment, point: point, frame: frame))
            }
            return try internRecord(values, type: grammar.categories[operation.category].type)
        } catch {
            recordError(error.message, "\(operation.name)(…)")
            return -1
        }
    }

    // MARK: - Meanings

    /// The level used for a term of `category` (lexical or not) under `view`.
    func level(category: Int, lexical: Bool, view: MeaningView) -> MeaningLevel {
        if let l = view.level { return l }
        if lexical, let l = grammar.lexicalMeaningLevel { return l }
        return grammar.categoryMeaningLevels[category] ?? grammar.meaningLevel
    }

    /// Projected value ids per point (the category's `project` function applied), or the record's own.
    func projectedValues(record: Int32, category: Int) -> [Int32]? {
        guard let projection = grammar.projections[category] else { return recordCanonical[Int(record)] }
        let key = Int64(record) << 20 | Int64(category)
        if let cached = projectedCache[key] { return cached }
        let typeID = table.typeID(projection.type)
        do throws(EvaluationError) {
            var environment: [Value] = []
            let function = try model.evaluate(
                projection.code, environment: &environment,
                point: EvaluationPoint(context: 0, world: model.actualWorld),
                frame: .empty)
            var ids: [Int32] = []
            for v in recordValues[Int(record)] {
                let projected = try model.apply(function, to: v, argumentType: recordTypes[Int(record)])
                ids.append(table.intern(.value(typeID, try model.canonical(projected, type: projection.type))))
            }
            projectedCache[key] = ids
            return ids
        } catch {
            recordError(error.message, "projection of \(grammar.categories[category].name)")
            return nil
        }
    }

    /// μ(t) for a term with the given record and category under `view` (-1 if meaningless). Structured meanings are
    /// per term and computed by ``structuredMeaning(operation:arguments:)`` instead.
    func meaning(record: Int32, category: Int, lexical: Bool, view: MeaningView) -> Int32 {
        if record < 0 { return -1 }
        let lvl = level(category: category, lexical: lexical, view: view)
        let key = MeaningCacheKey(
            record: record, category: Int32(category), lexical: lexical, level: Int8(Self.levelIndex(lvl)),
            context: Int32(view.context ?? -1))
        if let m = meaningCache[key] { return m }
        let m = computeMeaning(record: record, category: category, level: lvl, context: view.context)
        meaningCache[key] = m
        return m
    }

    static func levelIndex(_ level: MeaningLevel) -> Int {
        switch level {
        case .extension: return 0
        case .intension: return 1
        case .character: return 2
        case .structured: return 3
        }
    }

    private func computeMeaning(record: Int32, category: Int, level: MeaningLevel, context: Int?) -> Int32 {
        guard let values = projectedValues(record: record, category: category) else { return -1 }
        let worlds = model.worldCount
        func atContext(_ c: Int) -> Int32 {
            switch level {
            case .extension, .structured:
                return values[c * worlds + model.world(ofContext: c)]
            case .intension:
                if worlds == 1 { return values[c * worlds] }
                return table.intern(.vector(0, Array(values[(c * worlds)..<((c + 1) * worlds)])))
            case .character:
                return table.intern(.vector(1, values))
            }
        }
        if let context { return atContext(context) }
        if level == .character || model.contextCount == 1 { return atContext(0) }
        return table.intern(.vector(2, (0..<model.contextCount).map(atContext)))
    }

    /// Structured meaning of a term: the operation with its arguments' structured meanings; an atom's is its
    /// intension (so synonymous atoms have equal structured meanings).
    func structuredMeaning(operation: Int, record: Int32, arguments: UnsafeBufferPointer<Int32>) -> Int32 {
        if record < 0 { return -1 }
        let op = grammar.operations[operation]
        if op.isLexical || op.arity == 0 {
            let m = meaning(record: record, category: op.category, lexical: true, view: MeaningView(level: .character))
            return table.intern(.structured(-1, [m]))
        }
        for a in arguments where a < 0 { return -1 }
        return table.intern(.structured(Int32(operation), Array(arguments)))
    }

    /// Meaning under a linguistic context ξ (N12): `\v xi. …` of the category applied to the extension-level value.
    func linguisticMeaning(record: Int32, category: Int, context: Int) -> Int32 {
        guard record >= 0, let linguistic = grammar.linguistic else { return -1 }
        guard let function = linguistic.meanings[category] else {
            let m = meaning(record: record, category: category, lexical: false, view: .declared)
            return table.intern(.linguistic(Int32(context), m))
        }
        do throws(EvaluationError) {
            var environment: [Value] = []
            let point = EvaluationPoint(context: 0, world: model.actualWorld)
            let f = try model.evaluate(function.code, environment: &environment, point: point, frame: .empty)
            let value = recordValues[Int(record)][model.pointIndex(point)]
            let g = try model.apply(f, to: value, argumentType: recordTypes[Int(record)])
            let result = try model.apply(g, to: .string(linguistic.names[context]), argumentType: .string)
            let typeID = table.typeID(function.type)
            let id = table.intern(.value(typeID, try model.canonical(result, type: function.type)))
            return table.intern(.linguistic(Int32(context), id))
        } catch {
            recordError(error.message, "linguistic meaning of \(grammar.categories[category].name)")
            return -1
        }
    }

    // MARK: - Printing

    /// A readable rendering of a meaning id.
    func describe(_ id: Int32) -> String {
        guard id >= 0, Int(id) < table.count else { return "⊥ (no meaning)" }
        switch table.keys[Int(id)] {
        case .value(let type, let value):
            return model.describe(value, type: table.types[Int(type)])
        case .vector(let kind, let ids):
            let labels: [String]
            switch kind {
            case 0: labels = model.worlds.isEmpty ? ["@"] : model.worlds
            case 1:
                labels = (0..<ids.count).map { p in
                    let point = model.point(at: p)
                    let c = model.contexts.isEmpty ? "" : model.contexts[point.context]
                    let w = model.worlds.isEmpty ? "" : model.worlds[point.world]
                    return [c, w].filter { !$0.isEmpty }.joined(separator: ",")
                }
            default: labels = model.contexts.isEmpty ? ["c"] : model.contexts
            }
            return "⟨" + zip(labels, ids).map { "\($0): \(describe($1))" }.joined(separator: "; ") + "⟩"
        case .structured(let op, let arguments):
            if op < 0 { return arguments.first.map(describe) ?? "?" }
            return grammar.operations[Int(op)].name + "[" + arguments.map(describe).joined(separator: ", ") + "]"
        case .linguistic(let context, let m):
            return describe(m) + " in " + (grammar.linguistic?.names[Int(context)] ?? "?")
        }
    }

    /// A record (all points) rendered.
    func describeRecord(_ record: Int32) -> String {
        guard record >= 0 else { return "⊥ (no meaning)" }
        let ids = recordCanonical[Int(record)]
        if ids.count == 1 { return describe(ids[0]) }
        return "⟨"
            + ids.enumerated().map { p, id in
                let point = model.point(at: p)
                let c = model.contexts.isEmpty ? "" : model.contexts[point.context]
                let w = model.worlds.isEmpty ? "" : model.worlds[point.world]
                return [c, w].filter { !$0.isEmpty }.joined(separator: ",") + ": " + describe(id)
            }.joined(separator: "; ") + "⟩"
    }
}
