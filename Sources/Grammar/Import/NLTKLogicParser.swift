/// Parses NLTK logic (`nltk.sem.logic`) as used in `SEM` features and valuations into meaning-language
/// expressions: `\x y.φ`, `all x.φ`, `exists x.φ` (`exist`, `some`), `-φ` (`--φ`, `not φ`), `&` (`and`), `|` (`or`),
/// `->` (`implies`), `<->` (`iff`), `=`, `!=`, `f(a, b)`, and `?var` placeholders for daughters' meanings.
struct NLTKLogicParser {
    var tokens: [Token]
    var position = 0
    let file: String
    let line: Int
    let columnOffset: Int
    let sourceLine: String
    /// Current recursion depth.
    var nesting = 0

    /// Parses `text`, which starts at `column` of `line` in `file`.
    static func parse(_ text: String, file: String, line: Int, column: Int, sourceLine: String) throws(GrammarError)
        -> Expression
    {
        let tokens: [Token]
        do {
            // `--` is double negation in NLTK logic but a comment in the shared lexer; same length, so columns hold.
            var scalars = Array(text.unicodeScalars)
            for i in scalars.indices.dropFirst() where scalars[i] == "-" && scalars[i - 1] == "-" { scalars[i] = "!" }
            var rewritten = String.UnicodeScalarView()
            rewritten.append(contentsOf: scalars)
            tokens = try Lexer.tokenize(String(rewritten), file: file)
        } catch {
            throw GrammarError(
                error.message, at: SourceLocation(file: file, line: line, column: column + error.location.column - 1),
                sourceLine: sourceLine)
        }
        var parser = NLTKLogicParser(
            tokens: tokens, file: file, line: line, columnOffset: column - 1, sourceLine: sourceLine)
        let expression = try parser.parseExpression()
        if parser.current.kind != .endOfFile { throw parser.error("unexpected '\(parser.current.text)' in NLTK logic") }
        return expression
    }

    var current: Token { tokens[position] }
    var location: SourceLocation { SourceLocation(file: file, line: line, column: columnOffset + current.column) }

    func error(_ message: String) -> GrammarError {
        GrammarError(message, at: location, sourceLine: sourceLine)
    }

    /// Enters one level of nesting (pair with `defer { nesting -= 1 }`): too deep a formula is a located error.
    mutating func enterNesting() throws(GrammarError) {
        if nesting >= Expression.maximumNesting {
            throw error("expression nested deeper than \(Expression.maximumNesting) levels")
        }
        nesting += 1
    }

    /// `expression`, or a located error when an operator chain makes it deeper than the limit.
    func limited(_ expression: Expression) throws(GrammarError) -> Expression {
        if expression.height > Expression.maximumNesting {
            throw error("expression nested deeper than \(Expression.maximumNesting) levels")
        }
        return expression
    }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol && current.text == s }

    mutating func accept(_ s: String) -> Bool {
        if isSymbol(s) {
            advance()
            return true
        }
        return false
    }

    mutating func acceptKeyword(_ keyword: String) -> Bool {
        guard current.kind == .identifier, current.text == keyword else { return false }
        advance()
        return true
    }

    mutating func expect(_ s: String) throws(GrammarError) {
        guard accept(s) else { throw error("expected '\(s)' in NLTK logic but found '\(current.text)'") }
    }

    mutating func variableName() throws(GrammarError) -> String {
        guard current.kind == .identifier else { throw error("expected a variable in NLTK logic") }
        let name = current.text
        advance()
        return name
    }

    mutating func parseExpression() throws(GrammarError) -> Expression {
        try enterNesting()
        defer { nesting -= 1 }
        let start = location
        if accept("\\") {
            var binders: [Binder] = []
            while current.kind == .identifier { binders.append(Binder(name: try variableName())) }
            guard !binders.isEmpty else { throw error("λ needs a variable") }
            try expect(".")
            return Expression(.lambda(binders, try parseExpression()), at: start)
        }
        if current.kind == .identifier, ["all", "exists", "exist", "some", "forall"].contains(current.text),
            tokens[position + 1].kind == .identifier
        {
            let keyword = ["exists", "exist", "some"].contains(current.text) ? "exists" : "forall"
            advance()
            var variables: [String] = []
            while current.kind == .identifier { variables.append(try variableName()) }
            try expect(".")
            var body = try parseExpression()
            for v in variables.reversed() {
                body = try limited(Expression(.quantifier(keyword, Binder(name: v), nil, body), at: start))
            }
            return body
        }
        return try parseBinary(0)
    }

    /// Binary connectives by precedence, NLTK's symbols and keywords (`iff`, `implies`, `or`, `and`).
    static let levels: [[String]] = [["<->", "iff"], ["->", "=>", "implies"], ["|", "or"], ["&", "and", "^"]]

    mutating func parseBinary(_ level: Int) throws(GrammarError) -> Expression {
        if level == Self.levels.count { return try parseEquality() }
        var left = try parseBinary(level + 1)
        while current.kind == .symbol || current.kind == .identifier, Self.levels[level].contains(current.text) {
            let op = current.text
            let at = location
            advance()
            try enterNesting()
            defer { nesting -= 1 }
            let right: Expression
            if isSymbol("\\")
                || (current.kind == .identifier && ["all", "exists", "exist", "some"].contains(current.text))
            {
                right = try parseExpression()
            } else {
                right = try parseBinary(level == 1 ? level : level + 1)
            }
            let mapped =
                ["&": "&&", "and": "&&", "^": "&&", "|": "||", "or": "||", "->": "->", "=>": "->", "implies": "->"][op]
                ?? "<->"
            left = try limited(Expression(.binary(mapped, left, right), at: at))
        }
        return left
    }

    mutating func parseEquality() throws(GrammarError) -> Expression {
        let left = try parseUnary()
        let at = location
        if accept("=") || accept("==") { return Expression(.binary("==", left, try parseUnary()), at: at) }
        if accept("!=") { return Expression(.binary("!=", left, try parseUnary()), at: at) }
        return left
    }

    mutating func parseUnary() throws(GrammarError) -> Expression {
        let at = location
        if accept("-") || accept("!") || acceptKeyword("not") {
            try enterNesting()
            defer { nesting -= 1 }
            if isSymbol("\\")
                || (current.kind == .identifier && ["all", "exists", "exist", "some"].contains(current.text))
            {
                return Expression(.unary("!", try parseExpression()), at: at)
            }
            return Expression(.unary("!", try parseUnary()), at: at)
        }
        return try parseApplication()
    }

    mutating func parseApplication() throws(GrammarError) -> Expression {
        var expression = try parsePrimary()
        while isSymbol("(") {
            let at = location
            advance()
            var arguments: [Expression] = []
            if !isSymbol(")") {
                repeat { arguments.append(try parseExpression()) } while accept(",")
            }
            try expect(")")
            expression = try limited(Expression(.application(expression, arguments), at: at))
        }
        return expression
    }

    mutating func parsePrimary() throws(GrammarError) -> Expression {
        let at = location
        if accept("(") {
            let inner = try parseExpression()
            try expect(")")
            return inner
        }
        if accept("?") { return Expression(.name("?" + (try variableName())), at: at) }
        if current.kind == .identifier {
            let name = current.text
            advance()
            if name == "True" || name == "true" { return Expression(.boolean(true), at: at) }
            if name == "False" || name == "false" { return Expression(.boolean(false), at: at) }
            return Expression(.name(name), at: at)
        }
        if current.kind == .integer, let i = Int(current.text) {
            advance()
            return Expression(.integer(i), at: at)
        }
        throw error("unexpected '\(current.text)' in NLTK logic")
    }
}
