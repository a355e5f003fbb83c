/// Imports NLTK feature grammars (`.fcfg`) with `SEM` λ-terms and NLTK valuations (`.val`,
/// `Valuation.fromstring` syntax) — the subset described in docs/compositionality.md.
///
/// Supported: `% start`, productions with alternatives, quoted terminals, features `NAME=value`, `+NAME`/`-NAME`,
/// shared feature variables `?n` (unification: unset values unify with anything), feature structures as values
/// (`AGR=[NUM=?n, PER=3]`, nested; a variable shared between structures, `AGR=?a`, shares all their leaves), `SEM=<logic>` templates over the
/// daughters' `?var`s, `SEM=?var` (identity), string semantics `SEM='…'` and `SEM=(?a + WORD + ?b)` (sql0.fcfg),
/// lexical productions (one entry per alternative). Category types are inferred jointly over the grammar; constants
/// missing from the valuation evaluate to "undefined", as NLTK's `Model.evaluate` reports them.
/// A category whose productions carry different semantic types gets one variant per type (`NP`, `NP#2`; see
/// docs/compositionality.md). Not supported (reported as errors at the construct): slash categories (`NP/NP` gaps),
/// Cooper storage and binding operators (`STORE`, `SEM=[CORE=…, BO=…]`), numbered reentrancy (`(1)`, `->(1)`), a
/// path used both as an atomic value and as a structure, SEM built from non-SEM features.
public enum NLTKImporter {
    /// Loads an NLTK grammar and (optionally) a valuation file into an interpreted grammar.
    public static func load(grammarPath: String, valuationPath: String?) throws -> InterpretedGrammar {
        let source = try readTextFile(grammarPath)
        var valuation: String?
        if let valuationPath { valuation = try readTextFile(valuationPath) }
        return try importGrammar(
            source: source, file: grammarPath, valuation: valuation, valuationFile: valuationPath ?? "")
    }

