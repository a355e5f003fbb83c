import Autodiff
import Foundation

extension Seq2SeqModel {
    /// Beam search for one source: keeps the `width` best-scoring live prefixes (by summed log-probability); an
    /// `<eos>` ranked among the best `width` extensions sets that hypothesis aside as finished (it does not take a
    /// live slot). Stops when no live prefix can beat the best finished one (`lengthPenalty = 0`, exact), when
    /// `width` hypotheses are finished and the best of them beats the best live prefix's normalized score
    /// (`lengthPenalty > 0`, a heuristic as in Hugging Face's beam search), or at `maxLength` tokens (live prefixes
    /// are then returned unfinished). Returns the hypotheses best first by
    /// ``Seq2SeqHypothesis/score(lengthPenalty:)``. No gradients are recorded.
    ///
    /// Width 1 is greedy decoding. Beams run as one batch of `width` rows per step (Sutskever et al. 2014, §3.2;
    /// length normalization as in Wu et al. 2016 with `α = lengthPenalty`).
    public func beamSearch(_ source: [Int], width: Int, maxLength: Int, lengthPenalty: Float = 0)
        -> [Seq2SeqHypothesis]
    {
        precondition(
            width > 0 && maxLength > 0,
            "Seq2SeqModel.beamSearch: width \(width) and maxLength \(maxLength) must be positive")
        return withoutGradients {
            let vocabulary = configuration.targetVocabularySize
            let single = encode([source])
            var encoding = single
            var states = encoding.initialStates
            // Live beams: tokens so far and summed log-probabilities.
            var beams: [(tokens: [Int], score: Float)] = [([], 0)]
            var finished: [Seq2SeqHypothesis] = []
            for _ in 0..<maxLength {
                if encoding.memory.shape[0] != beams.count {
                    encoding = single.selectingRows(Array(repeating: 0, count: beams.count), with: Cell.mapState)
                }
                let previous = beams.map { $0.tokens.last ?? SequenceVocabulary.beginning }
                let step = decodeStep(previousTokens: previous, states: states, encoding: encoding)
                let logProbabilities = step.logits.logSoftmax(axis: 1).scalars
                // The best `width` extensions over all beams, ties broken by lower beam then lower token.
                var candidates: [(beam: Int, token: Int, score: Float)] = []
                candidates.reserveCapacity(beams.count * vocabulary)
                for (b, beam) in beams.enumerated() {
                    for k in 0..<vocabulary {
                        candidates.append((b, k, beam.score + logProbabilities[b * vocabulary + k]))
                    }
                }
                candidates.sort {
                    $0.score > $1.score || ($0.score == $1.score && ($0.beam, $0.token) < ($1.beam, $1.token))
                }
                // `<eos>` among the best `width` extensions finishes a hypothesis; the best `width` other
                // extensions stay live, so a finished hypothesis never pushes a better live one out.
                var next: [(tokens: [Int], score: Float)] = []
                var parents: [Int] = []
                for (rank, candidate) in candidates.enumerated() {
                    if candidate.token == SequenceVocabulary.end {
                        if rank < width {
                            finished.append(
                                Seq2SeqHypothesis(
                                    tokens: beams[candidate.beam].tokens, logProbability: candidate.score,
                                    finished: true))
                        }
                    } else if next.count < width {
                        next.append((beams[candidate.beam].tokens + [candidate.token], candidate.score))
                        parents.append(candidate.beam)
                    }
                    if next.count == width && rank >= width { break }
                }
                if shouldStop(finished: finished, live: next, width: width, lengthPenalty: lengthPenalty) {
                    beams = []
                    break
                }
                let rows = IndexTensor(parents)
                states = step.states.map { Cell.mapState($0) { $0.indexSelect(axis: 0, indices: rows) } }
                beams = next
            }
            let unfinished = beams.map {
                Seq2SeqHypothesis(tokens: $0.tokens, logProbability: $0.score, finished: false)
            }
            return (finished + unfinished).sorted {
                $0.score(lengthPenalty: lengthPenalty) > $1.score(lengthPenalty: lengthPenalty)
            }
        }
    }

    /// Whether no live prefix can (α = 0) or is expected to (α > 0, when `width` hypotheses are finished) beat the
    /// finished ones: a live prefix's log-probability only falls as it grows, so with α = 0 the test is exact.
    private func shouldStop(
        finished: [Seq2SeqHypothesis], live: [(tokens: [Int], score: Float)], width: Int, lengthPenalty: Float
    ) -> Bool {
        guard let bestLive = live.map(\.score).max() else { return true }
        guard !finished.isEmpty else { return false }
        if lengthPenalty == 0 { return (finished.map(\.logProbability).max() ?? -.infinity) >= bestLive }
        guard finished.count >= width else { return false }
        let bestLength = Float(live.map(\.tokens.count).max() ?? 1)
        let bestLiveScore = bestLive / Float(pow(Double(max(1, bestLength)), Double(lengthPenalty)))
        return (finished.map { $0.score(lengthPenalty: lengthPenalty) }.max() ?? -.infinity) >= bestLiveScore
    }
}
