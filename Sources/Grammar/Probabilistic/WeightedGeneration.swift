/// One sampled sentence with its meaning and probabilities, as `montague generate --weighted` prints it.
public struct WeightedExample: Codable, Sendable, Equatable {
    /// The sentence (tokens joined by spaces).
    public var input: String
    /// The meaning of the sampled derivation (a sequence of strings is joined by spaces, as in SCAN's files).
    public var output: String
    /// `log P(s)` of the sentence, summed over all its derivations (natural logarithm).
    public var logProbability: Double
    /// `log P(t)` of the sampled derivation.
    public var derivationLogProbability: Double
}

/// The score of one sentence under a probabilistic grammar.
public struct SentenceScore: Codable, Sendable, Equatable {
    /// The sentence as given.
    public var sentence: String
    /// Number of tokens.
    public var tokenCount: Int
    /// `log P(s)` (natural logarithm); nil when the grammar does not derive the sentence.
    public var logProbability: Double?

    /// Whether the sentence is in the language.
    public var isInLanguage: Bool { logProbability != nil }

    /// Negative log-likelihood per token (nats), nil outside the language.
    public var perTokenNLL: Double? { logProbability.map { -$0 / Double(max(1, tokenCount)) } }
}

extension ProbabilisticGrammar {
    /// `count` sentences sampled with `seed`, each with its derivation's meaning and both log-probabilities.
    public func generate(count: Int, seed: UInt64, maximumNodes: Int = 100_000) throws(GrammarError)
        -> [WeightedExample]
    {
        var builder = DerivationBuilder(grammar: grammar, bounds: grammar.bounds)
        return try samples(count: count, seed: seed, maximumNodes: maximumNodes).map { sample in
            var meaning = reading(ofDerivation: sample.derivation, builder: &builder)?.meaning ?? "⊥"
            if meaning.hasPrefix("[") && meaning.hasSuffix("]") { meaning = String(meaning.dropFirst().dropLast()) }
            return WeightedExample(
                input: sample.sentence, output: meaning, logProbability: logProbability(of: sample.tokens),
                derivationLogProbability: sample.derivationLogProbability)
        }
    }

    /// Scores sentences (words separated by spaces) by their exact log-probability.
    public func score(_ sentences: [String]) -> [SentenceScore] {
        sentences.map { sentence in
            let tokens = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let value = tokens.isEmpty ? -Double.infinity : logProbability(of: tokens)
            return SentenceScore(
                sentence: sentence, tokenCount: tokens.count, logProbability: value.isFinite ? value : nil)
        }
    }
}
