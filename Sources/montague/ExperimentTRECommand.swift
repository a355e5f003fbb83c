import ArgumentParser
import Experiments
import Foundation
import Grammar

extension RepresentationSource: ExpressibleByArgument {}

/// `montague experiment tre GRAMMAR`: compositionality of learned representations against the grammar's
/// derivations.
struct ExperimentTRECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tre",
        abstract: "Measure TRE and topographic similarity of sentence representations against a grammar's derivations.",
        discussion: """
            Samples --samples sentences from the grammar (its weights block, or uniform weights), keeps the first \
            --expressions distinct ones with their derivations and meanings, and computes for each \
            representation: tree reconstruction error (Andreas 2019; additive composition over the derivation's \
            operations, and over operations in argument slots), TRE relative to the mean vector norm, and \
            topographic similarity (Spearman's ρ between vector distances and meaning edit distances). \
            Representations: additive (exactly compositional, TRE 0), random (non-compositional), tree-lstm \
            (an untrained Child-Sum Tree-LSTM over the derivation), lm (final state of an LSTM language model \
            trained on the sample for --epochs), sentence-vae (posterior mean of a sentence VAE), seq2seq (final \
            state of an LSTM encoder trained with an LSTM decoder to write each sentence's meaning tokens) and \
            trained-tree-lstm (root state of a Child-Sum Tree-LSTM over the derivation trained with the same \
            decoder; both learned encoders report their last epoch's loss per meaning token) and meaning (a random \
            vector per distinct meaning of the grammar). Prints a \
            Markdown table (or JSON); --output writes DIR/tre.md and DIR/tre.json. See docs/probabilistic-grammars.md; \
            `experiment meaning-map` asks whether the same representations are compositional in the grammar's sense.

            Examples:
              montague experiment tre grammars/scan.mont --representation additive --representation random --representation lm
              montague experiment tre grammars/weighted-arithmetic.mont --epochs 20 --output runs/tre
            """)

    @Argument(help: "A .mont grammar (weights optional) or an NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "A representation to measure (repeatable; default: all).")
    var representation: [RepresentationSource] = []

    @Option(name: .long, help: "Distinct expressions measured.")
    var expressions = 300

    @Option(name: .long, help: "Sentences sampled from the grammar (expressions and training data).")
    var samples = 2000

    @Option(name: .long, help: "Vector width of every representation.")
    var dimension = 32

    @Option(name: .long, help: "Training epochs of the learned representations.")
    var epochs = 10

    @Option(name: .customLong("max-length"), help: "Longest sentence used (words).")
    var maxLength = 30

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Directory for tre.md and tre.json.")
    var output: String?

    @Flag(name: .long, help: "Print the rows as JSON.")
    var json = false

    func validate() throws {
        try requirePositive(dimension, "--dimension")
        try requirePositive(samples, "--samples")
        try requirePositive(maxLength, "--max-length")
        try requireNonNegative(epochs, "--epochs")
        guard expressions >= 3 else { throw ValidationError("--expressions must be at least 3") }
    }

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(file, valuation: nil)
        let settings = RepresentationStudySettings(
            sources: representation.isEmpty ? RepresentationSource.allCases : representation,
            expressions: expressions, trainingSamples: samples, dimension: dimension, epochs: epochs,
            maximumLength: maxLength, seed: seed)
        let rows: [RepresentationStudyRow]
        do {
            rows = try RepresentationCompositionalityStudy.run(grammar, settings: settings)
            if let output {
                let directory = URL(fileURLWithPath: output)
                try ExperimentArtifacts.createDirectory(directory)
                try ExperimentArtifacts.writeLines(
                    [RepresentationCompositionalityStudy.table(rows)], to: directory.appendingPathComponent("tre.md"))
                try ExperimentArtifacts.writeJSON(rows, to: directory.appendingPathComponent("tre.json"))
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if json {
            GrammarCommandSupport.printJSON(rows)
        } else {
            print(RepresentationCompositionalityStudy.table(rows), terminator: "")
        }
    }
}
