import Foundation
import Testing

@testable import Grammar

/// The repository's `grammars/` folder, located from this file.
let grammarsDirectory: String = {
    let here = URL(fileURLWithPath: #filePath)
    return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammars").path
}()

/// The NLTK grammars shipped as test fixtures (Apache-2.0, see `Fixtures/nltk/ORIGIN.md`).
let nltkFixturesDirectory: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/nltk").path
}()

/// The external data folder: a `shared/data` folder beside the package root (searched upwards, so a worktree nested one
/// level deeper finds it too).
let sharedDataDirectory: String = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    for _ in 0..<4 {
        directory = directory.deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("shared/data")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
    }
    return directory.appendingPathComponent("shared/data").path
}()

/// Loads `grammars/<name>`.
func loadGrammar(_ name: String) throws -> InterpretedGrammar {
    try GrammarLoader.load(path: grammarsDirectory + "/" + name)
}

/// Compiles a grammar from source text.
func compile(_ source: String) throws -> InterpretedGrammar {
    try GrammarLoader.compile(source: source, file: "test.mont")
}

/// Checks one notion.
func check(_ grammar: InterpretedGrammar, _ notion: Notion, maxDepth: Int? = nil, level: MeaningLevel? = nil)
    -> NotionResult
{
    var bounds = grammar.bounds
    if let maxDepth { bounds.maxDepth = maxDepth }
    var options = CheckOptions(notions: [notion], bounds: bounds, level: level)
    options.reportsAmbiguities = false
    let report = CompositionalityChecker.check(grammar, options: options)
    return report.results[0]
}

/// The yields of a witness's argument tuples.
func yields(_ terms: [Term]?) -> [String] { terms?.map(\.yield) ?? [] }
