import Foundation

/// A unigram language-model subword tokenizer (Kudo 2018, "Subword Regularization: Improving Neural Network
/// Translation Models with Multiple Subword Candidates"; the algorithm of SentencePiece, Kudo & Richardson 2018).
///
/// Each piece `x` has a log-probability `log p(x)`; a word is segmented into the pieces maximizing
/// `Σ log p(xᵢ)` (Viterbi over the lattice of pieces that match the word). As in SentencePiece, spaces become
/// `▁` (U+2581), text is split before each `▁` so pieces never span words, and with ``addsDummyPrefix`` a `▁` is
/// put before the text so a sentence's first word looks like the others. Characters outside the vocabulary become
/// the unknown piece (id ``unknownID``, `<unk>`), scored `min log p − 10`. Train with
/// ``train(on:vocabularySize:)`` or ``UnigramTrainer``.
public struct UnigramTokenizer: Sendable, Equatable {
    /// The space mark `▁` (U+2581) that stands for a space inside pieces.
    public static let spaceMark: Unicode.Scalar = "\u{2581}"
    /// Pieces by id; id ``unknownID`` is `<unk>`.
    public let pieces: [String]
    /// `log p(piece)` by id (the unknown piece's entry is unused; it scores ``unknownScore``).
    public let logProbabilities: [Float]
    /// Id of `<unk>`.
    public let unknownID: Int
    /// Whether a `▁` is put before the text (and removed again by ``decode(_:)``).
    public let addsDummyPrefix: Bool
    /// Score of an unknown character: the lowest piece log-probability minus 10.
    public let unknownScore: Float

    let trie: PieceTrie

    /// A tokenizer from pieces and their log-probabilities.
    public init(pieces: [String], logProbabilities: [Float], unknownID: Int = 0, addsDummyPrefix: Bool = true) {
        precondition(
            pieces.count == logProbabilities.count && pieces.indices.contains(unknownID),
            "UnigramTokenizer: \(pieces.count) pieces, \(logProbabilities.count) scores, unknownID \(unknownID)")
        self.pieces = pieces
        self.logProbabilities = logProbabilities
        self.unknownID = unknownID
        self.addsDummyPrefix = addsDummyPrefix
        let known = logProbabilities.enumerated().filter { $0.offset != unknownID }.map(\.element)
        unknownScore = (known.min() ?? 0) - 10
        var trie = PieceTrie()
        for (id, piece) in pieces.enumerated() where id != unknownID && !piece.isEmpty {
            trie.insert(Array(piece.unicodeScalars), id: Int32(id))
        }
        self.trie = trie
    }

    /// Number of pieces.
    public var vocabularySize: Int { pieces.count }

    /// The words of `text` as the tokenizer sees them: spaces as `▁`, split before each `▁`.
    public func words(_ text: String) -> [[Unicode.Scalar]] {
        var scalars: [Unicode.Scalar] = addsDummyPrefix ? [Self.spaceMark] : []
        for scalar in text.unicodeScalars { scalars.append(scalar == " " ? Self.spaceMark : scalar) }
        return Self.splitWords(scalars)
    }

    static func splitWords(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var result: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar == spaceMark && !current.isEmpty {
                result.append(current)
                current = []
            }
            current.append(scalar)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The best segmentation of `word` (ids and their summed score), by Viterbi over the piece lattice.
    public func segment(_ word: [Unicode.Scalar]) -> (ids: [Int], logProbability: Float) {
        segment(word, excluding: -1)
    }

    /// The best segmentation of `word` that does not use piece `excluded`.
    func segment(_ word: [Unicode.Scalar], excluding excluded: Int) -> (ids: [Int], logProbability: Float) {
        let n = word.count
        guard n > 0 else { return ([], 0) }
        var best = [Float](repeating: -.infinity, count: n + 1)
        var previous = [Int](repeating: -1, count: n + 1)
        var pieceEnding = [Int32](repeating: -1, count: n + 1)
        best[0] = 0
        for start in 0..<n where best[start] > -.infinity {
            var matchedSingle = false
            trie.forEachMatch(in: word, from: start) { end, id in
                if end == start + 1 { matchedSingle = true }
                guard id != excluded else { return }
                let score = best[start] + logProbabilities[Int(id)]
                if score > best[end] { (best[end], previous[end], pieceEnding[end]) = (score, start, id) }
            }
            if !matchedSingle {
                let score = best[start] + unknownScore
                if score > best[start + 1] {
                    (best[start + 1], previous[start + 1], pieceEnding[start + 1]) = (score, start, Int32(unknownID))
                }
            }
        }
        var ids: [Int] = []
        var position = n
        while position > 0 {
            ids.append(Int(pieceEnding[position]))
            position = previous[position]
        }
        return (ids.reversed(), best[n])
    }

    /// The piece ids of `text`.
    public func encode(_ text: String) -> [Int] { words(text).flatMap { segment($0).ids } }

    /// The pieces of `text`, usable as the words of a word vocabulary (an unknown character appears as itself).
    public func encodeToPieces(_ text: String) -> [String] {
        var result: [String] = []
        for word in words(text) {
            var position = 0
            for id in segment(word).ids {
                if id == unknownID {
                    result.append(String(String.UnicodeScalarView([word[position]])))
                    position += 1
                } else {
                    result.append(pieces[id])
                    position += pieces[id].unicodeScalars.count
                }
            }
        }
        return result
    }

    /// The text of `ids`: pieces joined, `▁` read as a space, the dummy prefix's space removed; `<unk>` becomes
    /// U+FFFD. Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        decode(pieces: ids.filter { pieces.indices.contains($0) }.map { $0 == unknownID ? "\u{FFFD}" : pieces[$0] })
    }

    /// The text of `pieces` (as from ``encodeToPieces(_:)``).
    public func decode(pieces: [String]) -> String {
        var scalars = String.UnicodeScalarView()
        for piece in pieces {
            for scalar in piece.unicodeScalars { scalars.append(scalar == Self.spaceMark ? " " : scalar) }
        }
        if addsDummyPrefix, scalars.first == " " { scalars.removeFirst() }
        return String(scalars)
    }

    /// Compares pieces, scores and options.
    public static func == (a: UnigramTokenizer, b: UnigramTokenizer) -> Bool {
        a.pieces == b.pieces && a.logProbabilities == b.logProbabilities && a.unknownID == b.unknownID
            && a.addsDummyPrefix == b.addsDummyPrefix
    }
}

/// A trie over Unicode scalars mapping pieces to ids, for walking every piece that starts at a position.
struct PieceTrie: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var ids: [Int32] = [-1]

    mutating func insert(_ piece: [Unicode.Scalar], id: Int32) {
        var node = 0
        for scalar in piece {
            if let child = children[node][scalar.value] {
                node = Int(child)
            } else {
                children.append([:])
                ids.append(-1)
                let child = Int32(children.count - 1)
                children[node][scalar.value] = child
                node = Int(child)
            }
        }
        ids[node] = id
    }

    /// Calls `body(end, id)` for each piece equal to `word[start..<end]`, shortest first.
    func forEachMatch(in word: [Unicode.Scalar], from start: Int, _ body: (Int, Int32) -> Void) {
        var node = 0
        var position = start
        while position < word.count, let child = children[node][word[position].value] {
            node = Int(child)
            position += 1
            if ids[node] >= 0 { body(position, ids[node]) }
        }
    }
}
