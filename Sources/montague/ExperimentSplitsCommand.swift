import ArgumentParser
import Experiments
import Foundation
import Grammar

extension CompositionalSplitKind: ExpressibleByArgument {}

/// `montague experiment splits GRAMMAR --split KIND`: compositional-generalisation splits with their divergences.
struct ExperimentSplitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splits",
        abstract: "Split a grammar's language for compositional generalisation and report atom/compound divergence.",
        discussion: """
            Splits: random (--test-fraction), length (train on outputs of at most --length-threshold tokens), \
            add-primitive (--primitive seen in training only in isolation, repeated to --primitive-fraction of the \
            training set as SCAN's files do), mcd (maximum compound divergence, Keysers et al. 2020: atoms \
            distributed alike, depth-2 subterms as differently as possible). Every split reports the atom \
            divergence D_A and the compound divergence D_C between train and test. Output as in `generate`: \
            SCAN format or JSON lines, to standard output or DIR/train.txt and DIR/test.txt.

            Examples:
              montague experiment splits grammars/scan.mont --split mcd --train-fraction 0.4 --test-fraction 0.05 --output scan-mcd/
              montague experiment splits grammars/scan.mont --split add-primitive --primitive jump --primitive-fraction 0.1 --output scan-jump/
            """)

    @Argument(help: "A .mont grammar or NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "random, length, add-primitive or mcd.")
    var split: CompositionalSplitKind = .mcd

    @Option(name: .long, help: "Held-out primitive for the add-primitive split.")
    var primitive: String?

    @Option(name: .long, help: "Repeat the isolated primitive to this fraction of the training set (SCAN: 0.1).")
    var primitiveFraction: Double?

    @Option(name: .long, help: "Longest training output (tokens) for the length split.")
    var lengthThreshold = 22

    @Option(name: .long, help: "Test fraction for the random and mcd splits.")
    var testFraction = 0.2

    @Option(
        name: .long, help: "Training fraction for mcd (default: everything not in test); leftover examples are unused.")
    var trainFraction: Double?

    @Option(name: .long, help: "Largest atom divergence the mcd construction accepts.")
    var maxAtomDivergence = 0.02

    @Option(name: .long, help: "Candidates the mcd construction scores per step (more: higher D_C, slower).")
    var candidates = 64

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "scan or jsonl.")
    var format: DataSetFormat = .scan

    @Option(name: .long, help: "Directory for train.txt and test.txt (default: only the summary).")
    var output: String?

    @Option(name: .long, help: "Maximum term depth.")
    var maxDepth: Int?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard testFraction > 0, testFraction < 1 else { throw ValidationError("--test-fraction must be in (0, 1)") }
        try requireNonNegative(maxAtomDivergence, "--max-atom-divergence")
        try requirePositive(candidates, "--candidates")
        if let trainFraction, trainFraction <= 0 || trainFraction + testFraction > 1 {
            throw ValidationError("--train-fraction must be positive and at most 1 − --test-fraction")
        }
    }

    func run() throws {
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        var options = CompositionalSplitOptions()
        options.kind = split
        options.primitive = primitive
        options.primitiveFraction = primitiveFraction
        options.lengthThreshold = lengthThreshold
        options.testFraction = testFraction
        options.maximumAtomDivergence = maxAtomDivergence
        options.candidatesPerStep = candidates
        options.trainFraction = trainFraction
        options.seed = seed
        options.bounds = try GrammarCommandSupport.bounds(grammar, maxDepth, nil, nil)
        let result: CompositionalSplit
        do {
            result = try CompositionalSplits.generate(grammar, options: options)
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if let output {
            try format.write(train: result.train, test: result.test, to: output)
        }
        let summary = SplitSummary(
            split: split.rawValue, seed: seed, train: result.train.count, test: result.test.count,
            atomDivergence: result.atomDivergence, compoundDivergence: result.compoundDivergence)
        if json {
            GrammarCommandSupport.printJSON(summary)
        } else {
            print(
                "split \(summary.split) (seed \(seed)): train \(summary.train), test \(summary.test), "
                    + String(format: "D_A %.4f, D_C %.4f", summary.atomDivergence, summary.compoundDivergence))
        }
    }
}

/// The summary line of `experiment splits`.
struct SplitSummary: Codable {
    var split: String
    var seed: UInt64
    var train: Int
    var test: Int
    var atomDivergence: Double
    var compoundDivergence: Double
}
