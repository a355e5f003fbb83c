import ArgumentParser
import Grammar

/// `montague eval FILE "sentence"`: every reading of a sentence and its meaning.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Parse a sentence and print each reading's logical form, meaning and derivation tree.",
        discussion: """
            Exit status: 0 at least one reading, 1 no reading, 2 input error (unknown word, bad grammar).

            Examples:
              montague eval grammars/english.mont "every dog chases a cat"
              montague eval simple-sem.fcfg "Cyril sees every boy" --valuation book.val

            Sentences are parsed by a chart parser (docs/probabilistic-grammars.md); --parser enumeration uses the \
            bounded enumeration instead (same readings, slower on long sentences).
            """)

    @Argument(help: "A .mont grammar or NLTK .fcfg grammar.")
    var file: String

    @Argument(help: "The sentence (words separated by spaces).")
    var sentence: String

    @Option(name: .long, help: "Accept readings of this category instead of the start category.")
    var category: String?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Print the readings (term, logical form, meaning, tree, reason for ⊥) as JSON.")
    var json = false

    @Option(name: .long, help: "chart (default) or enumeration (the bounded enumeration restricted to the words).")
    var parser: SentenceParser = .chart

    func run() throws {
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        let readings: [Reading]
        do {
            switch parser {
            case .chart: readings = try ChartInterpreter.interpret(grammar, sentence: sentence, category: category)
            case .enumeration:
                readings = try SentenceInterpreter.interpret(grammar, sentence: sentence, category: category)
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if json {
            GrammarCommandSupport.printJSON(readings)
        } else {
            if readings.isEmpty { print("no reading of \"\(sentence)\"") }
            for (i, r) in readings.enumerated() {
                print("reading \(i + 1): \(r.term)  [\(r.category)]")
                if let form = r.logicalForm { print("  logical form: \(form)") }
                print("  meaning: \(r.meaning)" + (r.undefinedReason.map { " (\($0))" } ?? ""))
                if r.values != r.meaning { print("  at every point: \(r.values)") }
                print("  tree:")
                for line in r.tree { print("    " + line) }
            }
        }
        if readings.isEmpty { throw ExitCode(1) }
    }
}

/// How `eval` finds a sentence's derivations.
enum SentenceParser: String, ExpressibleByArgument, CaseIterable {
    /// The chart parser (polynomial in the sentence length).
    case chart
    /// Enumeration of the terms over the sentence's words.
    case enumeration
}
