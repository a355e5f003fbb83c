import ArgumentParser
import Foundation
import Grammar

/// `montague check FILE`: decide compositionality notions on a bounded fragment.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decide whether a grammar's meaning assignment is compositional, with minimal witnesses.",
        discussion: """
            Notions (docs/compositionality.md, N1–N14): funct (C_local), domain, subst, subst1, husserl, global, coll (C_coll),
            ref (C_ref), reverse, fregean, stand (C_stand), occ-weak, occ-strong (C_occ), lcontext, lint, systematic.
            Exit status: 0 every notion holds, 1 some notion fails, 2 the grammar or the arguments are wrong.

            Examples:
              montague check grammars/arithmetic.mont
              montague check grammars/intensions.mont --notion ref
              montague check grammars/indexicals.mont --context weak --json
              montague check grammars/indexicals.mont --notion coll
              montague check simple-sem.fcfg --valuation valuation1.val
            """)

    @Argument(help: "A .mont grammar, or an NLTK .fcfg feature grammar.")
    var file: String

    @Option(name: .long, help: "A notion to decide (repeatable); default: the file's check { } block, else funct.")
    var notion: [String] = []

    @Option(name: .long, help: "Contextual compositionality: weak, strong or stand (adds that notion).")
    var context: ContextualNotion?

    @Option(name: .long, help: "Compare meanings at this level: extension, intension, character, structured.")
    var level: MeaningLevel?

    @Option(name: .long, help: "Maximum term depth (atoms have depth 1).")
    var maxDepth: Int?

    @Option(name: .long, help: "Maximum yield length in tokens.")
    var maxLength: Int?

    @Option(name: .long, help: "Maximum number of terms.")
    var maxTerms: Int?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Skip ambiguity reporting (streams the deepest layer; memory grows with meanings).")
    var noAmbiguities = false

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        var notions: [Notion] = []
        for name in notion {
            guard let n = Notion(checkName: name) else {
                throw GrammarCommandSupport.usageError(
                    "unknown notion '\(name)' (known: \(Notion.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            notions.append(n)
        }
        if let context { notions.append(context.notion) }
        var options = CheckOptions(notions: notions)
        options.level = level
        options.bounds = try GrammarCommandSupport.bounds(grammar, maxDepth, maxLength, maxTerms)
        options.reportsAmbiguities = !noAmbiguities
        let report = CompositionalityChecker.check(grammar, options: options, progress: GrammarCommandSupport.progress)
        GrammarCommandSupport.endProgress()
        if json { GrammarCommandSupport.printJSON(report) } else { print(report.text) }
        if !report.allHold { throw ExitCode(1) }
    }
}

/// Loading, bounds, progress and JSON output shared by the grammar subcommands.
enum GrammarCommandSupport {
    /// Loads a grammar; on failure prints `file:line:column: error: …` on standard error and throws exit status 2.
    static func load(_ file: String, valuation: String? = nil) throws -> InterpretedGrammar {
        do {
            return try GrammarLoader.load(path: file, valuation: valuation)
        } catch {
            throw inputError(error)
        }
    }

    /// Prints `error: message` on standard error; the returned exit status 2 is for the caller to throw.
    static func usageError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }

    /// Prints a located error as it is (`file:line:column: error: …`); the returned exit status 2 is for the caller
    /// to throw.
    static func inputError(_ error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        return ExitCode(2)
    }

    /// The grammar's bounds with command-line overrides (each positive, the depth at most
    /// ``EnumerationBounds/maximumDepth``).
    static func bounds(_ grammar: InterpretedGrammar, _ depth: Int?, _ length: Int?, _ terms: Int?) throws
        -> EnumerationBounds
    {
        var b = grammar.bounds
        if let depth { b.maxDepth = depth }
        if let length { b.maxLength = length }
        if let terms { b.maxTerms = terms }
        if b.maxDepth < 1 || b.maxTerms < 1 || (b.maxLength ?? 1) < 1 { throw usageError("bounds must be positive") }
        if b.maxDepth > EnumerationBounds.maximumDepth {
            throw usageError("--max-depth must be at most \(EnumerationBounds.maximumDepth)")
        }
        return b
    }

    static let isTerminal = isatty(2) != 0

    /// Progress on standard error when it is a terminal.
    static var progress: ((Int) -> Void)? {
        isTerminal ? { count in FileHandle.standardError.write(Data("\r  enumerated \(count) terms…".utf8)) } : nil
    }

    static func endProgress() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) { print(text) }
    }
}

/// The `--context` choices of `check`.
enum ContextualNotion: String, ExpressibleByArgument, CaseIterable {
    case weak, strong, stand

    /// The notion decided.
    var notion: Notion {
        switch self {
        case .weak: return .occWeak
        case .strong: return .occStrong
        case .stand: return .stand
        }
    }
}

extension MeaningLevel: ExpressibleByArgument {}
extension SplitKind: ExpressibleByArgument {}
