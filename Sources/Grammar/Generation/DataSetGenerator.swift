import MontagueSupport

/// How to split generated pairs into train and test (Lake & Baroni 2018's SCAN splits, generalised).
public enum SplitKind: String, Sendable, CaseIterable, Codable {
    /// Random split with the given test fraction.
    case random
    /// Train on short meanings (≤ threshold output tokens), test on longer ones (SCAN "length").
    case length
    /// One primitive appears in training only in isolation; test: every other expression containing it (SCAN
    /// "add primitive").
    case addPrimitive = "add-primitive"
    /// Everything in one set.
    case none
}

/// One (expression, meaning) pair.
public struct Example: Codable, Sendable, Equatable, Hashable {
    /// The expression (tokens joined by spaces).
    public var input: String
    /// The meaning rendered (a sequence of strings is joined by spaces).
    public var output: String
}

/// Options of `montague generate`.
public struct GenerationOptions: Sendable {
    /// The split.
    public var split: SplitKind = .random
    /// Test fraction for `random`.
    public var testFraction = 0.2
    /// For `length`: the longest output (in tokens) kept for training.
    public var lengthThreshold = 22
    /// For `add-primitive`: the held-out primitive.
    public var primitive: String?
    /// For `add-primitive`: repeat the primitive's isolated example until it makes up this fraction of the training
    /// set, as Lake & Baroni's SCAN files do (0.1: "jump" 1 467 times among 14 670 lines); nil: once.
    public var primitiveFraction: Double?
    /// Seed for shuffling.
    public var seed: UInt64 = 1
    /// Bounds (nil: the grammar's).
    public var bounds: EnumerationBounds?

    /// Default options.
    public init() {}
}

/// A generated data set.
public struct DataSet: Sendable, Codable {
    /// Training pairs.
    public var train: [Example]
    /// Test pairs.
    public var test: [Example]
    /// The split used.
    public var split: SplitKind
    /// The seed used.
    public var seed: UInt64
}

/// Generates (expression, meaning) pairs from a grammar for compositional-generalisation experiments.
public enum DataSetGenerator {
    /// All distinct (yield, meaning) pairs of the start category in enumeration order (ambiguous strings keep their
    /// first meaning).
    public static func examples(_ grammar: InterpretedGrammar, bounds: EnumerationBounds? = nil) -> [Example] {
        let fragment = Enumerator.enumerate(grammar, options: EnumerationOptions(bounds: bounds ?? grammar.bounds))
        var seen: Set<String> = []
        var examples: [Example] = []
        for id in fragment.storedTerms {
            if let start = grammar.start, fragment.category(of: id) != start { continue }
            let m = fragment.meaning(of: id)
            guard m >= 0 else { continue }
            let input = fragment.yield(of: id)
            guard seen.insert(input).inserted else { continue }
            examples.append(Example(input: input, output: render(fragment, meaning: m)))
        }
        return examples
    }

    static func render(_ fragment: Fragment, meaning: Int32) -> String {
        let text = fragment.describe(meaning: meaning)
        if text.hasPrefix("[") && text.hasSuffix("]") { return String(text.dropFirst().dropLast()) }
        return text
    }

    /// Generates and splits.
    public static func generate(_ grammar: InterpretedGrammar, options: GenerationOptions) throws(GrammarError)
        -> DataSet
    {
        var all = examples(grammar, bounds: options.bounds)
        var generator = SplitMix64(seed: options.seed)
        generator.shuffle(&all)
        var train: [Example] = []
        var test: [Example] = []
        switch options.split {
        case .none:
            train = all
        case .random:
            let testCount = Int((Double(all.count) * options.testFraction).rounded())
            test = Array(all.prefix(testCount))
            train = Array(all.dropFirst(testCount))
        case .length:
            for e in all {
                if e.output.split(separator: " ").count <= options.lengthThreshold {
                    train.append(e)
                } else {
                    test.append(e)
                }
            }
        case .addPrimitive:
            guard let primitive = options.primitive else {
                throw GrammarError(
                    "the add-primitive split needs --primitive",
                    at: SourceLocation(file: grammar.file, line: 1, column: 1))
            }
            var isolated: Example?
            var occurs = false
            for e in all {
                let words = e.input.split(separator: " ").map(String.init)
                if words.contains(primitive) { occurs = true }
                if words == [primitive] { isolated = e }
                if !words.contains(primitive) || words == [primitive] { train.append(e) } else { test.append(e) }
            }
            let location = SourceLocation(file: grammar.file, line: 1, column: 1)
            guard occurs else {
                throw GrammarError(
                    "the primitive '\(GrammarError.quoted(primitive))' occurs in no expression of the grammar",
                    at: location)
            }
            guard let isolated else {
                throw GrammarError(
                    "the primitive '\(GrammarError.quoted(primitive))' is not an expression of the start category by itself",
                    at: location)
            }
            if let fraction = options.primitiveFraction {
                guard fraction > 0, fraction < 1 else {
                    throw GrammarError("the primitive fraction must be between 0 and 1 (exclusive)", at: location)
                }
                // k copies among n others make up the fraction f: k = f·n / (1 − f).
                let others = train.count - 1
                let copies = max(1, Int((fraction * Double(others) / (1 - fraction)).rounded()))
                train += Array(repeating: isolated, count: copies - 1)
                generator.shuffle(&train)
            }
        }
        return DataSet(train: train, test: test, split: options.split, seed: options.seed)
    }

    /// SCAN's file format: `IN: <expression> OUT: <meaning>` per line.
    public static func scanFormat(_ examples: [Example]) -> String {
        examples.map { "IN: \($0.input) OUT: \($0.output)\n" }.joined()
    }
}
