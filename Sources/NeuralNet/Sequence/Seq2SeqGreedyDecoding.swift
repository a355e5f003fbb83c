import Autodiff
import Foundation

/// A decoded target sequence and its score.
public struct Seq2SeqHypothesis: Sendable, Equatable {
    /// Target token indices, without `<bos>` and without the final `<eos>`.
    public let tokens: [Int]
    /// `Σₜ log p(yₜ | y<ₜ, x)` over the emitted tokens, `<eos>` included when it was emitted.
    public let logProbability: Float
    /// Whether the sequence ended with `<eos>` (false when it was cut at the length limit).
    public let finished: Bool

    /// A hypothesis.
    public init(tokens: [Int], logProbability: Float, finished: Bool) {
        self.tokens = tokens
        self.logProbability = logProbability
        self.finished = finished
    }

    /// The score beam search ranks by: `logProbability / lengthᵅ` with length counting `<eos>` when emitted
    /// (`α = 0`: the plain log-probability; `α = 1`: per-token average, as in Wu et al. 2016's length normalization
    /// without their `(5 + |Y|) / 6` smoothing).
    public func score(lengthPenalty alpha: Float) -> Float {
        guard alpha != 0 else { return logProbability }
        let length = Float(max(1, tokens.count + (finished ? 1 : 0)))
        return logProbability / Float(pow(Double(length), Double(alpha)))
    }
}

extension Seq2SeqModel {
    /// Greedy decoding of a batch of sources: at each step every unfinished sequence takes its most likely next
    /// token, until it emits `<eos>` or has `maxLength` tokens. No gradients are recorded.
    public func greedyDecode(_ sources: [[Int]], maxLength: Int) -> [Seq2SeqHypothesis] {
        precondition(maxLength > 0, "Seq2SeqModel.greedyDecode: maxLength \(maxLength) must be positive")
        return withoutGradients {
            let batch = sources.count
            let encoding = encode(sources)
            var states = encoding.initialStates
            var previous = [Int](repeating: SequenceVocabulary.beginning, count: batch)
            var tokens = [[Int]](repeating: [], count: batch)
            var scores = [Float](repeating: 0, count: batch)
            var finished = [Bool](repeating: false, count: batch)
            let vocabulary = configuration.targetVocabularySize
            for _ in 0..<maxLength where finished.contains(false) {
                let step = decodeStep(previousTokens: previous, states: states, encoding: encoding)
                states = step.states
                let logProbabilities = step.logits.logSoftmax(axis: 1).scalars
                for b in 0..<batch where !finished[b] {
                    var best = 0
                    for k in 1..<vocabulary
                    where logProbabilities[b * vocabulary + k] > logProbabilities[b * vocabulary + best] {
                        best = k
                    }
                    scores[b] += logProbabilities[b * vocabulary + best]
                    previous[b] = best
                    if best == SequenceVocabulary.end { finished[b] = true } else { tokens[b].append(best) }
                }
            }
            return (0..<batch).map {
                Seq2SeqHypothesis(tokens: tokens[$0], logProbability: scores[$0], finished: finished[$0])
            }
        }
    }
}
