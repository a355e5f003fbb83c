import Foundation

/// Diversity of a set of generated samples: distinct-n (Li et al. 2016) and diversity self-BLEU (Zhu et al. 2018,
/// Texygen) — not to be confused with source-BLEU, which compares outputs with their own inputs.
public enum DiversityMetrics {
    /// distinct-n: distinct n-grams divided by all n-grams over the samples (tokens split on whitespace).
    /// 0 when the samples have no n-grams.
    public static func distinct(_ samples: [String], n: Int) -> Double {
        precondition(n >= 1, "distinct-n: n must be at least 1")
        var interner = TokenInterner()
        var seen = Set<NGramKey>()
        var total = 0
        for sample in samples {
            let ids = interner.ids(PythonText.split(sample))
            guard ids.count >= n else { continue }
            for start in 0...(ids.count - n) {
                seen.insert(NGramKey(ids[start..<(start + n)]))
                total += 1
            }
        }
        return total == 0 ? 0 : Double(seen.count) / Double(total)
    }

    /// Diversity self-BLEU as Texygen computes it: the mean over samples of NLTK's sentence BLEU (uniform weights
    /// over orders 1…`maxOrder`, smoothing method 1 with ε = 0.1) of each sample against all the other samples as
    /// references; on a 0–1 scale. Lower means more diverse.
    ///
    /// - Complexity: O(total n-grams): each sample's clipping limits come from the two largest counts of each
    ///   n-gram over all samples, so the all-pairs comparison is never materialized.
    public static func selfBLEU(_ samples: [String], maxOrder: Int = 4) throws(TextMetricError) -> Double {
        guard samples.count >= 2 else { throw .tooFewSamples(samples.count) }
        var interner = TokenInterner()
        let tokenized = samples.map { interner.ids(PythonText.split($0)) }
        let counts = tokenized.map { NGramCounts(ids: $0, maxOrder: maxOrder) }
        // For each n-gram: the largest count and its sample, and the second largest count.
        var top: [[NGramKey: (best: Int, owner: Int, second: Int)]] = Array(repeating: [:], count: maxOrder)
        for (sample, sampleCounts) in counts.enumerated() {
            for n in 0..<maxOrder {
                for (gram, count) in sampleCounts.orders[n] {
                    var entry = top[n][gram] ?? (0, -1, 0)
                    if count > entry.best {
                        entry = (count, sample, entry.best)
                    } else if count > entry.second {
                        entry.second = count
                    }
                    top[n][gram] = entry
                }
            }
        }
        let lengths = LengthIndex(tokenized.map(\.count))
        var total = 0.0
        for (sample, sampleCounts) in counts.enumerated() {
            var precisions: [(numerator: Int, denominator: Int)] = []
            for n in 0..<maxOrder {
                var numerator = 0
                var denominator = 0
                for (gram, count) in sampleCounts.orders[n] {
                    denominator += count
                    guard let entry = top[n][gram] else { continue }
                    let limit = entry.owner == sample ? entry.second : entry.best
                    numerator += min(count, limit)
                }
                precisions.append((numerator, max(1, denominator)))
            }
            total += nltkSentenceBLEU(
                precisions: precisions, hypothesisLength: tokenized[sample].count,
                referenceLength: lengths.closestExcludingOne(tokenized[sample].count))
        }
        return total / Double(samples.count)
    }

    /// NLTK's `sentence_bleu` with uniform weights and `SmoothingFunction().method1` from modified precisions.
    static func nltkSentenceBLEU(
        precisions: [(numerator: Int, denominator: Int)], hypothesisLength: Int, referenceLength: Int
    ) -> Double {
        guard let unigrams = precisions.first, unigrams.numerator > 0 else { return 0 }
        let brevityPenalty: Double =
            hypothesisLength > referenceLength
            ? 1 : (hypothesisLength == 0 ? 0 : exp(1 - Double(referenceLength) / Double(hypothesisLength)))
        let weight = 1 / Double(precisions.count)
        var logSum = 0.0
        for precision in precisions {
            let value =
                precision.numerator == 0
                ? 0.1 / Double(precision.denominator) : Double(precision.numerator) / Double(precision.denominator)
            logSum += weight * log(value)
        }
        return brevityPenalty * exp(logSum)
    }

}

/// The multiset of the samples' lengths, for the closest reference length among all samples but one.
struct LengthIndex {
    private let multiplicity: [Int: Int]
    private let distinct: [Int]

    init(_ lengths: [Int]) {
        var multiplicity: [Int: Int] = [:]
        for length in lengths { multiplicity[length, default: 0] += 1 }
        self.multiplicity = multiplicity
        distinct = multiplicity.keys.sorted()
    }

    /// The length closest to `length` once one occurrence of `length` is removed (ties: the shorter); NLTK's
    /// `closest_ref_length`.
    func closestExcludingOne(_ length: Int) -> Int {
        if (multiplicity[length] ?? 0) >= 2 { return length }
        // First index whose length is ≥ `length`.
        var low = 0
        var high = distinct.count
        while low < high {
            let middle = (low + high) / 2
            if distinct[middle] < length { low = middle + 1 } else { high = middle }
        }
        let below = low > 0 ? distinct[low - 1] : nil
        var aboveIndex = low
        if aboveIndex < distinct.count && distinct[aboveIndex] == length { aboveIndex += 1 }
        let above = aboveIndex < distinct.count ? distinct[aboveIndex] : nil
        switch (below, above) {
        case (let below?, let above?): return length - below <= above - length ? below : above
        case (let below?, nil): return below
        case (nil, let above?): return above
        case (nil, nil): return 0
        }
    }
}
