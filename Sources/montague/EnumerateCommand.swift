import ArgumentParser
import Grammar

/// `montague enumerate FILE`: the bounded fragment's terms, per category and depth.
struct EnumerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enumerate",
        abstract: "Enumerate a grammar's terms up to a bound, with counts per category and meanings.",
        discussion: """
            Examples:
              montague enumerate grammars/scan.mont                 (20 910 commands C)
              montague enumerate grammars/english.mont --list 20
            """)

    @Argument(help: "A .mont grammar or NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "Maximum term depth.")
    var maxDepth: Int?

    @Option(name: .long, help: "Maximum yield length in tokens.")
    var maxLength: Int?

    @Option(name: .long, help: "Maximum number of terms.")
    var maxTerms: Int?

    @Option(name: .long, help: "List this many terms of the start category (yield, meaning, derivation).")
    var list = 0

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        let report = Enumerator.report(
            grammar, bounds: try GrammarCommandSupport.bounds(grammar, maxDepth, maxLength, maxTerms), limit: list,
            progress: GrammarCommandSupport.progress)
        GrammarCommandSupport.endProgress()
        if json { GrammarCommandSupport.printJSON(report) } else { print(report.text) }
    }
}
