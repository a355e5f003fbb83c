/// Options for compiling a grammar.
public struct GrammarCompilerOptions: Sendable {
    /// Infer category types (and accept undeclared categories) instead of requiring `cat` declarations.
    public var infersCategories = false
    /// Let meanings use constants the model does not define; they evaluate to "undefined" (NLTK behaviour).
    public var allowsUndefinedConstants = false
    /// Give a category one variant per semantic type its productions need (`NP`, `NP#2`, …) instead of rejecting
    /// productions whose types differ (NLTK grammars, which are untyped); needs `infersCategories`.
    public var splitsCategoriesByType = false

    /// Default options for `.mont` files: everything declared.
    public init(infersCategories: Bool = false, allowsUndefinedConstants: Bool = false) {
        self.infersCategories = infersCategories
        self.allowsUndefinedConstants = allowsUndefinedConstants
    }
}

/// Loads `.mont` grammars: parse, resolve names, type-check, build the finite model and compile the rules.
public enum GrammarLoader {
    /// Reads and compiles the grammar at `path` (`.mont`, or NLTK `.fcfg` with an optional `.val` beside it).
    public static func load(path: String, valuation: String? = nil) throws -> InterpretedGrammar {
        if path.hasSuffix(".fcfg") || path.hasSuffix(".cfg") {
            return try NLTKImporter.load(grammarPath: path, valuationPath: valuation)
        }
        if let valuation {
            _ = try readTextFile(valuation)
            throw GrammarError(
                "a valuation applies to NLTK .fcfg grammars only; a .mont grammar declares its model in 'model { }'",
                at: SourceLocation(file: valuation, line: 1, column: 1))
        }
        let source = try readTextFile(path)
        return try compile(source: source, file: path)
    }

    /// Compiles `.mont` source text; `file` labels diagnostics.
    public static func compile(source: String, file: String = "<string>", options: GrammarCompilerOptions = .init())
        throws(GrammarErrors) -> InterpretedGrammar
    {
        let syntax = try GrammarParser.parse(source, file: file)
        return try compile(syntax, options: options)
    }

    /// Compiles parsed syntax.
    public static func compile(_ syntax: GrammarSyntax, options: GrammarCompilerOptions = .init())
        throws(GrammarErrors) -> InterpretedGrammar
    {
        var compiler = GrammarCompiler(syntax: syntax, options: options)
        let grammar = compiler.run()
        if !compiler.errors.isEmpty || grammar == nil {
            throw GrammarErrors(
                compiler.errors.sorted {
                    ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
                })
        }
        return grammar!
    }
}

