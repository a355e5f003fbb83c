import Autodiff
import Foundation

extension TransformerSeq2SeqModel {
    /// Greedy decoding of a batch of sources with the key/value cache: each unfinished sequence takes its most
    /// likely next token until `<eos>` or `maxLength` tokens. No gradients are recorded. Same contract as
    /// ``Seq2SeqModel/greedyDecode(_:maxLength:)``.
    public func greedyDecode(_ sources: [[Int]], maxLength: Int) -> [Seq2SeqHypothesis] {
        precondition(maxLength > 0, "TransformerSeq2SeqModel.greedyDecode: maxLength \(maxLength) must be positive")
        return withoutGradients {
            let batch = sources.count
            let encoding = encode(sources)
            var states = initialStates(for: encoding)
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
                    let row = Array(logProbabilities[(b * vocabulary)..<((b + 1) * vocabulary)])
                    let best = TokenSelection.argmax(row)
                    scores[b] += row[best]
                    previous[b] = best
                    if best == SequenceVocabulary.end { finished[b] = true } else { tokens[b].append(best) }
                }
            }
            return (0..<batch).map {
                Seq2SeqHypothesis(tokens: tokens[$0], logProbability: scores[$0], finished: finished[$0])
            }
        }
    }

    /// Beam search for one source with the key/value cache reordered per step; the same algorithm, stopping rules
    /// and ranking as ``Seq2SeqModel/beamSearch(_:width:maxLength:lengthPenalty:)`` (Sutskever et al. 2014; length
    /// normalization as in Wu et al. 2016). No gradients are recorded.
    public func beamSearch(_ source: [Int], width: Int, maxLength: Int, lengthPenalty: Float = 0)
        -> [Seq2SeqHypothesis]
    {
        precondition(
            width > 0 && maxLength > 0,
            "TransformerSeq2SeqModel.beamSearch: width \(width) and maxLength \(maxLength) must be positive")
        return withoutGradients {
            let vocabulary = configuration.targetVocabularySize
            let single = encode([source])
            var encoding = single
            var states = initialStates(for: single)
            var beams: [(tokens: [Int], score: Float)] = [([], 0)]
            var finished: [Seq2SeqHypothesis] = []
            for _ in 0..<maxLength {
                if encoding.memory.shape[0] != beams.count {
                    encoding = single.selectingRows(Array(repeating: 0, count: beams.count))
                }
                let previous = beams.map { $0.tokens.last ?? SequenceVocabulary.beginning }
                let step = decodeStep(previousTokens: previous, states: states, encoding: encoding)
                let logProbabilities = step.logits.logSoftmax(axis: 1).scalars
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
                if Self.beamsAreDone(finished: finished, live: next, width: width, lengthPenalty: lengthPenalty) {
                    beams = []
                    break
                }
                states = step.states.selectingRows(IndexTensor(parents))
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

    /// Whether no live prefix can (α = 0) or is expected to (α > 0, with `width` finished) beat the finished ones.
    static func beamsAreDone(
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
