import ArgumentParser
import Grammar

/// `montague zadrozny FILE`: Zadrozny's construction on the fragment's strings.
struct ZadroznyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zadrozny",
        abstract: "Build Zadrozny's μ with μ(s.t) = μ(s)(μ(t)) and μ(s)(s) = m(s) on a finite fragment and verify it.",
        discussion: """
            Zadrozny (1994) shows every meaning function m becomes "compositional" if meanings are replaced by
            objects from which m is recoverable. The command builds those objects on the fragment's strings, checks
            both equations on every pair and reports that μ is injective (synonymy becomes identity).
            Exit status: 0 both equations hold, 1 they do not, 2 input error.

            Example:
              montague zadrozny grammars/palindromes.mont
            """)

    @Argument(help: "A .mont grammar or NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "Maximum term depth.")
    var maxDepth: Int?

    @Option(name: .long, help: "Maximum string length in tokens.")
    var maxLength: Int?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        var options = EnumerationOptions(bounds: try GrammarCommandSupport.bounds(grammar, maxDepth, maxLength, nil))
        options.progress = GrammarCommandSupport.progress
        let fragment = Enumerator.enumerate(grammar, options: options)
        GrammarCommandSupport.endProgress()
        let report = ZadroznyConstruction.build(fragment: fragment).report
        if json { GrammarCommandSupport.printJSON(report) } else { print(report.text) }
        if report.equation1Holds != report.concatenationPairs || report.equation2Holds != report.stringCount {
            throw ExitCode(1)
        }
    }
}
