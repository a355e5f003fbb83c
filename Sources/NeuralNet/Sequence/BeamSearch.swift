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
            var search = BeamSearchState(width: width, lengthPenalty: lengthPenalty)
            for _ in 0..<maxLength {
                let live = search.beams.count
                if encoding.memory.shape[0] != live {
                    encoding = single.selectingRows(Array(repeating: 0, count: live), with: Cell.mapState)
                }
                let step = decodeStep(previousTokens: search.previousTokens, states: states, encoding: encoding)
                guard
                    let parents = search.advance(
                        logProbabilities: step.logits.logSoftmax(axis: 1).scalars, vocabulary: vocabulary)
                else { break }
                let rows = IndexTensor(parents)
                states = step.states.map { Cell.mapState($0) { $0.indexSelect(axis: 0, indices: rows) } }
            }
            return search.hypotheses()
        }
    }
}
