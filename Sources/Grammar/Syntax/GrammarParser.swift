/// Recursive-descent parser for `.mont` grammar files (format: docs/compositionality.md and grammars/README.md).
///
/// The parser keeps going after an error (it skips to the next `;` or `}`) so that one run reports every syntax
/// error; all are thrown together as ``GrammarErrors``.
public struct GrammarParser {
    var tokens: [Token]
    var position = 0
    let file: String
    let lines: [String]
    var errors: [GrammarError] = []
    /// While parsing the value of `let x = … in`, `in` ends the value instead of meaning membership.
    var inhibitsIn = false
    /// Current recursion depth of the expression, type and pattern parsers.
    var nesting = 0

    /// Parses the `.mont` text `source`; `file` labels the diagnostics.
    public static func parse(_ source: String, file: String) throws(GrammarErrors) -> GrammarSyntax {
        let tokens: [Token]
        do {
            tokens = try Lexer.tokenize(source, file: file)
        } catch {
            throw GrammarErrors([error])
        }
        var parser = GrammarParser(tokens: tokens, file: file, source: source)
        let syntax = parser.parseFile(source: source)
        if !parser.errors.isEmpty { throw GrammarErrors(parser.errors) }
        return syntax
    }

    /// Parses a single expression (used by tests, the REPL-like `eval`, and imported formulas).
    public static func parseExpression(_ source: String, file: String = "<expression>") throws(GrammarErrors)
        -> Expression
    {
        let tokens: [Token]
        do {
            tokens = try Lexer.tokenize(source, file: file)
        } catch {
            throw GrammarErrors([error])
        }
        var parser = GrammarParser(tokens: tokens, file: file, source: source)
        do throws(GrammarError) {
            let expression = try parser.parseExpression()
            if parser.current.kind != .endOfFile { throw parser.error("unexpected '\(parser.current.text)'") }
            return expression
        } catch {
            throw GrammarErrors([error])
        }
    }

    init(tokens: [Token], file: String, source: String) {
        self.tokens = tokens
        self.file = file
        self.lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: - Token helpers

    var current: Token { tokens[position] }
    var next: Token { tokens[min(position + 1, tokens.count - 1)] }

    func location(of token: Token) -> SourceLocation {
        SourceLocation(file: file, line: token.line, column: token.column)
    }

    var here: SourceLocation { location(of: current) }

    func error(_ message: String, at token: Token? = nil) -> GrammarError {
        let token = token ?? current
        return GrammarError(
            message, at: location(of: token),
            sourceLine: token.line - 1 < lines.count ? lines[token.line - 1] : nil)
    }

    func isSymbol(_ text: String) -> Bool { current.kind == .symbol && current.text == text }
    func isKeyword(_ text: String) -> Bool { current.kind == .identifier && current.text == text }

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    mutating func accept(_ symbol: String) -> Bool {
        if isSymbol(symbol) {
            advance()
            return true
        }
        return false
    }

    mutating func acceptKeyword(_ keyword: String) -> Bool {
        if isKeyword(keyword) {
            advance()
            return true
        }
        return false
    }

    mutating func expect(_ symbol: String, _ what: String? = nil) throws(GrammarError) {
        guard accept(symbol) else {
            let found = current.kind == .endOfFile ? "end of file" : "'\(current.text)'"
            throw error("expected '\(symbol)'\(what.map { " " + $0 } ?? "") but found \(found)")
        }
    }

    mutating func expectKeyword(_ keyword: String) throws(GrammarError) {
        guard acceptKeyword(keyword) else { throw error("expected '\(keyword)' but found '\(current.text)'") }
    }

    mutating func identifier(_ what: String) throws(GrammarError) -> Located<String> {
        guard current.kind == .identifier else {
            let found = current.kind == .endOfFile ? "end of file" : "'\(current.text)'"
            throw error("expected \(what) but found \(found)")
        }
        let result = Located(current.text, at: here)
        advance()
        return result
    }

    mutating func integer(_ what: String) throws(GrammarError) -> Int {
        guard current.kind == .integer, let value = Int(current.text) else {
            throw error("expected \(what) (an integer) but found '\(current.text)'")
        }
        advance()
        return value
    }

    /// Enters one level of nesting; too deep a nesting is a located error, never a stack overflow. Pair with
    /// `defer { nesting -= 1 }`.
    mutating func enterNesting() throws(GrammarError) {
        if nesting >= Expression.maximumNesting {
            throw error("expression nested deeper than \(Expression.maximumNesting) levels")
        }
        nesting += 1
    }

    /// `expression`, or a located error when it is nested deeper than the limit (long operator chains).
    func limited(_ expression: Expression) throws(GrammarError) -> Expression {
        if expression.height > Expression.maximumNesting {
            throw error("expression nested deeper than \(Expression.maximumNesting) levels")
        }
        return expression
    }

    /// Skips to just after the next `;` at the current brace depth, or to (not past) a closing `}`.
    mutating func recover() {
        var depth = 0
        while current.kind != .endOfFile {
            if isSymbol("{") || isSymbol("(") || isSymbol("[") { depth += 1 }
            if isSymbol("}") || isSymbol(")") || isSymbol("]") {
                if depth == 0 && isSymbol("}") { return }
                depth = max(0, depth - 1)
            }
            if isSymbol(";") && depth == 0 {
                advance()
                return
            }
            advance()
        }
    }

    /// Runs `body`; on error records it and recovers.
    mutating func attempt(_ body: (inout GrammarParser) throws(GrammarError) -> Void) {
        let start = position
        do {
            try body(&self)
        } catch {
            errors.append(error)
            recover()
            if position == start && current.kind != .endOfFile && !isSymbol("}") { advance() }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { index >= 0 && index < count ? self[index] : nil }
}
