/// Counts of word n-grams of orders `1...maxOrder` over token ids, the statistic every BLEU variant clips.
struct NGramCounts {
    /// n-gram (as token ids) → count, one dictionary per order (index 0 = unigrams).
    var orders: [[NGramKey: Int]]

    init(ids: [Int32], maxOrder: Int) {
        orders = []
        orders.reserveCapacity(maxOrder)
        for n in 1...maxOrder {
            var counts: [NGramKey: Int] = [:]
            if ids.count >= n {
                counts.reserveCapacity(ids.count - n + 1)
                for start in 0...(ids.count - n) { counts[NGramKey(ids[start..<(start + n)]), default: 0] += 1 }
            }
            orders.append(counts)
        }
    }
}

/// An n-gram of token ids, hashable.
struct NGramKey: Hashable {
    let ids: [Int32]
    init(_ slice: ArraySlice<Int32>) { ids = Array(slice) }
}

/// Interns token strings to dense ids, so n-grams hash and compare as small integer arrays.
struct TokenInterner {
    private var ids: [String: Int32] = [:]

    mutating func ids(_ tokens: [String]) -> [Int32] {
        tokens.map { token in
            if let id = ids[token] { return id }
            let id = Int32(ids.count)
            ids[token] = id
            return id
        }
    }
}

/// Errors of the text metrics' inputs.
public enum TextMetricError: Error, Equatable, CustomStringConvertible {
    /// A reference stream (index `stream`, 0-based) has `references` lines for `hypotheses` hypotheses.
    case mismatchedLengths(stream: Int, hypotheses: Int, references: Int)
    /// A metric that needs references got none.
    case noReferences
    /// Fewer than two samples for a diversity metric that compares samples with each other.
    case tooFewSamples(Int)

    public var description: String {
        switch self {
        case .mismatchedLengths(let stream, let hypotheses, let references):
            "reference set \(stream + 1) has \(references) lines, the hypotheses \(hypotheses)"
        case .noReferences: "no references given"
        case .tooFewSamples(let count): "needs at least two samples, got \(count)"
        }
    }
}
