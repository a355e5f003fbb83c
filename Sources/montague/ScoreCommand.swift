import ArgumentParser
import Foundation
import Grammar

/// `montague score GRAMMAR [SENTENCE…]`: exact log-probabilities under a probabilistic grammar.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score sentences by their exact probability under a weighted grammar (inside algorithm).",
        discussion: """
            The grammar's `weights { }` block gives each rule and lexical entry a weight, normalised per category \
            (without one, every operation weighs 1); see docs/probabilistic-grammars.md. Each sentence's \
            log-probability sums over all its derivations, so ambiguity counts exactly. Sentences come from the \
            arguments or, with --input, one per line. Exit status: 0 every sentence is in the language, 1 some \
            sentence is not, 2 input error.

            Examples:
              montague score grammars/weighted-arithmetic.mont "( 1 + ( 2 * 3 ) )" "( 1 + 2"
              montague score grammars/weighted-english.mont --input samples.txt --json
            """)

    @Argument(help: "A .mont grammar (with an optional weights block) or an NLTK .fcfg grammar.")
    var file: String

    @Argument(help: "Sentences (words separated by spaces).")
    var sentences: [String] = []

    @Option(name: .long, help: "A file of sentences, one per line (empty lines are skipped).")
    var input: String?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Print the scores as JSON.")
    var json = false

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(file, valuation: valuation)
        var all = sentences
        if let input {
            let text: String
            do {
                text = try String(contentsOfFile: input, encoding: .utf8)
            } catch {
                throw GrammarCommandSupport.usageError("cannot read \(input): \(error.localizedDescription)")
            }
            all += text.split(separator: "\n").map(String.init).filter {
                !$0.trimmingCharacters(in: .whitespaces).isEmpty
            }
        }
        guard !all.isEmpty else { throw ValidationError("give sentences as arguments or with --input") }
        let scores = grammar.score(all)
        if json {
            GrammarCommandSupport.printJSON(scores)
        } else {
            for score in scores {
                if let value = score.logProbability {
                    print(
                        String(format: "%.6f", value) + "\t"
                            + String(format: "%.4f", score.perTokenNLL ?? 0) + "\t" + score.sentence)
                } else {
                    print("-inf\t-\t\(score.sentence)\t(not in the language)")
                }
            }
            let valid = scores.compactMap(\.logProbability)
            let tokens = zip(scores, scores.map(\.isInLanguage)).filter(\.1).reduce(0) { $0 + $1.0.tokenCount }
            print(
                "valid: \(valid.count)/\(scores.count)"
                    + (valid.isEmpty
                        ? ""
                        : String(
                            format: ", mean NLL %.4f nats per sentence, %.4f per token",
                            -valid.reduce(0, +) / Double(valid.count), -valid.reduce(0, +) / Double(max(1, tokens)))))
        }
        if scores.contains(where: { !$0.isInLanguage }) { throw ExitCode(1) }
    }
}

/// Loading weighted grammars with the CLI's error convention (located errors, exit status 2).
enum WeightedGrammarSupport {
    static func load(_ file: String, valuation: String?) throws -> ProbabilisticGrammar {
        do {
            return try ProbabilisticGrammar.load(path: file, valuation: valuation)
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
    }

    /// `montague generate --weighted`: samples with meanings, in SCAN format or JSON lines.
    static func generate(
        _ file: String, valuation: String?, count: Int, seed: UInt64, format: DataSetFormat, output: String?
    ) throws {
        let grammar = try load(file, valuation: valuation)
        let examples: [WeightedExample]
        do {
            examples = try grammar.generate(count: count, seed: seed)
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        let text: String
        switch format {
        case .scan:
            text = examples.map { "IN: \($0.input) OUT: \($0.output)\n" }.joined()
        case .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            text = examples.compactMap { try? encoder.encode($0) }.compactMap { String(data: $0, encoding: .utf8) }
                .map { $0 + "\n" }.joined()
        }
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw GrammarCommandSupport.usageError("cannot write \(output): \(error.localizedDescription)")
            }
            print("\(examples.count) samples (seed \(seed)) written to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}
