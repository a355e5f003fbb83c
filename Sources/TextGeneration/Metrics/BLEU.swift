import Foundation

/// Corpus and sentence BLEU with several references per hypothesis, exactly as sacreBLEU 2 computes it
/// (Papineni et al. 2002, "BLEU: a method for automatic evaluation of machine translation"; Post 2018, "A call for
/// clarity in reporting BLEU scores").
///
/// For each hypothesis, n-gram counts (n = 1…``maxOrder``) are clipped by their largest count in any one
/// reference; the reference length is the one closest to the hypothesis length (ties: the shorter). Corpus BLEU
/// sums the statistics over sentences, then
///
/// ```
/// BLEU = BP · exp( (1/N) Σₙ log pₙ ),   BP = 1 if c ≥ r else exp(1 − r/c),   pₙ = matchesₙ / totalₙ
/// ```
///
/// on a 0–100 scale, with sacreBLEU's smoothing of zero counts (``Smoothing``; corpus default `exp`).
///
/// Two uses keep distinct names throughout Montague: **source-BLEU** scores outputs against their own inputs (the
/// style-transfer literature's "self-BLEU", a content-preservation measure), and **diversity self-BLEU**
/// (``DiversityMetrics/selfBLEU(_:maxOrder:)``) scores each sample against the other samples (Texygen).
public struct BLEU: Sendable {
    /// How zero n-gram matches are smoothed (Chen & Cherry 2014, as sacreBLEU names them).
    public enum Smoothing: Equatable, Sendable {
        /// No smoothing: any order without a match gives BLEU 0.
        case none
        /// A zero count becomes `value` (default 0.1).
        case floor(Double)
        /// `value` (default 1) is added to matches and totals of orders n ≥ 2.
        case addK(Double)
        /// mteval's exponential decay: the k-th order without a match gets precision 1 / (2^k · total).
        case exponential

