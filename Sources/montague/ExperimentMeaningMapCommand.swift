import ArgumentParser
import Experiments
import Foundation
import Grammar

/// `montague experiment meaning-map GRAMMAR`: is a learned meaning map compositional in the grammar's own sense?
struct ExperimentMeaningMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meaning-map",
        abstract:
            "Check whether learned representations, discretized, are a compositional meaning assignment (N1, N9).",
        discussion: """
            Samples --samples sentences from the grammar (its weights block, or uniform weights), keeps the first \
            --expressions distinct ones and every subterm of their derivations, and gives each term a learned \
            meaning: the representation's vector (a sequence model reads the term's words; a Tree-LSTM's state at \
            the term's node), clustered by k-means into --clusters labels (default: as many as the grammar's \
            distinct meanings among the terms). The labels are then checked as a meaning assignment with the \
            grammar's notions: N1 Funct (is the label of F(t1…tk) a function of F and the labels of t1…tk?) with its \
            minimal counterexample, and N9 reverse compositionality. Graded measures: the consistency (the largest \
            fraction of operation applications one table per operation gets right), its chance level (labels \
            shuffled over the terms), and the clusters' purity against the grammar's meanings. The first row is \
            the grammar's own meaning assignment. Representations as in `experiment tre` (default: random, \
            meaning, seq2seq, trained-tree-lstm). --output writes DIR/meaning-map.md, DIR/meaning-map.json and \
            DIR/summary.json (the grammar's row under `reference`, each representation's under its name, e.g. \
            representations.seq2seq.functConsistency, for `experiment run`). Exit status 0 whatever the verdicts \
            (a study, not a check). See docs/compositionality.md.

            Examples:
              montague experiment meaning-map grammars/weighted-arithmetic.mont --epochs 10
              montague experiment meaning-map grammars/scan.mont --representation seq2seq --representation trained-tree-lstm --output runs/mm-scan
            """)

    @OptionGroup var study: RepresentationStudyOptions

    @Option(name: .long, help: "Distinct sentences whose terms and subterms are measured.")
    var expressions = 100

    @Option(name: .long, help: "Clusters (default: the grammar's distinct meanings among the terms).")
    var clusters: Int?

    @Option(name: .customLong("chance-draws"), help: "Shuffled labellings averaged for the chance level.")
    var chanceDraws = 20

    @Option(name: .long, help: "Directory for meaning-map.md, meaning-map.json and summary.json.")
    var output: String?

    func validate() throws {
        try requirePositive(expressions, "--expressions")
        try requireNonNegative(chanceDraws, "--chance-draws")
        if let clusters { try requirePositive(clusters, "--clusters") }
    }

    func run() throws {
        let grammar = try WeightedGrammarSupport.load(study.file, valuation: nil)
        let settings = MeaningMapSettings(
            study: study.settings(expressions: expressions, defaults: [.random, .meaning, .seq2seq, .trainedTreeLSTM]),
            clusters: clusters, chanceDraws: chanceDraws)
        let rows: [MeaningMapRow]
        do {
            rows = try LearnedMeaningMap.run(grammar, settings: settings)
            if let output {
                let directory = URL(fileURLWithPath: output)
                try ExperimentArtifacts.createDirectory(directory)
                try ExperimentArtifacts.writeLines(
                    [LearnedMeaningMap.table(rows) + "\n" + LearnedMeaningMap.witnesses(rows)],
                    to: directory.appendingPathComponent("meaning-map.md"))
                try ExperimentArtifacts.writeJSON(rows, to: directory.appendingPathComponent("meaning-map.json"))
                try ExperimentArtifacts.writeJSON(
                    MeaningMapSummary(grammar: study.file, settings: settings, rows: rows),
                    to: directory.appendingPathComponent("summary.json"))
            }
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if study.json {
            GrammarCommandSupport.printJSON(rows)
        } else {
            print(LearnedMeaningMap.table(rows))
            print(LearnedMeaningMap.witnesses(rows), terminator: "")
        }
    }
}

/// The summary `experiment meaning-map --output DIR` writes to DIR/summary.json: the grammar's own meaning assignment
/// under `reference` and each representation's row under its name, so the experiment runner records
/// `reference.<measure>` and `representations.<name>.<measure>` (e.g. `representations.seq2seq.functConsistency`,
/// N1's graded measure of the discretized map, beside `representations.seq2seq.chanceConsistency`).
struct MeaningMapSummary: Codable {
    var grammar: String
    var settings: MeaningMapSettings
    /// The grammar's own meanings (the row without a representation); nil when the study has no such row.
    var reference: MeaningMapRow?
    var representations: [String: MeaningMapRow]

    init(grammar: String, settings: MeaningMapSettings, rows: [MeaningMapRow]) {
        self.grammar = grammar
        self.settings = settings
        reference = rows.first { $0.source == nil }
        representations = Dictionary(
            rows.compactMap { row in row.source.map { ($0.rawValue, row) } }, uniquingKeysWith: { first, _ in first })
    }
}
