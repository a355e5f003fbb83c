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
            vector per distinct meaning of the grammar); by default all of them. Prints a \
            Markdown table (or JSON); --output writes DIR/tre.md, DIR/tre.json and DIR/summary.json (each \
            representation's numbers under its name, e.g. representations.lm.relativeTRE, for `experiment run`). \
            See docs/probabilistic-grammars.md; `experiment meaning-map` asks whether the same representations \
            are compositional in the grammar's sense.

            Examples:
              montague experiment tre grammars/scan.mont --representation additive --representation random --representation lm
              montague experiment tre grammars/weighted-arithmetic.mont --epochs 20 --output runs/tre
            """)

    @OptionGroup var study: RepresentationStudyOptions

    @Option(name: .long, help: "Distinct expressions measured.")
    var expressions = 300

    @Option(name: .long, help: "Directory for tre.md and tre.json.")
    var output: String?

    func validate() throws {
        guard expressions >= 3 else { throw ValidationError("--expressions must be at least 3") }
    }

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(study.file, valuation: nil)
        let settings = study.settings(expressions: expressions, defaults: RepresentationSource.allCases)
        let rows: [RepresentationStudyRow]
        do {
            rows = try RepresentationCompositionalityStudy.run(grammar, settings: settings)
            if let output {
                let directory = URL(fileURLWithPath: output)
                try ExperimentArtifacts.createDirectory(directory)
                try ExperimentArtifacts.writeLines(
                    [RepresentationCompositionalityStudy.table(rows)], to: directory.appendingPathComponent("tre.md"))
                try ExperimentArtifacts.writeJSON(rows, to: directory.appendingPathComponent("tre.json"))
                try ExperimentArtifacts.writeJSON(
                    TRESummary(grammar: study.file, settings: settings, rows: rows),
                    to: directory.appendingPathComponent("summary.json"))
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if study.json {
            GrammarCommandSupport.printJSON(rows)
        } else {
            print(RepresentationCompositionalityStudy.table(rows), terminator: "")
        }
    }
}

/// The summary `experiment tre --output DIR` writes to DIR/summary.json: each representation's row under its name, so
/// the experiment runner records `representations.<name>.<measure>` (e.g. `representations.lm.relativeTRE`).
struct TRESummary: Codable {
    var grammar: String
    var settings: RepresentationStudySettings
    var representations: [String: RepresentationStudyRow]

    init(grammar: String, settings: RepresentationStudySettings, rows: [RepresentationStudyRow]) {
        self.grammar = grammar
        self.settings = settings
        representations = Dictionary(rows.map { ($0.source.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
