/// Learns byte-level BPE merges from a stream of texts (Sennrich, Haddow & Birch 2016, Algorithm 1, over bytes as
/// in Radford et al. 2019).
///
/// ``add(_:)`` only counts chunks (memory grows with the number of distinct chunks, not with the corpus), so a
/// corpus of any size can be streamed through it. ``train(vocabularySize:minimumFrequency:specialTokens:)`` then
/// repeatedly merges the most frequent adjacent pair (ties: the pair of smaller ids), updating the counts of only
/// the chunks that contain it. The same texts always give the same merges.
public struct BytePairEncodingTrainer: Sendable {
    /// Occurrences of each chunk seen so far.
    public private(set) var chunkCounts: [String: Int] = [:]

    /// An empty trainer.
    public init() {}

    /// Counts the chunks of `text`.
    public mutating func add(_ text: String) {
        ByteLevelPreTokenizer.forEachChunk(text) { chunkCounts[String($0), default: 0] += 1 }
    }

    /// A tokenizer with at most `vocabularySize` tokens: `specialTokens` (ids 0, 1, …), the 256 bytes, then one
    /// token per merge, stopping early when no pair occurs `minimumFrequency` times.
    public func train(vocabularySize: Int, minimumFrequency: Int = 2, specialTokens: [String] = [])
        -> BytePairEncoding
    {
        precondition(
            vocabularySize >= 256 + specialTokens.count && minimumFrequency >= 1,
            "BytePairEncodingTrainer.train: vocabularySize \(vocabularySize) must cover the 256 bytes and "
                + "\(specialTokens.count) special tokens; minimumFrequency \(minimumFrequency) must be positive")
        var pieces = specialTokens
        let byteTokens = (0..<256).map { specialTokens.count + $0 }
        pieces += (0..<256).map { ByteLevelAlphabet.piece([UInt8($0)]) }
        // Chunks sorted for determinism (dictionary order varies between runs).
        let sortedChunks = chunkCounts.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var words: [[Int32]] = sortedChunks.map { chunk in chunk.key.utf8.map { Int32(byteTokens[Int($0)]) } }
        let counts = sortedChunks.map(\.value)
        var pairCounts: [UInt64: Int] = [:]
        var pairWords: [UInt64: [Int32]] = [:]
        for (w, word) in words.enumerated() where word.count > 1 {
            for i in 0..<(word.count - 1) {
                let key = BytePairEncoding.key(Int(word[i]), Int(word[i + 1]))
                pairCounts[key, default: 0] += counts[w]
                pairWords[key, default: []].append(Int32(w))
            }
        }
        var heap = PairHeap()
        for (key, count) in pairCounts { heap.push(count: count, key: key) }
        var merges: [(left: Int, right: Int)] = []
        var results: [Int] = []
        while pieces.count < vocabularySize, let top = heap.pop() {
            let current = pairCounts[top.key] ?? 0
            if current != top.count {
                if current > 0 { heap.push(count: current, key: top.key) }
                continue
            }
            guard current >= minimumFrequency else { break }
            let left = Int32(truncatingIfNeeded: top.key >> 32)
            let right = Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF)
            let newID = Int32(pieces.count)
            pieces.append(pieces[Int(left)] + pieces[Int(right)])
            merges.append((Int(left), Int(right)))
            results.append(Int(newID))
            var deltas: [UInt64: Int] = [:]
            var visited = Set<Int32>()
            for w in pairWords[top.key] ?? [] where visited.insert(w).inserted {
                let word = words[Int(w)]
                var merged: [Int32] = []
                merged.reserveCapacity(word.count)
                var i = 0
                var changed = false
                while i < word.count {
                    if i + 1 < word.count && word[i] == left && word[i + 1] == right {
                        merged.append(newID)
                        i += 2
                        changed = true
                    } else {
                        merged.append(word[i])
                        i += 1
                    }
                }
                guard changed else { continue }
                let count = counts[Int(w)]
                for i in 0..<(word.count - 1) {
                    deltas[BytePairEncoding.key(Int(word[i]), Int(word[i + 1])), default: 0] -= count
                }
                if merged.count > 1 {
                    for i in 0..<(merged.count - 1) {
                        let key = BytePairEncoding.key(Int(merged[i]), Int(merged[i + 1]))
                        deltas[key, default: 0] += count
                        if merged[i] == newID || merged[i + 1] == newID { pairWords[key, default: []].append(w) }
                    }
                }
                words[Int(w)] = merged
            }
            pairWords[top.key] = nil
            for (key, delta) in deltas.sorted(by: { $0.key < $1.key }) where delta != 0 {
                let updated = (pairCounts[key] ?? 0) + delta
                pairCounts[key] = updated > 0 ? updated : nil
                if delta > 0 { heap.push(count: updated, key: key) }
            }
        }
        var specials: [String: Int] = [:]
        for (id, token) in specialTokens.enumerated() { specials[token] = id }
        return BytePairEncoding(
            pieces: pieces, byteTokens: byteTokens, merges: merges, mergeResults: results, specialTokens: specials)
    }
}

extension BytePairEncoding {
    /// Learns a tokenizer of at most `vocabularySize` tokens from `texts`, streamed once (see
    /// ``BytePairEncodingTrainer``).
    public static func train<Texts: Sequence<String>>(
        on texts: Texts, vocabularySize: Int, minimumFrequency: Int = 2, specialTokens: [String] = []
    ) -> BytePairEncoding {
        var trainer = BytePairEncodingTrainer()
        for text in texts { trainer.add(text) }
        return trainer.train(
            vocabularySize: vocabularySize, minimumFrequency: minimumFrequency, specialTokens: specialTokens)
    }
}

/// A binary max-heap of (count, pair) entries: larger count first, then smaller pair key.
struct PairHeap {
    private var entries: [(count: Int, key: UInt64)] = []

    private static func before(_ a: (count: Int, key: UInt64), _ b: (count: Int, key: UInt64)) -> Bool {
        a.count > b.count || (a.count == b.count && a.key < b.key)
    }

    mutating func push(count: Int, key: UInt64) {
        entries.append((count, key))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (count: Int, key: UInt64)? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < entries.count else { break }
                var best = left
                if left + 1 < entries.count && Self.before(entries[left + 1], entries[left]) { best = left + 1 }
                guard Self.before(entries[best], entries[parent]) else { break }
                entries.swapAt(best, parent)
                parent = best
            }
        }
        return top
    }
}
