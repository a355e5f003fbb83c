extension GrammarParser {
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
