import Foundation

/// The model-independent half of beam search, shared by every sequence-to-sequence model: the live prefixes, the
/// finished hypotheses, the choice of the best `width` extensions per step and the stopping rule. A model supplies
/// each step's log-probabilities and reorders its own decoder state by the returned parent rows.
///
/// An `<eos>` ranked among the best `width` extensions sets that hypothesis aside as finished (it does not take a
/// live slot). Search stops when no live prefix can beat the best finished one (`lengthPenalty = 0`, exact: a
/// prefix's log-probability only falls as it grows), or, with `lengthPenalty > 0`, when `width` hypotheses are
/// finished and the best of them beats the best live prefix's normalized score (a heuristic, as in Hugging Face's
/// beam search). Ties are broken by lower beam, then lower token.
struct BeamSearchState {
    /// Live prefixes kept per step.
    let width: Int
    /// Length-normalization exponent α (Wu et al. 2016).
    let lengthPenalty: Float
    /// Live prefixes and their summed log-probabilities.
    private(set) var beams: [(tokens: [Int], score: Float)] = [([], 0)]
    /// Hypotheses that emitted `<eos>`.
    private(set) var finished: [Seq2SeqHypothesis] = []

    init(width: Int, lengthPenalty: Float) {
        self.width = width
        self.lengthPenalty = lengthPenalty
    }

    /// The last token of every live prefix (`<s>` for the empty one): the next decoder step's inputs.
    var previousTokens: [Int] { beams.map { $0.tokens.last ?? SequenceVocabulary.beginning } }

    /// Extends the live prefixes by one token from `logProbabilities` (`beams.count × vocabulary`, row-major).
    ///
    /// - Returns: for each new live prefix, the row of the prefix it extends (to reorder the decoder state), or nil
    ///   when the search is over.
    mutating func advance(logProbabilities: [Float], vocabulary: Int) -> [Int]? {
        var candidates: [(beam: Int, token: Int, score: Float)] = []
        candidates.reserveCapacity(beams.count * vocabulary)
        for (b, beam) in beams.enumerated() {
            for k in 0..<vocabulary { candidates.append((b, k, beam.score + logProbabilities[b * vocabulary + k])) }
        }
        candidates.sort {
            $0.score > $1.score || ($0.score == $1.score && ($0.beam, $0.token) < ($1.beam, $1.token))
        }
        // `<eos>` among the best `width` extensions finishes a hypothesis; the best `width` other extensions stay
        // live, so a finished hypothesis never pushes a better live one out.
        var next: [(tokens: [Int], score: Float)] = []
        var parents: [Int] = []
        for (rank, candidate) in candidates.enumerated() {
            if candidate.token == SequenceVocabulary.end {
                if rank < width {
                    finished.append(
                        Seq2SeqHypothesis(
                            tokens: beams[candidate.beam].tokens, logProbability: candidate.score, finished: true))
                }
            } else if next.count < width {
                next.append((beams[candidate.beam].tokens + [candidate.token], candidate.score))
                parents.append(candidate.beam)
            }
            if next.count == width && rank >= width { break }
        }
        if isDone(live: next) {
            beams = []
            return nil
        }
        beams = next
        return parents
    }

    /// Whether no live prefix can (α = 0) or is expected to (α > 0, with `width` finished) beat the finished ones.
    private func isDone(live: [(tokens: [Int], score: Float)]) -> Bool {
        guard let bestLive = live.map(\.score).max() else { return true }
        guard !finished.isEmpty else { return false }
        if lengthPenalty == 0 { return (finished.map(\.logProbability).max() ?? -.infinity) >= bestLive }
        guard finished.count >= width else { return false }
        let bestLength = Float(live.map(\.tokens.count).max() ?? 1)
        let bestLiveScore = bestLive / Float(pow(Double(max(1, bestLength)), Double(lengthPenalty)))
        return (finished.map { $0.score(lengthPenalty: lengthPenalty) }.max() ?? -.infinity) >= bestLiveScore
    }

    /// Finished and still-live hypotheses, best first by ``Seq2SeqHypothesis/score(lengthPenalty:)``.
    func hypotheses() -> [Seq2SeqHypothesis] {
        let unfinished = beams.map { Seq2SeqHypothesis(tokens: $0.tokens, logProbability: $0.score, finished: false) }
        return (finished + unfinished).sorted {
            $0.score(lengthPenalty: lengthPenalty) > $1.score(lengthPenalty: lengthPenalty)
        }
    }
}
