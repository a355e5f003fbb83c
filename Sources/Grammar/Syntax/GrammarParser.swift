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

    // MARK: - File

    mutating func parseFile(source: String) -> GrammarSyntax {
        var syntax = GrammarSyntax(file: file, source: source)
        while current.kind != .endOfFile {
            let startPosition = position
            attempt { p throws(GrammarError) in try p.parseTopLevel(into: &syntax) }
            if position == startPosition { advance() }
        }
        return syntax
    }

    mutating func parseTopLevel(into syntax: inout GrammarSyntax) throws(GrammarError) {
        guard current.kind == .identifier else { throw error("expected a declaration but found '\(current.text)'") }
        switch current.text {
        case "grammar":
            advance()
            syntax.name = try identifier("grammar name").value
            try expect(";")
        case "start":
            advance()
            syntax.start = try identifier("start category")
            try expect(";")
        case "model":
            advance()
            try parseModel(into: &syntax.model)
        case "contexts":
            advance()
            try parseContexts(into: &syntax.contexts)
        case "param":
            advance()
            let name = try identifier("parameter type name")
            try expect("=")
            var constructors = [try identifier("parameter value").value]
            while accept("|") { constructors.append(try identifier("parameter value").value) }
            try expect(";")
            syntax.parameters.append((name, constructors))
        case "cat":
            advance()
            repeat {
                syntax.categories.append(try parseCategoryDeclaration())
            } while current.kind == .identifier && !isTopLevelKeyword(current.text)
        case "lexicon":
            advance()
            try expect("{")
            while !isSymbol("}") && current.kind != .endOfFile {
                attempt { p throws(GrammarError) in syntax.lexicon.append(try p.parseLexicalEntry()) }
            }
            try expect("}")
        case "rules":
            advance()
            try expect("{")
            while !isSymbol("}") && current.kind != .endOfFile {
                attempt { p throws(GrammarError) in syntax.rules.append(try p.parseRule()) }
            }
            try expect("}")
        case "overrides":
            advance()
            try expect("{")
            while !isSymbol("}") && current.kind != .endOfFile {
                attempt { p throws(GrammarError) in syntax.overrides.append(try p.parseOverride()) }
            }
            try expect("}")
        case "meaning":
            advance()
            if accept("=") {
                syntax.meaningLevel = try parseLevel()
            } else {
                let target = try identifier("'lexical' or a category")
                try expect("=")
                let level = try parseLevel()
                if target.value == "lexical" {
                    syntax.lexicalMeaningLevel = level
                } else {
                    syntax.categoryMeaningLevels.append((target, level.value))
                }
            }
            try expect(";")
        case "project":
            advance()
            let category = try identifier("category")
            try expect("=")
            syntax.projections.append((category, try parseExpression()))
            try expect(";")
        case "enumerate":
            advance()
            try expect("{")
            while !isSymbol("}") && current.kind != .endOfFile {
                attempt { p throws(GrammarError) in
                    let key = try p.identifier("bound name")
                    try p.expect("=")
                    let value = try p.integer("bound")
                    try p.expect(";")
                    syntax.bounds.append((key, value))
                }
            }
            try expect("}")
        case "check":
            advance()
            try expect("{")
            while !isSymbol("}") && current.kind != .endOfFile {
                attempt { p throws(GrammarError) in
                    var name = try p.identifier("notion")
                    while p.isSymbol("-"), p.next.kind == .identifier {
                        p.advance()
                        name.value += "-" + p.current.text
                        p.advance()
                    }
                    var argument: String?
                    if p.accept("(") {
                        argument = try p.identifier("argument").value
                        try p.expect(")")
                    } else if p.acceptKeyword("from") {
                        argument = try p.identifier("category").value
                    }
                    try p.expect(";")
                    syntax.checks.append((name, argument))
                }
            }
            try expect("}")
        case "linguistic":
            advance()
            syntax.linguistic = try parseLinguistic()
        default:
            throw error("unknown declaration '\(current.text)'")
        }
    }

    func isTopLevelKeyword(_ text: String) -> Bool {
        [
            "grammar", "start", "model", "contexts", "param", "cat", "lexicon", "rules", "overrides", "meaning",
            "project", "enumerate", "check", "linguistic",
        ].contains(text)
    }

    mutating func parseLevel() throws(GrammarError) -> Located<MeaningLevel> {
        let name = try identifier("meaning level")
        guard let level = MeaningLevel(rawValue: name.value) else {
            throw GrammarError(
                "unknown meaning level '\(name.value)' (expected extension, intension, character or structured)",
                at: name.location, sourceLine: lines[safe: name.location.line - 1])
        }
        return Located(level, at: name.location)
    }

    // MARK: - Model and contexts

    mutating func parseModel(into model: inout ModelDeclaration) throws(GrammarError) {
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in try p.parseModelItem(into: &model) }
        }
        try expect("}")
    }

    mutating func parseNameSet() throws(GrammarError) -> [Located<String>] {
        try expect("{")
        var names: [Located<String>] = []
        if !isSymbol("}") {
            repeat { names.append(try identifier("name")) } while accept(",")
        }
        try expect("}")
        return names
    }

    mutating func parseModelItem(into model: inout ModelDeclaration) throws(GrammarError) {
        let name = try identifier("model item")
        switch name.value {
        case "entities" where isSymbol("="):
            advance()
            model.entities += try parseNameSet()
            try expect(";")
        case "worlds" where isSymbol("="):
            advance()
            model.worlds += try parseNameSet()
            try expect(";")
        case "actual" where isSymbol("="):
            advance()
            model.actualWorld = try identifier("world")
            try expect(";")
        default:
            if accept("=>") {
                let value = try parseExpression()
                _ = accept(";")
                model.constants.append(ConstantDeclaration(name: name, type: nil, value: value))
            } else {
                try expect(":", "after the constant name")
                let type = try parseType()
                try expect("=")
                let value = try parseExpression()
                try expect(";")
                model.constants.append(ConstantDeclaration(name: name, type: type, value: value))
            }
        }
    }

    mutating func parseContexts(into contexts: inout ContextsDeclaration) throws(GrammarError) {
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in
                if p.acceptKeyword("param") {
                    let name = try p.identifier("context parameter")
                    try p.expect(":")
                    let type = try p.parseType()
                    try p.expect(";")
                    contexts.parameters.append((name, type))
                } else {
                    let name = try p.identifier("context name")
                    try p.expect("=")
                    try p.expect("{")
                    var settings: [(Located<String>, Expression)] = []
                    if !p.isSymbol("}") {
                        repeat {
                            let parameter = try p.identifier("context parameter")
                            try p.expect("=")
                            settings.append((parameter, try p.parseExpression()))
                        } while p.accept(",") || p.accept(";")
                    }
                    try p.expect("}")
                    try p.expect(";")
                    contexts.contexts.append((name, settings))
                }
            }
        }
        try expect("}")
    }

    // MARK: - Categories, lexicon, rules

    mutating func parseCategoryDeclaration() throws(GrammarError) -> CategoryDeclaration {
        let name = try identifier("category name")
        var features: [(String, String)] = []
        if accept("[") {
            if !isSymbol("]") {
                repeat {
                    let feature = try identifier("feature name")
                    try expect(":")
                    let type = try identifier("parameter type")
                    features.append((feature.value, type.value))
                } while accept(",")
            }
            try expect("]")
        }
        try expect(":", "and the category's semantic type")
        let type = try parseType()
        try expect(";")
        return CategoryDeclaration(name: name, features: features, type: type)
    }

    mutating func parseCategoryReference() throws(GrammarError) -> CategoryReference {
        let name = try identifier("category")
        var features: [(String, FeatureValue)] = []
        // A feature list must be adjacent to the name: `NP[num=Sg]`.
        if isSymbol("["), current.line == tokens[position - 1].line,
            current.column == tokens[position - 1].column + tokens[position - 1].text.unicodeScalars.count
        {
            advance()
            if !isSymbol("]") {
                repeat {
                    let feature = try identifier("feature name")
                    try expect("=")
                    if accept("?") {
                        features.append((feature.value, .variable(try identifier("feature variable").value)))
                    } else {
                        features.append((feature.value, .constant(try identifier("feature value").value)))
                    }
                } while accept(",")
            }
            try expect("]")
        }
        return CategoryReference(name: name.value, features: features, location: name.location)
    }

    mutating func parseLexicalEntry() throws(GrammarError) -> LexicalDeclaration {
        guard current.kind == .string else { throw error("expected a quoted lexical form such as \"John\"") }
        let form = Located(current.text, at: here)
        advance()
        try expect(":")
        let category = try parseCategoryReference()
        try expect("=")
        let semantics = try parseExpression()
        try expect(";")
        return LexicalDeclaration(form: form, category: category, semantics: semantics)
    }

    mutating func parseRule() throws(GrammarError) -> RuleDeclaration {
        if acceptKeyword("op") { return try parseGeneralOperation() }
        let name = try identifier("rule name")
        try expect(":")
        let mother = try parseCategoryReference()
        try expect("->")
        var items: [RuleItem] = []
        while true {
            if current.kind == .string {
                items.append(.token(current.text, here))
                advance()
            } else if current.kind == .identifier, !["when", "requires"].contains(current.text) {
                if next.kind == .symbol && next.text == ":" {
                    let label = try identifier("daughter label")
                    advance()
                    items.append(.daughter(label: label.value, category: try parseCategoryReference()))
                } else {
                    items.append(.daughter(label: nil, category: try parseCategoryReference()))
                }
            } else {
                break
            }
        }
        var condition: Expression?
        var requirement: Expression?
        if acceptKeyword("when") { condition = try parseExpression() }
        if acceptKeyword("requires") { requirement = try parseExpression() }
        var semantics: Expression?
        if accept("=>") { semantics = try parseExpression() }
        try expect(";", "at the end of rule \(name.value)")
        return RuleDeclaration(
            name: name, mother: mother, items: items, condition: condition, requirement: requirement,
            semantics: semantics, form: nil)
    }

    mutating func parseGeneralOperation() throws(GrammarError) -> RuleDeclaration {
        let name = try identifier("operation name")
        try expect("(")
        var items: [RuleItem] = []
        if !isSymbol(")") {
            repeat {
                let label = try identifier("argument name")
                try expect(":")
                items.append(.daughter(label: label.value, category: try parseCategoryReference()))
            } while accept(",")
        }
        try expect(")")
        try expect(":")
        let mother = try parseCategoryReference()
        try expect("{")
        var rule = RuleDeclaration(
            name: name, mother: mother, items: items, condition: nil, requirement: nil, semantics: nil, form: nil)
        var sawForm = false
        while !isSymbol("}") && current.kind != .endOfFile {
            let key = try identifier("'form', 'sem', 'when' or 'requires'")
            try expect("=")
            let value = try parseExpression()
            try expect(";")
            switch key.value {
            case "form":
                rule.form = value
                sawForm = true
            case "sem": rule.semantics = value
            case "when": rule.condition = value
            case "requires": rule.requirement = value
            default:
                throw GrammarError(
                    "unknown operation field '\(key.value)' (expected form, sem, when or requires)",
                    at: key.location, sourceLine: lines[safe: key.location.line - 1])
            }
        }
        try expect("}")
        _ = accept(";")
        if !sawForm {
            throw GrammarError(
                "operation \(name.value) needs a 'form = …' field", at: name.location,
                sourceLine: lines[safe: name.location.line - 1])
        }
        return rule
    }

    mutating func parseOverride() throws(GrammarError) -> OverrideDeclaration {
        let start = here
        if accept("@") {
            let pattern = try parsePattern()
            try expect("=")
            let semantics = try parseExpression()
            try expect(";")
            return OverrideDeclaration(target: .term(pattern), semantics: semantics, location: start)
        }
        let category = try identifier("category")
        guard current.kind == .string else { throw error("expected the overridden string in quotes") }
        let form = current.text
        advance()
        try expect("=")
        let semantics = try parseExpression()
        try expect(";")
        return OverrideDeclaration(
            target: .string(category: category.value, form: form), semantics: semantics, location: start)
    }

    mutating func parsePattern() throws(GrammarError) -> TermPattern {
        try enterNesting()
        defer { nesting -= 1 }
        if accept("_") { return .wildcard }
        if current.kind == .string {
            let text = current.text
            advance()
            return .atom(text)
        }
        let name = try identifier("operation or atom")
        if accept("(") {
            var arguments: [TermPattern] = []
            if !isSymbol(")") {
                repeat { arguments.append(try parsePattern()) } while accept(",")
            }
            try expect(")")
            return .operation(name.value, arguments)
        }
        return .atom(name.value)
    }

    mutating func parseLinguistic() throws(GrammarError) -> LinguisticContextDeclaration {
        var declaration = LinguisticContextDeclaration()
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in
                let key = try p.identifier("'contexts', 'root', 'meaning' or an operation")
                switch key.value {
                case "contexts":
                    try p.expect("=")
                    declaration.contexts.append(try p.identifier("context"))
                    while p.accept("|") { declaration.contexts.append(try p.identifier("context")) }
                case "root":
                    try p.expect("=")
                    declaration.root = try p.identifier("context")
                case "meaning":
                    let category = try p.identifier("category")
                    try p.expect("=")
                    declaration.meanings.append((category, try p.parseExpression()))
                default:
                    try p.expect(".")
                    let position = try p.integer("argument position")
                    var mother: String?
                    if p.accept("[") {
                        mother = try p.identifier("mother context").value
                        try p.expect("]")
                    }
                    try p.expect("=")
                    let context = try p.identifier("context").value
                    declaration.embeddings.append((key, position, mother, context))
                }
                try p.expect(";")
            }
        }
        try expect("}")
        return declaration
    }

    // MARK: - Types

    mutating func parseType() throws(GrammarError) -> SemanticType {
        try enterNesting()
        defer { nesting -= 1 }
        let argument = try parseAtomicType()
        if accept("->") { return .function(argument, try parseType()) }
        return argument
    }

    mutating func parseAtomicType() throws(GrammarError) -> SemanticType {
        if accept("(") {
            var components = [try parseType()]
            while accept(",") { components.append(try parseType()) }
            try expect(")")
            return components.count == 1 ? components[0] : .tuple(components)
        }
        if accept("{") {
            let element = try parseType()
            try expect("}")
            return .set(element)
        }
        if accept("[") {
            let element = try parseType()
            try expect("]")
            return .sequence(element)
        }
        let name = try identifier("a type")
        switch name.value {
        case "e": return .entity
        case "t": return .truth
        case "int": return .integer
        case "str": return .string
        case "s": return .world
        case "ctx": return .context
        default: return .enumeration(name.value)
        }
    }

    // MARK: - Expressions

    static let binderKeywords: Set<String> = ["forall", "exists", "all", "iota", "count"]

    mutating func parseExpression() throws(GrammarError) -> Expression {
        try enterNesting()
        defer { nesting -= 1 }
        let start = here
        if accept("\\") {
            var binders: [Binder] = []
            repeat {
                let name = try identifier("λ-bound variable")
                var type: SemanticType?
                if accept(":") { type = try parseAtomicType() }
                binders.append(Binder(name: name.value, type: type))
            } while current.kind == .identifier
            try expect(".", "after the λ binders")
            return Expression(.lambda(binders, try parseExpression()), at: start)
        }
        if current.kind == .identifier, Self.binderKeywords.contains(current.text),
            next.kind == .identifier
        {
            var keyword = current.text
            if keyword == "all" { keyword = "forall" }
            advance()
            let name = try identifier("bound variable")
            var type: SemanticType?
            if accept(":") { type = try parseAtomicType() }
            var domain: Expression?
            if acceptKeyword("in") { domain = try parseOr() }
            try expect(".", "after the quantifier")
            let body = try parseExpression()
            return Expression(.quantifier(keyword, Binder(name: name.value, type: type), domain, body), at: start)
        }
        if acceptKeyword("let") {
            let name = try identifier("let-bound variable")
            try expect("=")
            let saved = inhibitsIn
            inhibitsIn = true
            let value = try parseExpression()
            inhibitsIn = saved
            try expectKeyword("in")
            return Expression(.letIn(name.value, value, try parseExpression()), at: start)
        }
        if acceptKeyword("if") {
            let condition = try parseExpression()
            try expectKeyword("then")
            let then = try parseExpression()
            try expectKeyword("else")
            return Expression(.conditional(condition, then, try parseExpression()), at: start)
        }
        return try parseEquivalence()
    }

    mutating func parseEquivalence() throws(GrammarError) -> Expression {
        var left = try parseImplication()
        while isSymbol("<->") {
            let location = here
            advance()
            left = try limited(Expression(.binary("<->", left, try parseImplication()), at: location))
        }
        return left
    }

    mutating func parseImplication() throws(GrammarError) -> Expression {
        let left = try parseOr()
        if isSymbol("->") {
            let location = here
            advance()
            try enterNesting()
            defer { nesting -= 1 }
            let right = try parseImplicationOrBinder()
            return Expression(.binary("->", left, right), at: location)
        }
        return left
    }

    /// The right side of `->` may itself start a binder (`P(x) -> exists y. Q(y)`).
    mutating func parseImplicationOrBinder() throws(GrammarError) -> Expression {
        if isSymbol("\\") || isKeyword("let") || isKeyword("if")
            || (current.kind == .identifier && Self.binderKeywords.contains(current.text) && next.kind == .identifier)
        {
            return try parseExpression()
        }
        return try parseImplication()
    }

    mutating func parseOr() throws(GrammarError) -> Expression {
        var left = try parseAnd()
        while isSymbol("||") || isKeyword("or") {
            let location = here
            advance()
            left = try limited(Expression(.binary("||", left, try parseAndOrBinder()), at: location))
        }
        return left
    }

    mutating func parseAndOrBinder() throws(GrammarError) -> Expression {
        if isSymbol("\\")
            || (current.kind == .identifier && Self.binderKeywords.contains(current.text)
                && next.kind == .identifier)
        {
            return try parseExpression()
        }
        return try parseAnd()
    }

    mutating func parseAnd() throws(GrammarError) -> Expression {
        var left = try parseNot()
        while isSymbol("&&") || isSymbol("&") || isKeyword("and") {
            let location = here
            advance()
            let right: Expression
            if isSymbol("\\")
                || (current.kind == .identifier && Self.binderKeywords.contains(current.text)
                    && next.kind == .identifier)
            {
                right = try parseExpression()
            } else {
                right = try parseNot()
            }
            left = try limited(Expression(.binary("&&", left, right), at: location))
        }
        return left
    }

    mutating func parseNot() throws(GrammarError) -> Expression {
        let location = here
        if accept("!") || acceptKeyword("not") {
            try enterNesting()
            defer { nesting -= 1 }
            if current.kind == .identifier && Self.binderKeywords.contains(current.text) && next.kind == .identifier {
                return Expression(.unary("!", try parseExpression()), at: location)
            }
            return Expression(.unary("!", try parseNot()), at: location)
        }
        return try parseComparison()
    }

    static let comparisonOperators: Set<String> = ["==", "!=", "<", "<=", ">", ">="]

    mutating func parseComparison() throws(GrammarError) -> Expression {
        let left = try parseAdditive()
        let location = here
        if current.kind == .symbol, Self.comparisonOperators.contains(current.text) {
            let op = current.text
            advance()
            return Expression(.binary(op, left, try parseAdditive()), at: location)
        }
        if (isKeyword("in") && !inhibitsIn) || isKeyword("subset") {
            let op = current.text
            advance()
            return Expression(.binary(op, left, try parseAdditive()), at: location)
        }
        return left
    }

    mutating func parseAdditive() throws(GrammarError) -> Expression {
        var left = try parseMultiplicative()
        while true {
            let location = here
            if isSymbol("+") || isSymbol("-") || isSymbol("++") || isKeyword("union") || isKeyword("minus") {
                let op = current.text
                advance()
                left = try limited(Expression(.binary(op, left, try parseMultiplicative()), at: location))
            } else {
                return left
            }
        }
    }

    mutating func parseMultiplicative() throws(GrammarError) -> Expression {
        var left = try parseUnary()
        while true {
            let location = here
            if isSymbol("*") || isSymbol("/") || isKeyword("mod") || isKeyword("inter") {
                let op = current.text
                advance()
                left = try limited(Expression(.binary(op, left, try parseUnary()), at: location))
            } else {
                return left
            }
        }
    }

    mutating func parseUnary() throws(GrammarError) -> Expression {
        let location = here
        if isSymbol("-") || isSymbol("^") {
            let op = current.text
            advance()
            try enterNesting()
            defer { nesting -= 1 }
            return Expression(.unary(op, try parseUnary()), at: location)
        }
        var expression = try parsePostfix()
        while isKeyword("at") {
            let atLocation = here
            advance()
            expression = try limited(Expression(.at(expression, try parsePostfix()), at: atLocation))
        }
        return expression
    }

    /// `.` is field access only when written without spaces on both sides (`ctx.dom`, `v.1`); a spaced `.` ends a
    /// binder (`forall x in S. φ`).
    var isAdjacentDot: Bool {
        guard isSymbol("."), position > 0 else { return false }
        let previous = tokens[position - 1]
        let dot = current
        let after = next
        let previousEnd = previous.column + previous.text.unicodeScalars.count + (previous.kind == .string ? 2 : 0)
        return previous.line == dot.line && previousEnd == dot.column && after.line == dot.line
            && after.column == dot.column + 1 && (after.kind == .identifier || after.kind == .integer)
    }

    mutating func parsePostfix() throws(GrammarError) -> Expression {
        var expression = try parsePrimary()
        while true {
            let location = here
            if isSymbol("("), position > 0, tokens[position - 1].line == current.line {
                advance()
                var arguments: [Expression] = []
                if !isSymbol(")") {
                    repeat { arguments.append(try parseExpression()) } while accept(",")
                }
                try expect(")")
                expression = try limited(Expression(.application(expression, arguments), at: location))
            } else if isAdjacentDot {
                advance()
                if current.kind == .integer, let index = Int(current.text) {
                    advance()
                    expression = try limited(Expression(.projection(expression, index), at: location))
                } else {
                    let name = try identifier("field name")
                    expression = try limited(Expression(.field(expression, name.value), at: location))
                }
            } else {
                return expression
            }
        }
    }

    mutating func parsePrimary() throws(GrammarError) -> Expression {
        let location = here
        switch current.kind {
        case .integer:
            guard let value = Int(current.text) else { throw error("integer literal too large") }
            advance()
            return Expression(.integer(value), at: location)
        case .string:
            let text = current.text
            advance()
            return Expression(.string(text), at: location)
        case .identifier:
            let name = current.text
            switch name {
            case "true":
                advance()
                return Expression(.boolean(true), at: location)
            case "false":
                advance()
                return Expression(.boolean(false), at: location)
            case "ctx":
                advance()
                return Expression(.currentContext, at: location)
            case "in", "then", "else", "at", "mod", "union", "inter", "minus", "subset", "when", "requires":
                throw error("expected an expression but found keyword '\(name)'")
            default:
                advance()
                return Expression(.name(name), at: location)
            }
        case .symbol:
            if accept("@") { return Expression(.currentWorld, at: location) }
            if accept("(") {
                let saved = inhibitsIn
                inhibitsIn = false
                defer { inhibitsIn = saved }
                let first = try parseExpression()
                if accept(",") {
                    var components = [first]
                    repeat { components.append(try parseExpression()) } while accept(",")
                    try expect(")")
                    return Expression(.tuple(components), at: location)
                }
                try expect(")")
                return first
            }
            if accept("[") {
                let saved = inhibitsIn
                inhibitsIn = false
                defer { inhibitsIn = saved }
                var elements: [Expression] = []
                if !isSymbol("]") {
                    repeat { elements.append(try parseExpression()) } while accept(",")
                }
                try expect("]")
                return Expression(.sequenceLiteral(elements), at: location)
            }
            if accept("{") {
                let saved = inhibitsIn
                inhibitsIn = false
                defer { inhibitsIn = saved }
                return try parseBraced(at: location)
            }
            if isSymbol("\\") { return try parseExpression() }
            throw error("expected an expression but found '\(current.text)'")
        case .endOfFile:
            throw error("expected an expression but found end of file")
        }
    }

    /// `{}`, `{a, b}`, `{x in S | φ}`, `{k: v, …}`.
    mutating func parseBraced(at location: SourceLocation) throws(GrammarError) -> Expression {
        if accept("}") { return Expression(.setLiteral([]), at: location) }
        // Comprehension: identifier `in` … `|`.
        if current.kind == .identifier, next.kind == .identifier, next.text == "in" {
            let save = position
            let name = current.text
            advance()
            advance()
            let domain = try parseOr()
            if accept("|") {
                let condition = try parseExpression()
                try expect("}")
                return Expression(.comprehension(Binder(name: name), domain, condition), at: location)
            }
            position = save
        }
        let first = try parseExpression()
        if accept(":") {
            var pairs = [(first, try parseExpression())]
            while accept(",") {
                if isSymbol("}") { break }
                let key = try parseExpression()
                try expect(":")
                pairs.append((key, try parseExpression()))
            }
            try expect("}")
            return Expression(.mapLiteral(pairs), at: location)
        }
        var elements = [first]
        while accept(",") {
            if isSymbol("}") { break }
            elements.append(try parseExpression())
        }
        try expect("}")
        return Expression(.setLiteral(elements), at: location)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { index >= 0 && index < count ? self[index] : nil }
}
