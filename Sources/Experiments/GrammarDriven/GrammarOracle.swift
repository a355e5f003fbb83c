import Grammar

/// A probabilistic grammar as an exact oracle for text generators: validity, exact NLL, novelty, coverage and the
/// meaning of every generated string.
///
/// SeqGAN's synthetic experiment scores a generator by the NLL of its samples under a randomly initialised LSTM
/// (Yu et al. 2017, "NLL_oracle"). A weighted grammar plays the same role, but its probabilities are exact (inside
/// algorithm, ``ProbabilisticGrammar``) and interpretable, it decides membership (validity), and it gives each
/// valid string its meaning through the grammar's compositional semantics (docs/probabilistic-grammars.md).
public struct GrammarOracle {
    /// The weighted grammar.
    public let grammar: ProbabilisticGrammar
    /// The generator's training sentences (tokens joined by single spaces), for novelty.
    public let trainingSentences: Set<String>

    /// An oracle for `grammar`; `trainingSample` are the sentences the generator was trained on.
    public init(grammar: ProbabilisticGrammar, trainingSample: [String] = []) {
        self.grammar = grammar
        self.trainingSentences = Set(trainingSample.map(Self.normalized))
    }

    /// Tokens joined by single spaces.
    static func normalized(_ sentence: String) -> String {
        sentence.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }

    /// What the oracle says about one string.
    public struct Assessment: Codable, Sendable, Equatable {
        /// The string, tokens joined by single spaces.
        public var sentence: String
        /// Whether the grammar derives it in its start category (the words are known and some derivation exists).
        public var isValid: Bool
        /// `log P(s)` (natural logarithm); nil when invalid or of probability 0 (a rule of weight 0).
        public var logProbability: Double?
        /// Whether it is absent from the training sample.
        public var isNovel: Bool
        /// The distinct meanings of its readings, rendered as in generated data sets (a sequence of strings is
        /// joined by spaces); empty when invalid.
        public var meanings: [String]
    }

    /// Assesses one generated string.
    public func assess(_ sentence: String) -> Assessment {
        let text = Self.normalized(sentence)
        let tokens = text.split(separator: " ").map(String.init)
        var meanings: [String] = []
        var valid = false
        if !tokens.isEmpty, let readings = try? ChartInterpreter.interpret(grammar.grammar, sentence: text) {
            valid = !readings.isEmpty
            for reading in readings {
                let meaning = Self.rendered(reading.meaning)
                if !meanings.contains(meaning) { meanings.append(meaning) }
            }
        }
        let logProbability = valid ? grammar.logProbability(of: tokens) : -Double.infinity
        return Assessment(
            sentence: text, isValid: valid, logProbability: logProbability.isFinite ? logProbability : nil,
            isNovel: !trainingSentences.contains(text), meanings: meanings)
    }

    /// A meaning as generated data sets print it: `[a, b]` sequences as `a b`.
    static func rendered(_ meaning: String) -> String {
        guard meaning.hasPrefix("["), meaning.hasSuffix("]") else { return meaning }
        return String(meaning.dropFirst().dropLast())
    }

    /// The oracle's metrics over a set of generated strings.
    public struct Report: Codable, Sendable, Equatable {
        /// Number of strings assessed.
        public var count: Int
        /// Fraction in the language.
        public var validity: Double
        /// Mean `−log P(s)` over the valid strings of positive probability (nats per sentence): NLL_oracle.
        public var oracleNLL: Double?
        /// The same per token.
        public var oracleNLLPerToken: Double?
        /// Fraction of the valid strings that are not in the training sample.
        public var novelty: Double?
        /// Number of distinct valid strings.
        public var distinctValid: Int
        /// The probability mass of the distinct valid strings, `Σ P(s)`: how much of the grammar's distribution
        /// the generator covers (1: everything).
        public var coverage: Double
    }

    /// Validity, NLL_oracle, novelty and coverage of `outputs`.
    public func report(_ outputs: [String]) -> Report {
        // Generators repeat themselves: parse each distinct string once.
        var memo: [String: Assessment] = [:]
        let assessments = outputs.map { output -> Assessment in
            let key = Self.normalized(output)
            if let known = memo[key] { return known }
            let assessment = assess(key)
            memo[key] = assessment
            return assessment
        }
        let valid = assessments.filter(\.isValid)
        let scored = valid.compactMap { a in a.logProbability.map { (a, $0) } }
        let tokens = scored.reduce(0) { $0 + $1.0.sentence.split(separator: " ").count }
        var distinct: [String: Double] = [:]
        for (a, logP) in scored { distinct[a.sentence] = exp(logP) }
        let distinctValid = Set(valid.map(\.sentence)).count
        return Report(
            count: outputs.count,
            validity: outputs.isEmpty ? 0 : Double(valid.count) / Double(outputs.count),
            oracleNLL: scored.isEmpty ? nil : -scored.reduce(0) { $0 + $1.1 } / Double(scored.count),
            oracleNLLPerToken: scored.isEmpty ? nil : -scored.reduce(0) { $0 + $1.1 } / Double(max(1, tokens)),
            novelty: valid.isEmpty ? nil : Double(valid.filter(\.isNovel).count) / Double(valid.count),
            distinctValid: distinctValid, coverage: distinct.values.reduce(0, +))
    }

    /// Fraction of `(output, meaning)` pairs whose output is valid and has `meaning` among its readings' meanings
    /// (meaning-conditioned generation: the condition is decided by the grammar's semantics).
    public func meaningAccuracy(_ pairs: [(output: String, meaning: String)]) -> Double {
        guard !pairs.isEmpty else { return 0 }
        let hits = pairs.filter { assess($0.output).meanings.contains(Self.normalized($0.meaning)) }.count
        return Double(hits) / Double(pairs.count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
