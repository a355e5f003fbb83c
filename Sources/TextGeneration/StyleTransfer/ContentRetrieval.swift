import Foundation

/// Retrieves the sentence of a style whose content is most similar to a query's content: TF-IDF-weighted cosine
/// similarity of word counts, over an inverted index (Li et al. 2018's retrieval step).
///
/// Words in more than ``commonFraction`` of the sentences carry almost no weight and have long posting lists, so
/// they are not traversed (their contribution to the norms is kept); when the rarer words find nothing, every word
/// is used.
public struct ContentRetrieval: Sendable {
    /// Words in more than this fraction of the documents are skipped while scoring.
    public static let commonFraction = 0.1

    private let postings: [String: [(document: Int32, weight: Float)]]
    private let inverseFrequency: [String: Float]
    private let norms: [Float]
    /// The indexed contents.
    public let documents: [[String]]

    /// Indexes `documents` (token lists).
    public init(documents: [[String]]) {
        self.documents = documents
        var frequency: [String: Int] = [:]
        for document in documents { for word in Set(document) { frequency[word, default: 0] += 1 } }
        let count = Float(max(documents.count, 1))
        var inverseFrequency: [String: Float] = [:]
        for (word, df) in frequency { inverseFrequency[word] = Foundation.log(count / Float(df)) + 1 }
        var postings: [String: [(document: Int32, weight: Float)]] = [:]
        var norms = [Float](repeating: 0, count: documents.count)
        for (index, document) in documents.enumerated() {
            var termCounts: [String: Int] = [:]
            for word in document { termCounts[word, default: 0] += 1 }
            var squared: Float = 0
            for (word, termCount) in termCounts {
                let weight = Float(termCount) * (inverseFrequency[word] ?? 1)
                postings[word, default: []].append((Int32(index), weight))
                squared += weight * weight
            }
            norms[index] = squared.squareRoot()
        }
        self.postings = postings
        self.inverseFrequency = inverseFrequency
        self.norms = norms
    }

    /// The index of the most similar document to `query` (ties: the lower index), excluding `excluded`; nil when
    /// no document shares a word with the query.
    public func best(for query: [String], excluding excluded: Set<Int> = []) -> Int? {
        var termCounts: [String: Int] = [:]
        for word in query { termCounts[word, default: 0] += 1 }
        let limit = max(1, Int(Double(documents.count) * Self.commonFraction))
        let selected = termCounts.filter { (postings[$0.key]?.count ?? 0) <= limit }
        if !selected.isEmpty, let found = best(terms: selected, excluding: excluded) { return found }
        return selected.count == termCounts.count ? nil : best(terms: termCounts, excluding: excluded)
    }

    /// The indexes of the `count` documents most similar to `query`, best first (ties: the lower index); fewer when
    /// fewer share a word with it. The same rare-words-first rule as ``best(for:excluding:)``.
    public func top(for query: [String], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        var termCounts: [String: Int] = [:]
        for word in query { termCounts[word, default: 0] += 1 }
        let limit = max(1, Int(Double(documents.count) * Self.commonFraction))
        let selected = termCounts.filter { (postings[$0.key]?.count ?? 0) <= limit }
        var found = selected.isEmpty ? [] : ranked(terms: selected, count: count)
        if found.isEmpty && selected.count != termCounts.count { found = ranked(terms: termCounts, count: count) }
        return found
    }

    private func scores(terms selected: [String: Int]) -> [Int32: Float] {
        var scores: [Int32: Float] = [:]
        for (word, termCount) in selected {
            guard let list = postings[word], let idf = inverseFrequency[word] else { continue }
            let queryWeight = Float(termCount) * idf
            for entry in list { scores[entry.document, default: 0] += queryWeight * entry.weight }
        }
        return scores
    }

    private func ranked(terms selected: [String: Int], count: Int) -> [Int] {
        let normalized = scores(terms: selected).map {
            (document: Int($0.key), score: $0.value / max(norms[Int($0.key)], 1e-12))
        }
        return normalized.sorted { $0.score != $1.score ? $0.score > $1.score : $0.document < $1.document }
            .prefix(count).map(\.document)
    }

    private func best(terms selected: [String: Int], excluding excluded: Set<Int>) -> Int? {
        var scores: [Int32: Float] = [:]
        for (word, termCount) in selected {
            guard let list = postings[word], let idf = inverseFrequency[word] else { continue }
            let queryWeight = Float(termCount) * idf
            for entry in list { scores[entry.document, default: 0] += queryWeight * entry.weight }
        }
        var bestIndex: Int?
        var bestScore: Float = -1
        for (document, score) in scores where !excluded.contains(Int(document)) {
            let normalized = score / max(norms[Int(document)], 1e-12)
            if normalized > bestScore || (normalized == bestScore && Int(document) < (bestIndex ?? Int.max)) {
                bestScore = normalized
                bestIndex = Int(document)
            }
        }
        return bestIndex
    }
}
