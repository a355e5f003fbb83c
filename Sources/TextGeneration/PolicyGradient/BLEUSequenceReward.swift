/// PG-BLEU, the baseline of Yu et al. 2017 ("SeqGAN", §5): the reward of a token sequence is its sentence BLEU
/// against a fixed reference set — usually the training data — on a 0–1 scale, instead of a discriminator's
/// verdict. It measures how much of a sequence's n-gram content occurs in real data.
///
/// Multi-reference clipping as in Papineni et al. 2002 and ``BLEU``: an n-gram's count is clipped at the largest
/// count it has in any one reference. Those maxima are computed once over the whole reference set, so scoring a
/// sequence costs one dictionary lookup per n-gram whatever the number of references. The brevity penalty uses the
/// closest reference length (ties to the shorter, as sacreBLEU). The score itself is ``BLEU/score(_:)`` with
/// `bleu`'s order and smoothing, so sentence BLEU of a single zero n-gram order does not zero the reward unless the
/// smoothing says so.
public struct BLEUSequenceReward: SequenceReward, Sendable {
    /// The BLEU configuration (order and smoothing) the statistics are scored with.
    public let bleu: BLEU
    /// Per order (index 0 = unigrams), each n-gram's largest count in one reference.
    private let maximumCounts: [[[Int]: Int]]
    /// The distinct reference lengths, ascending.
    private let referenceLengths: [Int]

    /// The reward against `references` (token-id sequences), with BLEU of order `maxOrder` (4: BLEU-4) and
    /// `smoothing` of zero counts (default: sacreBLEU's `floor` 0.1, so a short sample without a 4-gram match still
    /// gets a graded reward).
    ///
    /// - Precondition: `references` is not empty and `maxOrder ≥ 1`.
    public init(references: [[Int]], maxOrder: Int = 4, smoothing: BLEU.Smoothing = .floor(0.1)) {
        precondition(!references.isEmpty, "BLEUSequenceReward: no references")
        precondition(maxOrder >= 1, "BLEUSequenceReward: maxOrder must be at least 1, got \(maxOrder)")
        bleu = BLEU(maxOrder: maxOrder, smoothing: smoothing, tokenizer: .none)
        var maxima = Array(repeating: [[Int]: Int](), count: maxOrder)
        for reference in references {
            for (order, counts) in Self.counts(of: reference, maxOrder: maxOrder).enumerated() {
                for (gram, count) in counts where count > maxima[order][gram, default: 0] {
                    maxima[order][gram] = count
                }
            }
        }
        maximumCounts = maxima
        referenceLengths = Array(Set(references.map(\.count))).sorted()
    }

    /// The BLEU statistics of `sequence` against the reference set.
    public func statistics(of sequence: [Int]) -> BLEU.Statistics {
        var result = BLEU.Statistics(maxOrder: bleu.maxOrder)
        result.hypothesisLength = sequence.count
        result.referenceLength = BLEU.closestLength(to: sequence.count, among: referenceLengths)
        for (order, counts) in Self.counts(of: sequence, maxOrder: bleu.maxOrder).enumerated() {
            for (gram, count) in counts {
                result.totals[order] += count
                result.matches[order] += min(count, maximumCounts[order][gram] ?? 0)
            }
        }
        return result
    }

    /// Sentence BLEU of each sequence against the reference set, divided by 100.
    public func rewards(for sequences: [[Int]]) -> [Double] {
        sequences.map { bleu.score(statistics(of: $0)).score / 100 }
    }

    /// The n-gram counts of `sequence` for orders 1…`maxOrder`.
    private static func counts(of sequence: [Int], maxOrder: Int) -> [[[Int]: Int]] {
        (1...maxOrder).map { n in
            var counts: [[Int]: Int] = [:]
            if sequence.count >= n {
                for start in 0...(sequence.count - n) { counts[Array(sequence[start..<(start + n)]), default: 0] += 1 }
            }
            return counts
        }
    }
}
