import Autodiff
import Foundation

extension TransformerSeq2SeqModel {
    /// Greedy decoding of a batch of sources with the key/value cache: each unfinished sequence takes its most
    /// likely next token until `<eos>` or `maxLength` tokens. No gradients are recorded. Same contract as
    /// ``Seq2SeqModel/greedyDecode(_:maxLength:)``.
    public func greedyDecode(_ sources: [[Int]], maxLength: Int) -> [Seq2SeqHypothesis] {
        greedyDecode(sources, maxLength: maxLength, startTokens: nil, excluding: [])
    }

    /// Greedy decoding whose decoder reads `startTokens[b]` instead of `<bos>` as row `b`'s first input (a
    /// per-row condition such as a target-style token, as Lample et al. 2019 start their decoder), never choosing a
    /// token of `excluded`. With `startTokens` nil and nothing excluded, ``greedyDecode(_:maxLength:)``.
    ///
    /// - Precondition: `startTokens` (when given) has one token per source, each inside the target vocabulary.
    public func greedyDecode(_ sources: [[Int]], maxLength: Int, startTokens: [Int]?, excluding excluded: [Int])
        -> [Seq2SeqHypothesis]
    {
        precondition(maxLength > 0, "TransformerSeq2SeqModel.greedyDecode: maxLength \(maxLength) must be positive")
        let vocabularySize = configuration.targetVocabularySize
        precondition(
            startTokens.map { $0.count == sources.count && $0.allSatisfy { (0..<vocabularySize).contains($0) } }
                ?? true, "TransformerSeq2SeqModel.greedyDecode: one start token per source, inside the vocabulary")
        let banned = Set(excluded)
        return withoutGradients {
            let batch = sources.count
            let encoding = encode(sources)
            var states = initialStates(for: encoding)
            var previous = startTokens ?? [Int](repeating: SequenceVocabulary.beginning, count: batch)
            var tokens = [[Int]](repeating: [], count: batch)
            var scores = [Float](repeating: 0, count: batch)
            var finished = [Bool](repeating: false, count: batch)
            let vocabulary = configuration.targetVocabularySize
            for _ in 0..<maxLength where finished.contains(false) {
                let step = decodeStep(previousTokens: previous, states: states, encoding: encoding)
                states = step.states
                let logProbabilities = step.logits.logSoftmax(axis: 1).scalars
                for b in 0..<batch where !finished[b] {
                    var row = Array(logProbabilities[(b * vocabulary)..<((b + 1) * vocabulary)])
                    for token in banned where token >= 0 && token < vocabulary { row[token] = -.infinity }
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
            var search = BeamSearchState(width: width, lengthPenalty: lengthPenalty)
            for _ in 0..<maxLength {
                let live = search.beams.count
                if encoding.memory.shape[0] != live {
                    encoding = single.selectingRows(Array(repeating: 0, count: live))
                }
                let step = decodeStep(previousTokens: search.previousTokens, states: states, encoding: encoding)
                guard
                    let parents = search.advance(
                        logProbabilities: step.logits.logSoftmax(axis: 1).scalars, vocabulary: vocabulary)
                else { break }
                states = step.states.selectingRows(IndexTensor(parents))
            }
            return search.hypotheses()
        }
    }
}
