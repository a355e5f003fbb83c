extension GrammarParser {
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

    /// One top-level declaration, dispatched on its keyword; each `parse…Declaration` starts at the keyword.
    mutating func parseTopLevel(into syntax: inout GrammarSyntax) throws(GrammarError) {
        guard current.kind == .identifier else { throw error("expected a declaration but found '\(current.text)'") }
        switch current.text {
        case "grammar": try parseGrammarDeclaration(into: &syntax)
        case "start": try parseStartDeclaration(into: &syntax)
        case "model": try parseModelDeclaration(into: &syntax)
        case "contexts": try parseContextsDeclaration(into: &syntax)
        case "param": try parseParameterDeclaration(into: &syntax)
        case "cat": try parseCategoryDeclarations(into: &syntax)
        case "lexicon": try parseLexiconDeclaration(into: &syntax)
        case "rules": try parseRulesDeclaration(into: &syntax)
        case "overrides": try parseOverridesDeclaration(into: &syntax)
        case "meaning": try parseMeaningDeclaration(into: &syntax)
        case "project": try parseProjectionDeclaration(into: &syntax)
        case "enumerate": try parseEnumerateDeclaration(into: &syntax)
        case "check": try parseCheckDeclaration(into: &syntax)
        case "linguistic": try parseLinguisticDeclaration(into: &syntax)
        case "weights": try parseWeightsDeclaration(into: &syntax)
        default: throw error("unknown declaration '\(current.text)'")
        }
    }

    /// `grammar Name;`
    mutating func parseGrammarDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        syntax.name = try identifier("grammar name").value
        try expect(";")
    }

    /// `start Category;`
    mutating func parseStartDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        syntax.start = try identifier("start category")
        try expect(";")
    }

    /// `model { … }`
    mutating func parseModelDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        try parseModel(into: &syntax.model)
    }

    /// `contexts { … }`
    mutating func parseContextsDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        try parseContexts(into: &syntax.contexts)
    }

    /// `param Type = A | B | …;`
    mutating func parseParameterDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        let name = try identifier("parameter type name")
        try expect("=")
        var constructors = [try identifier("parameter value").value]
        while accept("|") { constructors.append(try identifier("parameter value").value) }
        try expect(";")
        syntax.parameters.append((name, constructors))
    }

    /// `cat` followed by category declarations up to the next top-level keyword.
    mutating func parseCategoryDeclarations(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        repeat {
            syntax.categories.append(try parseCategoryDeclaration())
        } while current.kind == .identifier && !isTopLevelKeyword(current.text)
    }

    /// `lexicon { "form" : Category = meaning; … }`
    mutating func parseLexiconDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in syntax.lexicon.append(try p.parseLexicalEntry()) }
        }
        try expect("}")
    }

    /// `rules { … }`
    mutating func parseRulesDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in syntax.rules.append(try p.parseRule()) }
        }
        try expect("}")
    }

    /// `overrides { … }`
    mutating func parseOverridesDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        try expect("{")
        while !isSymbol("}") && current.kind != .endOfFile {
            attempt { p throws(GrammarError) in syntax.overrides.append(try p.parseOverride()) }
        }
        try expect("}")
    }

    /// `meaning = level;`, `meaning lexical = level;` or `meaning Category = level;`
    mutating func parseMeaningDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
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
    }

    /// `project Category = expression;`
    mutating func parseProjectionDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        let category = try identifier("category")
        try expect("=")
        syntax.projections.append((category, try parseExpression()))
        try expect(";")
    }

    /// `enumerate { bound = n; … }`
    mutating func parseEnumerateDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
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
    }

    /// `check { notion; notion(argument); notion from Category; … }`
    mutating func parseCheckDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
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
    }

    /// `linguistic { … }`
    mutating func parseLinguisticDeclaration(into syntax: inout GrammarSyntax) throws(GrammarError) {
        advance()
        syntax.linguistic = try parseLinguistic()
    }

    func isTopLevelKeyword(_ text: String) -> Bool {
        [
            "grammar", "start", "model", "contexts", "param", "cat", "lexicon", "rules", "overrides", "meaning",
            "project", "enumerate", "check", "linguistic", "weights",
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
}