        /// Parses `none`, `floor`, `floor:0.2`, `add-k`, `add-k:2`, `exp`.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            let value = parts.count == 2 ? Double(parts[1]) : nil
            if parts.count == 2 && value == nil { return nil }
            switch parts.first {
            case "none" where parts.count == 1: self = .none
            case "exp" where parts.count == 1: self = .exponential
            case "floor": self = .floor(value ?? 0.1)
            case "add-k": self = .addK(value ?? 1)
            default: return nil
            }
        }
    }

    /// The sufficient statistics of BLEU for one sentence or, summed, a corpus.
    public struct Statistics: Equatable, Sendable {
        /// Hypothesis length in tokens.
        public var hypothesisLength: Int
        /// The closest reference length.
        public var referenceLength: Int
        /// Clipped matches per order (index 0 = unigrams).
        public var matches: [Int]
        /// Hypothesis n-grams per order.
        public var totals: [Int]

        /// Zero statistics for `maxOrder` orders.
        public init(maxOrder: Int) {
            hypothesisLength = 0
            referenceLength = 0
            matches = Array(repeating: 0, count: maxOrder)
            totals = Array(repeating: 0, count: maxOrder)
        }

        /// Adds `other` (corpus statistics are sums of sentence statistics).
        public static func += (lhs: inout Statistics, rhs: Statistics) {
            lhs.hypothesisLength += rhs.hypothesisLength
            lhs.referenceLength += rhs.referenceLength
            for n in lhs.matches.indices {
                lhs.matches[n] += rhs.matches[n]
                lhs.totals[n] += rhs.totals[n]
            }
        }
    }

    /// A BLEU score with its parts.
    public struct Score: Equatable, Sendable {
        /// BLEU on a 0–100 scale.
        public var score: Double
        /// The (smoothed) n-gram precisions on a 0–100 scale.
        public var precisions: [Double]
        /// The brevity penalty.
        public var brevityPenalty: Double
        /// The statistics the score was computed from.
        public var statistics: Statistics
    }

    /// The largest n-gram order (4 for BLEU-4).
    public var maxOrder: Int
    /// Smoothing of zero counts.
    public var smoothing: Smoothing
    /// The tokenizer applied to hypotheses and references.
    public var tokenizer: BLEUTokenizer
    /// Lowercase before tokenizing.
    public var lowercase: Bool
    /// Average only over the orders the hypothesis has n-grams of (sacreBLEU's `effective_order`, used for
    /// sentence-level scores).
    public var effectiveOrder: Bool

    /// A BLEU configuration; the defaults are sacreBLEU's corpus BLEU.
    public init(
        maxOrder: Int = 4, smoothing: Smoothing = .exponential, tokenizer: BLEUTokenizer = .thirteenA,
        lowercase: Bool = false, effectiveOrder: Bool = false
    ) {
        precondition(maxOrder >= 1, "BLEU: maxOrder must be at least 1, got \(maxOrder)")
        self.maxOrder = maxOrder
        self.smoothing = smoothing
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.effectiveOrder = effectiveOrder
    }

    /// The tokens BLEU counts for `line` (lowercased if configured, trailing whitespace removed, tokenized).
    public func tokens(_ line: String) -> [String] {
        tokenizer.tokens(PythonText.rstrip(lowercase ? PythonText.lower(line) : line))
    }

    /// The statistics of one hypothesis against its references.
    public func statistics(hypothesis: String, references: [String]) -> Statistics {
        var interner = TokenInterner()
        return statistics(
            hypothesis: interner.ids(tokens(hypothesis)), references: references.map { interner.ids(tokens($0)) })
    }

    /// The statistics of one tokenized hypothesis (as interned ids) against tokenized references.
    func statistics(hypothesis: [Int32], references: [[Int32]]) -> Statistics {
        var result = Statistics(maxOrder: maxOrder)
        result.hypothesisLength = hypothesis.count
        result.referenceLength = Self.closestLength(to: hypothesis.count, among: references.map(\.count))
        let hypothesisCounts = NGramCounts(ids: hypothesis, maxOrder: maxOrder)
        let referenceCounts = references.map { NGramCounts(ids: $0, maxOrder: maxOrder) }
        for n in 0..<maxOrder {
            for (gram, count) in hypothesisCounts.orders[n] {
                result.totals[n] += count
                var limit = 0
                for reference in referenceCounts { limit = max(limit, reference.orders[n][gram] ?? 0) }
                result.matches[n] += min(count, limit)
            }
        }
        return result
    }

    /// sacreBLEU's closest reference length: smallest |r − c|, ties to the shorter reference; 0 without references.
    static func closestLength(to length: Int, among lengths: [Int]) -> Int {
        var closestDifference = -1
        var closest = 0
        for candidate in lengths {
            let difference = abs(length - candidate)
            if closestDifference == -1 || difference < closestDifference {
                closestDifference = difference
                closest = candidate
            } else if difference == closestDifference && candidate < closest {
                closest = candidate
            }
        }
        return closest
    }

    /// BLEU from (summed) statistics.
    public func score(_ statistics: Statistics) -> Score {
        var matches = statistics.matches.map(Double.init)
        var totals = statistics.totals.map(Double.init)
        let hypothesisLength = Double(statistics.hypothesisLength)
        let referenceLength = Double(statistics.referenceLength)
        let brevityPenalty: Double =
            hypothesisLength < referenceLength
            ? (hypothesisLength > 0 ? exp(1 - referenceLength / hypothesisLength) : 0) : 1
        var precisions = Array(repeating: 0.0, count: maxOrder)
        guard statistics.matches.contains(where: { $0 != 0 }) else {
            return Score(score: 0, precisions: precisions, brevityPenalty: brevityPenalty, statistics: statistics)
        }
        var exponentialFactor = 1.0
        var order = maxOrder
        for n in 0..<maxOrder {
            if case .addK(let k) = smoothing, n > 0 {
                matches[n] += k
                totals[n] += k
            }
            if totals[n] == 0 { break }
            if effectiveOrder { order = n + 1 }
            if matches[n] == 0 {
                switch smoothing {
                case .exponential:
                    exponentialFactor *= 2
                    precisions[n] = 100 / (exponentialFactor * totals[n])
                case .floor(let value):
                    precisions[n] = 100 * value / totals[n]
                case .none, .addK:
                    break
                }
            } else {
                precisions[n] = 100 * matches[n] / totals[n]
            }
        }
        // sacreBLEU takes log(0) as −9999999999, which drives the score to 0.
        let logSum = precisions[0..<order].reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        return Score(
            score: brevityPenalty * exp(logSum / Double(order)), precisions: precisions,
            brevityPenalty: brevityPenalty, statistics: statistics)
    }

    /// The statistics of every sentence: `references[k][i]` is reference set k's reference for hypothesis i.
    ///
    /// - Throws: ``TextMetricError`` when no reference set is given or a set's length differs from the
    ///   hypotheses'.
    public func sentenceStatistics(hypotheses: [String], references: [[String]]) throws(TextMetricError)
        -> [Statistics]
    {
        guard !references.isEmpty else { throw .noReferences }
        for (index, stream) in references.enumerated() where stream.count != hypotheses.count {
            throw .mismatchedLengths(stream: index, hypotheses: hypotheses.count, references: stream.count)
        }
        var interner = TokenInterner()
        return hypotheses.indices.map { index in
            statistics(
                hypothesis: interner.ids(tokens(hypotheses[index])),
                references: references.map { interner.ids(tokens($0[index])) })
        }
    }

    /// Corpus BLEU of `hypotheses` against reference sets (`references[k][i]` for hypothesis i).
    public func corpusScore(hypotheses: [String], references: [[String]]) throws(TextMetricError) -> Score {
        var total = Statistics(maxOrder: maxOrder)
        for sentence in try sentenceStatistics(hypotheses: hypotheses, references: references) { total += sentence }
        return score(total)
    }

    /// Sentence BLEU as sacreBLEU's `sentence_bleu` computes it (this configuration with effective order on).
    public func sentenceScore(hypothesis: String, references: [String]) -> Score {
        var sentence = self
        sentence.effectiveOrder = true
        return sentence.score(statistics(hypothesis: hypothesis, references: references))
    }
}