/// Reads a UTF-8 text file, throwing a ``GrammarError`` at `path:1:1` if it cannot be read.
func readTextFile(_ path: String) throws(GrammarError) -> String {
    guard let file = fopen(path, "rb") else {
        throw GrammarError("cannot open file", at: SourceLocation(file: path, line: 1, column: 1))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    if ferror(file) != 0 {
        // fopen succeeds on a directory on Linux; the read is what fails (EISDIR).
        let reason = String(cString: strerror(errno))
        throw GrammarError("cannot read file: \(reason)", at: SourceLocation(file: path, line: 1, column: 1))
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw GrammarError("file is not valid UTF-8", at: SourceLocation(file: path, line: 1, column: 1))
    }
    return text
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct GrammarCompiler {
    let syntax: GrammarSyntax
    let options: GrammarCompilerOptions
    let lines: [String]
    var errors: [GrammarError] = []
    var symbols = SymbolTable()
    let inference = TypeInference()
    var model: FiniteModel!
    var categories: [(name: String, features: [(name: String, type: String)], type: SemanticType)] = []
    var categoryIndex: [String: Int] = [:]

    init(syntax: GrammarSyntax, options: GrammarCompilerOptions) {
        self.syntax = syntax
        self.options = options
        self.lines = syntax.source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        symbols.allowUndefinedConstants = options.allowsUndefinedConstants
    }

    func error(_ message: String, _ location: SourceLocation) -> GrammarError {
        GrammarError(message, at: location, sourceLine: lines[safe: location.line - 1])
    }

    var fileStart: SourceLocation { SourceLocation(file: syntax.file, line: 1, column: 1) }

    func makeExpressionCompiler() -> ExpressionCompiler {
        let model = self.model!
        return ExpressionCompiler(
            symbols: symbols, inference: inference, lines: lines, lambdaIDs: { model.freshLambdaID() })
    }

    // MARK: - Driver

    mutating func run() -> InterpretedGrammar? {
        buildUniverse()
        compileConstants()
        compileContextValues()
        declareCategories()
        var operations: [PendingOperation] = []
        if options.splitsCategoriesByType && options.infersCategories {
            operations = compileSplittingByType()
        }
        for entry in syntax.lexicon where !(options.splitsCategoriesByType && options.infersCategories) {
            do throws(GrammarError) { operations.append(try compileLexicalEntry(entry, index: operations.count)) } catch
            {
                errors.append(error)
            }
        }
        for rule in syntax.rules where !(options.splitsCategoriesByType && options.infersCategories) {
            if operations.contains(where: { $0.name == rule.name.value && !$0.isLexical }) {
                errors.append(error("duplicate rule name '\(rule.name.value)'", rule.name.location))
                continue
            }
            do throws(GrammarError) { operations.append(try compileRule(rule, index: operations.count)) } catch {
                errors.append(error)
            }
        }
        if syntax.lexicon.isEmpty && syntax.rules.isEmpty {
            errors.append(
                GrammarError(
                    "the grammar has no lexical entries and no rules",
                    at: SourceLocation(file: syntax.file, line: 1, column: 1)))
        }
        var overrides: [CompiledOverride] = []
        for declaration in syntax.overrides {
            do throws(GrammarError) { overrides.append(try compileOverride(declaration, operations)) } catch {
                errors.append(error)
            }
        }
        var projections: [Int: (code: Code, type: SemanticType)] = [:]
        for (category, function) in syntax.projections {
            do throws(GrammarError) {
                guard let c = categoryIndex[category.value] else {
                    throw error("unknown category '\(category.value)'", category.location)
                }
                var scope = CompilationScope()
                let result = inference.fresh()
                let expected = SemanticType.function(categories[c].type, result)
                let (code, type) = try makeExpressionCompiler().compile(function, scope: &scope, expected: expected)
                if inference.unify(type, expected) != nil {
                    throw error(
                        "projection of \(category.value) must be a function from \(inference.resolve(categories[c].type)), found \(inference.resolve(type))",
                        function.location)
                }
                projections[c] = (code, result)
            } catch {
                errors.append(error)
            }
        }
        let linguistic = compileLinguistic(operations)
        let start = resolveStart()
        let bounds = compileBounds()
        var levels: [Int: MeaningLevel] = [:]
        for (category, level) in syntax.categoryMeaningLevels {
            if let c = categoryIndex[category.value] {
                levels[c] = level
            } else {
                errors.append(error("unknown category '\(category.value)'", category.location))
            }
        }
        validateChecks()
        if !errors.isEmpty { return nil }

        // Resolve all types (remaining variables default to e).
        let inference = self.inference
        let ground = { (t: SemanticType) in inference.ground(t) }
        let finalCategories = categories.map { Category(name: $0.name, features: $0.features, type: ground($0.type)) }
        let finalOperations = operations.map { $0.finish(ground) }
        let finalOverrides = overrides.map {
            CompiledOverride(
                target: $0.target, semantics: $0.semantics.mapTypes(ground), location: $0.location,
                description: $0.description)
        }
        var finalProjections: [Int: (code: Code, type: SemanticType)] = [:]
        for (c, p) in projections { finalProjections[c] = (p.code.mapTypes(ground), ground(p.type)) }
        var finalLinguistic = linguistic
        if let l = linguistic {
            var meanings: [Int: (code: Code, type: SemanticType)] = [:]
            for (c, m) in l.meanings { meanings[c] = (m.code.mapTypes(ground), ground(m.type)) }
            finalLinguistic = CompiledLinguisticContexts(
                names: l.names, root: l.root, embedding: l.embedding, meanings: meanings)
        }
        if syntax.meaningLevel?.value == .intension || syntax.lexicalMeaningLevel?.value == .intension,
            model.worlds.isEmpty
        {
            errors.append(
                error("meaning = intension needs worlds in the model", syntax.meaningLevel?.location ?? fileStart))
            return nil
        }
        var parameterNames: [String: [String]] = [:]
        for (name, constructors) in syntax.parameters { parameterNames[name.value] = constructors }
        return InterpretedGrammar(
            name: syntax.name, file: syntax.file, model: model, categories: finalCategories,
            operations: finalOperations, start: start, bounds: bounds,
            requestedChecks: syntax.checks.map { ($0.name.value, $0.argument) },
            meaningLevel: syntax.meaningLevel?.value ?? .extension,
            lexicalMeaningLevel: syntax.lexicalMeaningLevel?.value, categoryMeaningLevels: levels,
            overrides: finalOverrides, projections: finalProjections, linguistic: finalLinguistic,
            parameterNames: parameterNames)
    }
}