    /// Imports from text.
    public static func importGrammar(
        source: String, file: String, valuation: String? = nil, valuationFile: String = "<valuation>"
    )
        throws(GrammarErrors) -> InterpretedGrammar
    {
        var syntax = GrammarSyntax(file: file, source: source)
        syntax.name = file.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) } ?? "NLTK"
        var errors: [GrammarError] = []
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var ruleCount: [String: Int] = [:]
        var seen: Set<String> = []
        // A grammar without any SEM (a plain CFG such as NLTK's `.cfg` files) gets bracketed trees as meanings, so
        // parsing, generation and ambiguity reports work on it.
        let treeSemantics = !source.contains("SEM=") && !source.contains("sem=")
        for (number, raw) in lines.enumerated() {
            let lineNumber = number + 1
            let line = stripComment(raw)
            if line.trimming(" \t\r").isEmpty { continue }
            let trimmed = line.trimming(" \t\r")
            if trimmed.hasPrefix("%") {
                let parts = trimmed.dropFirst().split(separator: " ").map(String.init)
                if parts.count == 2 && parts[0] == "start" {
                    syntax.start = Located(parts[1], at: SourceLocation(file: file, line: lineNumber, column: 1))
                } else {
                    errors.append(
                        GrammarError(
                            "unsupported directive '\(trimmed)'",
                            at: SourceLocation(file: file, line: lineNumber, column: 1), sourceLine: raw))
                }
                continue
            }
            do throws(GrammarError) {
                try importProduction(
                    line, raw: raw, lineNumber: lineNumber, file: file, into: &syntax, ruleCount: &ruleCount,
                    seen: &seen, treeSemantics: treeSemantics)
            } catch {
                errors.append(error)
            }
        }
        if let valuation {
            do throws(GrammarError) {
                syntax.model.constants = try parseValuation(valuation, file: valuationFile)
            } catch {
                errors.append(error)
            }
        }
        if !errors.isEmpty { throw GrammarErrors(errors) }
        try expandStructureVariables(&syntax)
        let options = GrammarCompilerOptions(infersCategories: true, allowsUndefinedConstants: true)
        do throws(GrammarErrors) {
            return try GrammarLoader.compile(syntax, options: options)
        } catch {
            // NLTK does not type SEM: a category whose productions carry different semantic types (a relative
            // pronoun's NP beside ordinary NPs) gets one variant per type; what still fails is reported at the
            // production that conflicts.
            var splitting = options
            splitting.splitsCategoriesByType = true
            return try GrammarLoader.compile(syntax, options: splitting)
        }
    }

    static func stripComment(_ line: String) -> String {
        // `#` starts a comment outside quotes and angle brackets.
        var depth = 0
        var quote: Character?
        var out = ""
        for c in line {
            if depth > 0 {
                if c == ">" && !out.hasSuffix("-") { depth = 0 }
            } else if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "<" && opensLogic(Array(out) + [c], at: out.count) {
                depth = 1
            } else if c == "#" {
                break
            }
            out.append(c)
        }
        return out
    }

    /// Splits at a top-level separator (outside quotes, brackets and `<…>` logic).
    static func splitTopLevel(_ text: String, separator: String) -> [(String, Int)] {
        var parts: [(String, Int)] = []
        var current = ""
        var start = 0
        var depth = 0
        var angle = 0
        var quote: Character?
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == q { quote = nil }
                current.append(c)
                i += 1
                continue
            }
            if angle > 0 {
                // Inside `<logic>`: only its closing `>` matters (not the one of `->`).
                if c == ">" && !(i > 0 && chars[i - 1] == "-") { angle = 0 }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "[" || c == "(" {
                depth += 1
            } else if c == "]" || c == ")" {
                depth -= 1
            } else if c == "<" && Self.opensLogic(chars, at: i) {
                angle = 1
            }
            let sep = Array(separator)
            if depth == 0 && angle == 0 && i + sep.count <= chars.count && Array(chars[i..<(i + sep.count)]) == sep {
                parts.append((current, start))
                current = ""
                i += sep.count
                start = i
                continue
            }
            current.append(c)
            i += 1
        }
        parts.append((current, start))
        return parts
    }

    /// Whether the `<` at `index` opens a logic value (it follows `=`, possibly after spaces).
    static func opensLogic(_ chars: [Character], at index: Int) -> Bool {
        var k = index - 1
        while k >= 0 && chars[k] == " " { k -= 1 }
        return k >= 0 && chars[k] == "="
    }

    struct NLTKCategory {
        var name: String
        var features: [(name: String, value: FeatureValue)]
        var semantics: SemanticsValue?
        var column: Int
    }

    enum SemanticsValue {
        case variable(String)
        case logic(String, column: Int)
        case string(String)
        case concatenation([String])
    }

    static func importProduction(
        _ line: String, raw: String, lineNumber: Int, file: String, into syntax: inout GrammarSyntax,
        ruleCount: inout [String: Int], seen: inout Set<String>, treeSemantics: Bool = false
    ) throws(GrammarError) {
        let sides = splitTopLevel(line, separator: "->")
        func fail(_ message: String, _ column: Int = 1) -> GrammarError {
            GrammarError(message, at: SourceLocation(file: file, line: lineNumber, column: column), sourceLine: raw)
        }
        guard sides.count == 2 else { throw fail("expected 'LHS -> RHS'") }
        let mother = try parseCategory(sides[0].0, column: 1, lineNumber: lineNumber, file: file, raw: raw)
        let motherText = sides[0].0.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        for (alternative, offset) in splitTopLevel(sides[1].0, separator: "|") {
            // An identical production again adds no derivation (NLTK's chart has one edge per production).
            let normalized = alternative.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if !seen.insert(motherText + " -> " + normalized).inserted { continue }
            let items = try parseItems(
                alternative, column: sides[1].1 + offset + 1, lineNumber: lineNumber, file: file, raw: raw)
            if items.isEmpty { throw fail("empty right-hand side", sides[1].1 + offset + 1) }
            let location = SourceLocation(file: file, line: lineNumber, column: 1)
            let motherReference = CategoryReference(
                name: mother.name, features: mother.features, location: location)
            if items.allSatisfy({ if case .terminal = $0 { return true } else { return false } }) {
                let words = items.map { item -> String in
                    if case .terminal(let w) = item { return w }
                    return ""
                }
                // A variable that occurs once leaves its feature unspecified, as NLTK reads it; one shared between
                // two features of a word would constrain them to be equal, which a lexical entry cannot state.
                var occurrences: [String: Int] = [:]
                for case (_, .variable(let v)) in mother.features { occurrences[v, default: 0] += 1 }
                if let shared = occurrences.first(where: { $0.value > 1 })?.key {
                    throw fail("the variable ?\(shared) is shared between features of a lexical production")
                }
                var lexicalReference = motherReference
                lexicalReference.features.removeAll { if case .variable = $0.value { true } else { false } }
                var semantics = try semanticsExpression(
                    mother.semantics, daughters: [], location: location, lineNumber: lineNumber, file: file, raw: raw)
                if treeSemantics {
                    semantics = Expression(
                        .sequenceLiteral(words.map { Expression(.string($0), at: location) }), at: location)
                }
                syntax.lexicon.append(
                    LexicalDeclaration(
                        form: Located(words.joined(separator: " "), at: location), category: lexicalReference,
                        semantics: semantics ?? Expression(.boolean(true), at: location)))
                continue
            }
            var ruleItems: [RuleItem] = []
            var daughterLabels: [String] = []
            for (i, item) in items.enumerated() {
                switch item {
                case .terminal(let w): ruleItems.append(.token(w, location))
                case .category(let c):
                    var label = "_\(i + 1)"
                    if case .variable(let v)? = c.semantics { label = "?" + v }
                    if case .logic? = c.semantics { throw fail("a daughter's SEM must be a ?variable", c.column) }
                    daughterLabels.append(label)
                    ruleItems.append(
                        .daughter(
                            label: label,
                            category: CategoryReference(name: c.name, features: c.features, location: location)))
                }
            }
            let count = (ruleCount[mother.name] ?? 0) + 1
            ruleCount[mother.name] = count
            var semantics = try semanticsExpression(
                mother.semantics, daughters: daughterLabels, location: location, lineNumber: lineNumber, file: file,
                raw: raw)
            if treeSemantics {
                // ["(", "NP"] ++ daughter 1 ++ … ++ [")"]: the bracketed derivation.
                func strings(_ words: [String]) -> Expression {
                    Expression(.sequenceLiteral(words.map { Expression(.string($0), at: location) }), at: location)
                }
                var tree = strings(["(", mother.name])
                for item in ruleItems {
                    switch item {
                    case .token(let w, _): tree = Expression(.binary("++", tree, strings([w])), at: location)
                    case .daughter(let label, _):
                        let name = Expression(.name(label ?? ""), at: location)
                        tree = Expression(.binary("++", tree, name), at: location)
                    }
                }
                semantics = Expression(.binary("++", tree, strings([")"])), at: location)
            }
            syntax.rules.append(
                RuleDeclaration(
                    name: Located("\(mother.name)_\(count)", at: location), mother: motherReference, items: ruleItems,
                    condition: nil, requirement: nil, semantics: semantics, form: nil))
        }
    }

    enum Item {
        case terminal(String)
        case category(NLTKCategory)
    }

    static func parseItems(_ text: String, column: Int, lineNumber: Int, file: String, raw: String)
        throws(GrammarError) -> [Item]
    {
        var items: [Item] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\r" {
                i += 1
                continue
            }
            if c == "'" || c == "\"" {
                var j = i + 1
                var word = ""
                while j < chars.count && chars[j] != c {
                    word.append(chars[j])
                    j += 1
                }
                items.append(.terminal(word))
                i = j + 1
                continue
            }
            // A category: name then optional [ … ] (matching brackets, skipping <…> and quotes).
            var j = i
            var depth = 0
            var angle = 0
            var quote: Character?
            while j < chars.count {
                let d = chars[j]
                if angle > 0 {
                    if d == ">" && chars[j - 1] != "-" { angle = 0 }
                } else if let q = quote {
                    if d == q { quote = nil }
                } else if d == "'" || d == "\"" {
                    if depth > 0 { quote = d }
                } else if d == "[" {
                    depth += 1
                } else if d == "]" {
                    depth -= 1
                    if depth == 0 {
                        j += 1
                        break
                    }
                } else if d == "<" && Self.opensLogic(chars, at: j) {
                    angle = 1
                } else if (d == " " || d == "\t") && depth == 0 {
                    break
                }
                j += 1
            }
            items.append(
                .category(
                    try parseCategory(
                        String(chars[i..<j]), column: column + i, lineNumber: lineNumber, file: file, raw: raw)))
            i = j
        }
        return items
    }

    static func parseCategory(_ text: String, column: Int, lineNumber: Int, file: String, raw: String)
        throws(GrammarError) -> NLTKCategory
    {
        let trimmedText = text.trimming(" \t\r")
        let leading = text.prefix { $0 == " " || $0 == "\t" }.count
        func fail(_ message: String) -> GrammarError {
            GrammarError(
                message, at: SourceLocation(file: file, line: lineNumber, column: column + leading), sourceLine: raw)
        }
        guard let open = trimmedText.firstIndex(of: "[") else {
            if trimmedText.contains("/") { throw fail("slash categories (gaps) are not supported") }
            return NLTKCategory(name: trimmedText, features: [], semantics: nil, column: column + leading)
        }
        let name = String(trimmedText[..<open]).trimming(" ")
        if name.contains("/") { throw fail("slash categories (gaps) are not supported") }
        guard trimmedText.hasSuffix("]") else { throw fail("unclosed '[' in category") }
        let body = String(trimmedText[trimmedText.index(after: open)..<trimmedText.index(before: trimmedText.endIndex)])
        let bodyColumn = column + leading + trimmedText.distance(from: trimmedText.startIndex, to: open) + 1
        var category = NLTKCategory(name: name, features: [], semantics: nil, column: column + leading)
        for (part, offset) in splitTopLevel(body, separator: ",") {
            let feature = part.trimming(" \t")
            if feature.isEmpty { continue }
            let featureColumn = bodyColumn + offset + (part.prefix { $0 == " " }.count)
            if feature.hasPrefix("+") || feature.hasPrefix("-") {
                category.features.append((String(feature.dropFirst()), .constant(String(feature.first!))))
                continue
            }
            guard let eq = feature.firstIndex(of: "=") else { throw fail("expected NAME=value in '\(feature)'") }
            let key = feature[..<eq].trimming(" ")
            var value = feature[feature.index(after: eq)...].trimming(" ")
            let valueColumn =
                featureColumn + feature.distance(from: feature.startIndex, to: eq) + 1
                + (feature[feature.index(after: eq)...].prefix { $0 == " " }.count)
            func failHere(_ message: String) -> GrammarError {
                GrammarError(
                    message, at: SourceLocation(file: file, line: lineNumber, column: featureColumn), sourceLine: raw)
            }
            if key == "STORE" {
                throw failHere(
                    "Cooper storage (STORE) is not supported: a stored quantifier makes the meaning a set of readings retrieved outside the rules, not a homomorphism over the derivation"
                )
            }
            if key == "SEM" || key == "sem" {
                if value.hasPrefix("[") {
                    // SEM=[CORE=…, STORE=…] (Cooper storage) or SEM=[BO=…, CORE=…] (binding operators).
                    var at = 0
                    for name in ["BO", "STORE"] {
                        for (part, offset) in splitTopLevel(String(value.dropFirst().dropLast()), separator: ",")
                        where part.trimming(" \t").hasPrefix(name + "=") {
                            at = 1 + offset + part.prefix { $0 == " " }.count
                            break
                        }
                        if at > 0 { break }
                    }
                    let column = valueColumn + at
                    throw GrammarError(
                        at > 0
                            ? "binding operators (SEM=[CORE=…, BO=…] or STORE=…, NLTK's Cooper storage) are not supported: a phrase's meaning would be a core with a store of quantifiers that are retrieved after parsing, in every order, so it is not a function of its parts' meanings alone; write the quantifiers into the SEM terms instead"
                            : "a feature structure as SEM is not supported: SEM must be a <logic> term, a ?variable or a string",
                        at: SourceLocation(file: file, line: lineNumber, column: column), sourceLine: raw)
                }
                if value.hasPrefix("?") {
                    category.semantics = .variable(String(value.dropFirst()))
                } else if value.hasPrefix("<") && value.hasSuffix(">") {
                    category.semantics = .logic(String(value.dropFirst().dropLast()), column: valueColumn + 1)
                } else if value.hasPrefix("'") && value.hasSuffix("'") || value.hasPrefix("\"") && value.hasSuffix("\"")
                {
                    category.semantics = .string(String(value.dropFirst().dropLast()))
                } else if value.hasPrefix("(") && value.hasSuffix(")") {
                    category.semantics = .concatenation(
                        value.dropFirst().dropLast().split(separator: "+").map { $0.trimming(" ") })
                } else {
                    category.semantics = .logic(value, column: valueColumn)
                }
                continue
            }
            if value.hasPrefix("(") || value.hasPrefix("->") {
                throw failHere(
                    "numbered reentrancy (\(key)=(1)… or ->(1)) is not supported: share a ?variable between the two places instead"
                )
            }
            if value.hasPrefix("[") {
                // A feature structure as the value: its leaves become path features (`AGR.NUM`).
                category.features += try flattenStructure(
                    value, path: key, column: valueColumn, depth: 1, lineNumber: lineNumber, file: file, raw: raw)
                continue
            }
            if value.hasPrefix("?") {
                value.removeFirst()
                category.features.append((key, .variable(value)))
            } else {
                category.features.append((key, .constant(value)))
            }
        }
        return category
    }

    /// The deepest feature structure nested as a value (deeper ones are reported, never a stack overflow).
    static let maximumStructureDepth = 32

    /// The leaves of the feature structure `text` (`[F=v, +G, H=[…]]`) as path features under `path`
    /// (`AGR=[NUM=?n, PER=3]` → `AGR.NUM=?n`, `AGR.PER=3`). Paths are joined with `.`, which no NLTK feature name
    /// contains; `column` is where `text` starts on the line.
    static func flattenStructure(
        _ text: String, path: String, column: Int, depth: Int, lineNumber: Int, file: String, raw: String
    ) throws(GrammarError) -> [(name: String, value: FeatureValue)] {
        func fail(_ message: String, _ at: Int) -> GrammarError {
            GrammarError(message, at: SourceLocation(file: file, line: lineNumber, column: at), sourceLine: raw)
        }
        guard depth <= maximumStructureDepth else {
            throw fail("feature structures nested deeper than \(maximumStructureDepth) levels", column)
        }
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count >= 2 else {
            throw fail("unclosed '[' in the value of \(path)", column)
        }
        let body = String(text.dropFirst().dropLast())
        var leaves: [(name: String, value: FeatureValue)] = []
        for (part, offset) in splitTopLevel(body, separator: ",") {
            let feature = part.trimming(" \t")
            if feature.isEmpty { continue }
            let featureColumn = column + 1 + offset + part.prefix { $0 == " " || $0 == "\t" }.count
            if let sign = feature.first, sign == "+" || sign == "-" {
                let name = String(feature.dropFirst()).trimming(" \t")
                guard !name.isEmpty, !name.contains("=") else { throw fail("expected +NAME or -NAME", featureColumn) }
                leaves.append((path + "." + name, .constant(String(sign))))
                continue
            }
            guard let eq = feature.firstIndex(of: "=") else {
                throw fail("expected NAME=value in '\(feature)'", featureColumn)
            }
            let key = feature[..<eq].trimming(" \t")
            let value = feature[feature.index(after: eq)...].trimming(" \t")
            let valueColumn =
                featureColumn + feature.distance(from: feature.startIndex, to: eq) + 1
                + feature[feature.index(after: eq)...].prefix { $0 == " " || $0 == "\t" }.count
            if key.isEmpty { throw fail("a feature needs a name", featureColumn) }
            if key.contains(".") { throw fail("'.' in the feature name '\(key)'", featureColumn) }
            if key == "SEM" || key == "sem" || key == "STORE" {
                throw fail("\(key) inside a nested feature structure is not supported", featureColumn)
            }
            if value.isEmpty { throw fail("\(key) has no value", valueColumn) }
            if value.hasPrefix("(") || value.hasPrefix("->") {
                throw fail(
                    "numbered reentrancy (\(key)=(1)… or ->(1)) is not supported: share a ?variable between the two places instead",
                    valueColumn)
            }
            if value.hasPrefix("[") {
                leaves += try flattenStructure(
                    value, path: path + "." + key, column: valueColumn, depth: depth + 1, lineNumber: lineNumber,
                    file: file, raw: raw)
            } else if value.hasPrefix("?") {
                leaves.append((path + "." + key, .variable(String(value.dropFirst()))))
            } else {
                leaves.append((path + "." + key, .constant(value)))
            }
        }
        return leaves
    }

    /// Expands variables that stand for whole feature structures: where the grammar gives a feature path
    /// structured values (`AGR=[NUM=…]`), `AGR=?a` becomes one variable per leaf path below it (`AGR.NUM=?a.NUM`,
    /// …), so sharing `?a` shares every leaf, the reentrancy of unification (Shieber 1986, *An Introduction to
    /// Unification-Based Approaches to Grammar*). A path used both as an atomic value and as a structure is
    /// reported at the atomic use (NLTK's unification of the two always fails).
    static func expandStructureVariables(_ syntax: inout GrammarSyntax) throws(GrammarErrors) {
        var references: [CategoryReference] = syntax.lexicon.map(\.category)
        for rule in syntax.rules {
            references.append(rule.mother)
            for case .daughter(_, let reference) in rule.items { references.append(reference) }
        }
        // Leaf paths below every structured path, in order of first appearance.
        var leavesBelow: [String: [String]] = [:]
        for reference in references {
            for (name, _) in reference.features where name.contains(".") {
                var prefix = ""
                for component in name.split(separator: ".").dropLast() {
                    prefix += prefix.isEmpty ? String(component) : "." + component
                    let rest = String(name.dropFirst(prefix.count + 1))
                    if !(leavesBelow[prefix]?.contains(rest) ?? false) { leavesBelow[prefix, default: []].append(rest) }
                }
            }
        }
        guard !leavesBelow.isEmpty else { return }
        var errors: [GrammarError] = []
        func expand(_ reference: inout CategoryReference) {
            var features: [(name: String, value: FeatureValue)] = []
            for (name, value) in reference.features {
                guard let leaves = leavesBelow[name] else {
                    features.append((name, value))
                    continue
                }
                switch value {
                case .variable(let v):
                    for leaf in leaves { features.append((name + "." + leaf, .variable(v + "." + leaf))) }
                case .constant(let c):
                    errors.append(
                        GrammarError(
                            "\(name)=\(c) is an atomic value, but elsewhere \(name) is a feature structure ([\(leaves.joined(separator: ", "))]); NLTK never unifies the two",
                            at: reference.location))
                }
            }
            reference.features = features
        }
        for index in syntax.lexicon.indices { expand(&syntax.lexicon[index].category) }
        for index in syntax.rules.indices {
            expand(&syntax.rules[index].mother)
            syntax.rules[index].items = syntax.rules[index].items.map { item in
                guard case .daughter(let label, var reference) = item else { return item }
                expand(&reference)
                return .daughter(label: label, category: reference)
            }
        }
        if !errors.isEmpty { throw GrammarErrors(errors) }
    }

    static func semanticsExpression(
        _ semantics: SemanticsValue?, daughters: [String], location: SourceLocation, lineNumber: Int, file: String,
        raw: String
    ) throws(GrammarError) -> Expression? {
        guard let semantics else { return nil }
        switch semantics {
        case .variable(let v):
            guard daughters.contains("?" + v) else {
                throw GrammarError("?\(v) is not the SEM of a daughter", at: location, sourceLine: raw)
            }
            return Expression(.name("?" + v), at: location)
        case .logic(let text, let column):
            let expression = try NLTKLogicParser.parse(
                text, file: file, line: lineNumber, column: column, sourceLine: raw)
            for (name, at) in expression.nameOccurrences where name.hasPrefix("?") && !daughters.contains(name) {
                throw GrammarError(
                    "\(name) is not the SEM of a daughter (daughters: \(daughters.filter { $0.hasPrefix("?") }.joined(separator: ", ")))",
                    at: at, sourceLine: raw)
            }
            return expression
        case .string(let s):
            return Expression(.sequenceLiteral(s.isEmpty ? [] : [Expression(.string(s), at: location)]), at: location)
        case .concatenation(let parts):
            var result: Expression?
            for part in parts {
                let piece: Expression
                if part.hasPrefix("?") {
                    guard daughters.contains(part) else {
                        throw GrammarError("\(part) is not the SEM of a daughter", at: location, sourceLine: raw)
                    }
                    piece = Expression(.name(part), at: location)
                } else {
                    let word = part.trimming(CharacterSetLike.quotes)
                    piece = Expression(.sequenceLiteral([Expression(.string(word), at: location)]), at: location)
                }
                result = result.map { Expression(.binary("++", $0, piece), at: location) } ?? piece
            }
            return result
        }
    }

    /// `name => value` lines (`Valuation.fromstring`): entities, sets of entities, sets of tuples.
    static func parseValuation(_ text: String, file: String) throws(GrammarError) -> [ConstantDeclaration] {
        var constants: [ConstantDeclaration] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimming(" \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let location = SourceLocation(file: file, line: number + 1, column: 1)
            let parts = line.splitting(at: "=>")
            guard parts.count == 2 else {
                throw GrammarError("expected 'name => value'", at: location, sourceLine: String(raw))
            }
            let name = parts[0].trimming(" ")
            let value = parts[1].trimming(" ")
            let expression: Expression
            if value.hasPrefix("{") {
                guard value.hasSuffix("}") else {
                    throw GrammarError("unclosed '{'", at: location, sourceLine: String(raw))
                }
                let inner = String(value.dropFirst().dropLast())
                var elements: [Expression] = []
                for (item, _) in splitTopLevel(inner, separator: ",") {
                    let element = item.trimming(" ")
                    if element.isEmpty { continue }
                    if element.hasPrefix("(") {
                        let names = element.dropFirst().dropLast().split(separator: ",").map {
                            Expression(.name($0.trimming(" ")), at: location)
                        }
                        elements.append(Expression(.tuple(names), at: location))
                    } else {
                        elements.append(Expression(.name(element), at: location))
                    }
                }
                expression = Expression(.setLiteral(elements), at: location)
            } else {
                expression = Expression(.name(value), at: location)
            }
            constants.append(ConstantDeclaration(name: Located(name, at: location), type: nil, value: expression))
        }
        return constants
    }
}

/// Characters trimmed from bare words in string semantics.
enum CharacterSetLike {
    static let quotes = "'\""
}

extension StringProtocol {
    /// The string without leading and trailing characters from `characters`.
    func trimming(_ characters: String) -> String {
        let set = Set(characters)
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }

    /// The pieces between occurrences of `separator`.
    func splitting(at separator: String) -> [String] {
        let chars = Array(self)
        let sep = Array(separator)
        var parts: [String] = []
        var current = ""
        var i = 0
        while i < chars.count {
            if i + sep.count <= chars.count && Array(chars[i..<(i + sep.count)]) == sep {
                parts.append(current)
                current = ""
                i += sep.count
            } else {
                current.append(chars[i])
                i += 1
            }
        }
        parts.append(current)
        return parts
    }
}
