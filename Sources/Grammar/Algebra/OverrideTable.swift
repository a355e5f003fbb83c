/// A grammar's meaning overrides, indexed for lookup while terms are built: string overrides by their category,
/// term overrides by the head operation of their pattern. The enumerator and the derivation builder (chart parser,
/// sampler) both give a new term the first override that applies, through this one table.
struct OverrideTable {
    private var byString: [Int: [(index: Int, tokens: [String])]] = [:]
    private var byTerm: [Int: [(index: Int, pattern: CompiledPattern)]] = [:]

    init(_ grammar: InterpretedGrammar) {
        for (i, o) in grammar.overrides.enumerated() {
            switch o.target {
            case .string(let c, let tokens): byString[c, default: []].append((i, tokens))
            case .term(let pattern):
                if case .operation(let op, _) = pattern { byTerm[op, default: []].append((i, pattern)) }
            }
        }
    }

    /// The record of the first override that applies to `op(kids)` (yield of `length` tokens) in `fragment`: term
    /// overrides first, then string overrides of the operation's category; `nil` when none applies.
    func record<Children: Collection<Int32>>(
        operation op: Int, children kids: Children, length: Int, in fragment: Fragment
    ) -> Int32? {
        if let list = byTerm[op] {
            let array = Array(kids)
            for (index, pattern) in list where Self.matches(pattern, operation: op, children: array, in: fragment) {
                return fragment.engine.overrideRecord(index)
            }
        }
        if let list = byString[fragment.grammar.operations[op].category] {
            var tokens: [String]?
            for (index, overrideTokens) in list where overrideTokens.count == length {
                let yield = tokens ?? fragment.tokens(operation: op, children: kids)
                tokens = yield
                if yield == overrideTokens { return fragment.engine.overrideRecord(index) }
            }
        }
        return nil
    }

    /// Whether the term `op(kids)` of `fragment` matches `pattern`.
    static func matches(_ pattern: CompiledPattern, operation op: Int, children kids: [Int32], in fragment: Fragment)
        -> Bool
    {
        switch pattern {
        case .wildcard: return true
        case .atom(let name):
            let o = fragment.grammar.operations[op]
            if o.arity != 0 { return false }
            return o.name == name
                || (o.isLexical && fragment.tokens(operation: op, children: kids).joined(separator: " ") == name)
        case .operation(let p, let arguments):
            guard p == op else { return false }
            for (a, child) in zip(arguments, kids)
            where !matches(
                a, operation: fragment.operation(of: child), children: fragment.children(of: child), in: fragment)
            {
                return false
            }
            return true
        }
    }
}
