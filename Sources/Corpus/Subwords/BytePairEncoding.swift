/// A byte-level byte-pair-encoding tokenizer (Sennrich, Haddow & Birch 2016, "Neural Machine Translation of Rare
/// Words with Subword Units"; byte-level as in Radford et al. 2019, GPT-2).
///
/// Text is split into chunks by ``ByteLevelPreTokenizer``; each chunk's UTF-8 bytes start as one token per byte and
/// the learned merges are applied in the order they were learned (the merge of lowest rank present first, every
/// occurrence left to right). Every byte has a token, so any Unicode text encodes, and ``decode(_:)`` returns it
/// exactly. Token ids are positions in ``pieces``; a piece is its bytes written in ``ByteLevelAlphabet``, the form
/// Hugging Face `tokenizer.json` files use (``HuggingFaceTokenizerFile``).
///
/// ```swift
/// let bpe = BytePairEncoding.train(on: ["low lower lowest", "new newer"], vocabularySize: 300)
/// let ids = bpe.encode("lowest newer")
/// bpe.decode(ids) == "lowest newer"   // true for any text
/// ```
public struct BytePairEncoding: Sendable, Equatable {
    /// Each token's piece (its bytes in ``ByteLevelAlphabet``), by id.
    public let pieces: [String]
    /// The merges as pairs of ids, in the order learned (rank 0 first); merge `r` makes token ``mergeResults``[r].
    public let merges: [(left: Int, right: Int)]
    /// The token each merge makes.
    public let mergeResults: [Int]
    /// The id of each byte value.
    public let byteTokens: [Int]
    /// Ids that stand for themselves (special tokens such as `<pad>`), never produced by ``encode(_:)``.
    public let specialTokens: [String: Int]

    let tokenBytes: [[UInt8]]
    let mergeTable: [UInt64: (rank: Int32, result: Int32)]

    /// A tokenizer from its parts; `byteTokens[b]` is the id of byte `b`, and merge `r` joins `merges[r]` into
    /// `mergeResults[r]`. Ids must lie in `pieces.indices`.
    public init(
        pieces: [String], byteTokens: [Int], merges: [(left: Int, right: Int)], mergeResults: [Int],
        specialTokens: [String: Int] = [:]
    ) {
        precondition(
            byteTokens.count == 256 && merges.count == mergeResults.count
                && (byteTokens + mergeResults + merges.flatMap { [$0.left, $0.right] } + specialTokens.values)
                    .allSatisfy { pieces.indices.contains($0) },
            "BytePairEncoding: byte tokens, merges or special tokens outside the \(pieces.count) pieces")
        self.pieces = pieces
        self.byteTokens = byteTokens
        self.merges = merges
        self.mergeResults = mergeResults
        self.specialTokens = specialTokens
        let specialIDs = Dictionary(specialTokens.map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
        tokenBytes = pieces.enumerated().map { id, piece in
            if let literal = specialIDs[id] { return Array(literal.utf8) }
            return ByteLevelAlphabet.bytes(of: piece) ?? Array(piece.utf8)
        }
        var table: [UInt64: (rank: Int32, result: Int32)] = [:]
        table.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let key = Self.key(merge.left, merge.right)
            if table[key] == nil { table[key] = (Int32(rank), Int32(mergeResults[rank])) }
        }
        mergeTable = table
    }

    /// Number of tokens.
    public var vocabularySize: Int { pieces.count }

    @inline(__always) static func key(_ left: Int, _ right: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
    }

    /// The token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var result: [Int] = []
        var scratch: [Int32] = []
        ByteLevelPreTokenizer.forEachChunk(text) { chunk in
            encodeChunk(chunk, into: &scratch)
            for id in scratch { result.append(Int(id)) }
        }
        return result
    }

    /// The token ids of each text, reusing the ids of chunks seen before in the batch (corpora repeat their words,
    /// so most chunks are looked up instead of merged).
    public func encode(batch texts: [String]) -> [[Int]] {
        var cache: [Substring: [Int32]] = [:]
        var scratch: [Int32] = []
        return texts.map { text in
            var result: [Int] = []
            ByteLevelPreTokenizer.forEachChunk(text) { chunk in
                if let known = cache[chunk] {
                    for id in known { result.append(Int(id)) }
                    return
                }
                encodeChunk(chunk, into: &scratch)
                if cache.count < 1 << 20 { cache[chunk] = scratch }
                for id in scratch { result.append(Int(id)) }
            }
            return result
        }
    }

    /// The pieces of `text` (each token's bytes in ``ByteLevelAlphabet``), usable as the words of a word vocabulary.
    public func encodeToPieces(_ text: String) -> [String] { encode(text).map { pieces[$0] } }

    /// Applies the merges to one chunk.
    func encodeChunk(_ chunk: Substring, into ids: inout [Int32]) {
        ids.removeAll(keepingCapacity: true)
        for byte in chunk.utf8 { ids.append(Int32(byteTokens[Int(byte)])) }
        while ids.count > 1 {
            var bestRank = Int32.max
            var bestResult: Int32 = 0
            var bestKey: UInt64 = 0
            for i in 0..<(ids.count - 1) {
                let key = Self.key(Int(ids[i]), Int(ids[i + 1]))
                if let merge = mergeTable[key], merge.rank < bestRank {
                    (bestRank, bestResult, bestKey) = (merge.rank, merge.result, key)
                }
            }
            guard bestRank != Int32.max else { break }
            var write = 0
            var read = 0
            while read < ids.count {
                if read + 1 < ids.count && Self.key(Int(ids[read]), Int(ids[read + 1])) == bestKey {
                    ids[write] = bestResult
                    read += 2
                } else {
                    ids[write] = ids[read]
                    read += 1
                }
                write += 1
            }
            ids.removeLast(ids.count - write)
        }
    }

    /// The text of `ids`: their bytes concatenated and read as UTF-8 (invalid sequences, which only ids not from
    /// ``encode(_:)`` can make, become U+FFFD). Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids where tokenBytes.indices.contains(id) { bytes += tokenBytes[id] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of `pieces` (as from ``encodeToPieces(_:)``); pieces outside the alphabet count as literal text.
    public func decode(pieces: [String]) -> String {
        var bytes: [UInt8] = []
        for piece in pieces { bytes += ByteLevelAlphabet.bytes(of: piece) ?? Array(piece.utf8) }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func == (a: BytePairEncoding, b: BytePairEncoding) -> Bool {
        a.pieces == b.pieces && a.byteTokens == b.byteTokens && a.mergeResults == b.mergeResults
            && a.specialTokens == b.specialTokens && a.merges.elementsEqual(b.merges, by: { $0 == $1 })
    }
}
