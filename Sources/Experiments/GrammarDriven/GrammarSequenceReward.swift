import Foundation
import Grammar
import TextGeneration

/// What a grammar rewards in policy-gradient training.
public enum GrammarRewardKind: String, CaseIterable, Codable, Sendable {
    /// 1 when the sentence is in the language, 0 otherwise.
    case validity
    /// `P(s)^(1/n)` for a sentence of `n` tokens in the language (the geometric mean of its per-token
    /// probability under the grammar, in (0, 1]), 0 outside it.
    case probability
}

/// The grammar itself as the reward of policy-gradient sequence training: an exact "human" judgement of every
/// sequence, where SeqGAN (Yu et al. 2017) learns a discriminator to approximate it.
///
/// Sequences are decoded by ``GrammarVocabulary/decode(_:)`` (the words before `</s>`) and scored by the exact
/// inside probability of ``ProbabilisticGrammar/logProbability(of:)``; scores are memoised per sentence, since
/// Monte Carlo rollouts score many repeated completions.
public final class GrammarSequenceReward: SequenceReward {
    /// The grammar.
    public let grammar: ProbabilisticGrammar
    /// The token ids.
    public let vocabulary: GrammarVocabulary
    /// What is rewarded.
    public let kind: GrammarRewardKind
    private var memo: [String: Double] = [:]

    /// A reward of `kind` under `grammar`.
    public init(grammar: ProbabilisticGrammar, vocabulary: GrammarVocabulary, kind: GrammarRewardKind) {
        self.grammar = grammar
        self.vocabulary = vocabulary
        self.kind = kind
    }

    /// The reward of one sentence (words separated by single spaces).
    public func reward(ofSentence sentence: String) -> Double {
        if let known = memo[sentence] { return known }
        let words = sentence.split(separator: " ").map(String.init)
        let logProbability = words.isEmpty ? -Double.infinity : grammar.logProbability(of: words)
        let value: Double
        if !logProbability.isFinite {
            value = 0
        } else {
            switch kind {
            case .validity: value = 1
            case .probability: value = Foundation.exp(logProbability / Double(words.count))
            }
        }
        memo[sentence] = value
        return value
    }

    /// The reward of each sequence.
    public func rewards(for sequences: [[Int]]) -> [Double] {
        sequences.map { reward(ofSentence: vocabulary.decode($0)) }
    }
}
