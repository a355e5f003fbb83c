extension Operation {
    /// The tokens this operation writes itself: a lexical atom's form, or the syncategorematic tokens of a
    /// concatenative rule (`"(" N "+" N ")"` writes `(`, `+`, `)`), in order. Empty for an operation with a general
    /// `form` expression, whose tokens are computed rather than listed.
    public var terminals: [String] {
        switch form {
        case .tokens(let tokens): tokens
        case .concatenation(let items):
            items.compactMap {
                if case .token(let token) = $0 { return token }
                return nil
            }
        case .general: []
        }
    }
}

extension InterpretedGrammar {
    /// Every token the grammar's operations write (``Operation/terminals``), distinct and sorted: the vocabulary of
    /// its language, e.g. for the token ids of a text generator trained on it. A grammar whose every operation is
    /// concatenative (``ChartParser/supports(_:)``) has no sentence with a token outside this list.
    public var terminals: [String] {
        Array(Set(operations.flatMap(\.terminals))).sorted()
    }
}
