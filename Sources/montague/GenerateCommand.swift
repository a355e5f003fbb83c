import ArgumentParser
import Foundation
import Grammar

/// `montague generate FILE`: (expression, meaning) pairs with train/test splits.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate (expression, meaning) pairs with splits for compositional generalisation.",
        discussion: """
            Splits: random (--test-fraction), length (train on outputs of at most --length-threshold tokens),
            add-primitive (--primitive seen in training only in isolation; Lake & Baroni 2018; --primitive-fraction 0.1
            repeats it as SCAN's files do), none.
            Output: SCAN format ("IN: … OUT: …") or JSON lines, to standard output or to DIR/train.txt and
            DIR/test.txt. With --weighted, --count sentences are sampled from the grammar's rule weights instead
            (docs/probabilistic-grammars.md), with their meanings and log-probabilities (JSON lines), to standard
            output or to the file --output.

            Examples:
              montague generate grammars/scan.mont --split add-primitive --primitive jump --primitive-fraction 0.1 --output out/
              montague generate grammars/arithmetic.mont --split random --seed 3 --format jsonl
              montague generate grammars/weighted-arithmetic.mont --weighted --count 100 --seed 1 --format jsonl
            """)

    @Argument(help: "A .mont grammar or NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "random, length, add-primitive or none.")
    var split: SplitKind = .random

    @Option(name: .long, help: "Held-out primitive for the add-primitive split.")
    var primitive: String?

    @Option(
        name: .long,
        help: "Repeat the primitive's isolated example to this fraction of the training set (SCAN: 0.1); default once.")
    var primitiveFraction: Double?

    @Option(name: .long, help: "Longest training output (tokens) for the length split.")
    var lengthThreshold = 22

    @Option(name: .long, help: "Test fraction for the random split.")
    var testFraction = 0.2

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "scan or jsonl.")
    var format: DataSetFormat = .scan

    @Option(name: .long, help: "Directory for train.txt and test.txt (default: standard output).")
    var output: String?

    @Option(name: .long, help: "Maximum term depth.")
    var maxDepth: Int?

    @Option(name: .long, help: "NLTK valuation (.val) for an .fcfg grammar.")
    var valuation: String?

    @Flag(name: .long, help: "Sample sentences from the grammar's weights instead of enumerating.")
    var weighted = false

    @Option(name: .long, help: "Number of sentences sampled with --weighted.")
    var count = 10

    func run() throws {
        if weighted {
            try requireNonNegative(count, "--count")
            return try WeightedGrammarSupport.generate(
                file, valuation: valuation, count: count, seed: seed, format: format, output: output)
        }
        let grammar = try GrammarCommandSupport.load(file, valuation: valuation)
        let kind = split
        var options = GenerationOptions()
        options.split = kind
        options.primitive = primitive
        options.primitiveFraction = primitiveFraction
        options.lengthThreshold = lengthThreshold
        options.testFraction = testFraction
        options.seed = seed
        options.bounds = try GrammarCommandSupport.bounds(grammar, maxDepth, nil, nil)
        let dataSet: DataSet
        do {
            dataSet = try DataSetGenerator.generate(grammar, options: options)
        } catch {
            throw GrammarCommandSupport.inputError(error)
        }
        if let output {
            try format.write(train: dataSet.train, test: dataSet.test, to: output)
            print("train: \(dataSet.train.count), test: \(dataSet.test.count) (split \(kind.rawValue), seed \(seed))")
        } else {
            print(format.render(dataSet.train + dataSet.test), terminator: "")
        }
    }
}

/// The output formats of `generate`.
enum DataSetFormat: String, ExpressibleByArgument, CaseIterable {
    /// `IN: … OUT: …` lines, as in Lake & Baroni's SCAN files.
    case scan
    /// One JSON object per line.
    case jsonl

    /// `examples` in this format, one per line.
    func render(_ examples: [Example]) -> String {
        if self == .scan { return DataSetGenerator.scanFormat(examples) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return examples.compactMap { try? encoder.encode($0) }.compactMap { String(data: $0, encoding: .utf8) }
            .map { $0 + "\n" }.joined()
    }

    /// Writes `DIR/train.txt` and `DIR/test.txt` in this format (the directory is created if needed).
    ///
    /// - Throws: a usage error naming `directory` when it cannot be written.
    func write(train: [Example], test: [Example], to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try render(train).write(toFile: directory + "/train.txt", atomically: true, encoding: .utf8)
            try render(test).write(toFile: directory + "/test.txt", atomically: true, encoding: .utf8)
        } catch {
            throw GrammarCommandSupport.usageError("cannot write to \(directory): \(error.localizedDescription)")
        }
    }
}
