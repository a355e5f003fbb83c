import Autodiff

extension Seq2SeqModel {
    /// Beam search for one source: keeps the `width` best-scoring prefixes (by summed log-probability); a prefix
    /// that emits `<eos>` is set aside as a finished hypothesis. Stops when `width` hypotheses are finished, when
    /// (with `lengthPenalty = 0`) no live prefix can beat the best finished one, or at `maxLength` tokens (live
    /// prefixes are then returned unfinished). Returns the hypotheses best first by
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
                var next: [(tokens: [Int], score: Float)] = []
                var parents: [Int] = []
                for candidate in candidates.prefix(width) {
                    if candidate.token == SequenceVocabulary.end {
                        finished.append(
                            Seq2SeqHypothesis(
                                tokens: beams[candidate.beam].tokens, logProbability: candidate.score, finished: true))
                    } else {
                        next.append((beams[candidate.beam].tokens + [candidate.token], candidate.score))
                        parents.append(candidate.beam)
                    }
                }
                if finished.count >= width || next.isEmpty {
                    beams = []
                    break
                }
                if lengthPenalty == 0, let best = finished.map(\.logProbability).max(),
                    best >= next.map(\.score).max() ?? -Float.infinity
                {
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
}
