import Foundation

/// A unigram language-model subword tokenizer (Kudo 2018, "Subword Regularization: Improving Neural Network
/// Translation Models with Multiple Subword Candidates"; the algorithm of SentencePiece, Kudo & Richardson 2018).
///
/// Each piece `x` has a log-probability `log p(x)`; a word is segmented into the pieces maximizing
/// `Σ log p(xᵢ)` (Viterbi over the lattice of pieces that match the word). As in SentencePiece, spaces become
/// `▁` (U+2581), text is split before each `▁` so pieces never span words, and with ``addsDummyPrefix`` a `▁` is
/// put before the text so a sentence's first word looks like the others. Characters outside the vocabulary become
/// the unknown piece (id ``unknownID``, `<unk>`), scored `min log p − 10`; with ``byteFallback`` (SentencePiece's
/// `byte_fallback`) such a character is written instead as the pieces `<0xNN>` of its UTF-8 bytes, so any text
/// round-trips losslessly. Train with ``train(on:vocabularySize:addsDummyPrefix:byteFallback:)`` or
/// ``UnigramTrainer``.
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
    /// Whether characters outside the vocabulary are written as byte pieces `<0x00>` … `<0xFF>` (which the
    /// vocabulary then holds) instead of `<unk>`.
    public let byteFallback: Bool
    /// The id of the piece `<0xNN>` for each byte value (empty without ``byteFallback``).
    public let byteIDs: [Int]

    let trie: PieceTrie

    /// The piece of byte `value` under byte fallback: `<0x41>` for 0x41 (upper-case hexadecimal, as SentencePiece).
    public static func bytePiece(_ value: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(value >> 4)])\(digits[Int(value & 15)])>"
    }

    /// The byte a piece `<0xNN>` stands for, or `nil`.
    public static func byteValue(ofPiece piece: String) -> UInt8? {
        let utf8 = Array(piece.utf8)
        guard utf8.count == 6, piece.hasPrefix("<0x"), utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    /// Whether `pieces` hold every byte piece `<0x00>` … `<0xFF>` (what ``byteFallback`` needs).
    public static func hasBytePieces(_ pieces: [String]) -> Bool {
        var seen = [Bool](repeating: false, count: 256)
        for piece in pieces { if let value = byteValue(ofPiece: piece) { seen[Int(value)] = true } }
        return !seen.contains(false)
    }

    /// A tokenizer from pieces and their log-probabilities. With `byteFallback` the pieces must include every
    /// `<0xNN>` (``hasBytePieces(_:)``); those pieces are then never matched against text and do not count for
    /// the unknown score, as in SentencePiece.
    public init(
        pieces: [String], logProbabilities: [Float], unknownID: Int = 0, addsDummyPrefix: Bool = true,
        byteFallback: Bool = false
    ) {
        precondition(
            pieces.count == logProbabilities.count && pieces.indices.contains(unknownID),
            "UnigramTokenizer: \(pieces.count) pieces, \(logProbabilities.count) scores, unknownID \(unknownID)")
        precondition(
            !byteFallback || Self.hasBytePieces(pieces), "UnigramTokenizer: byte fallback needs the 256 byte pieces")
        self.pieces = pieces
        self.logProbabilities = logProbabilities
        self.unknownID = unknownID
        self.addsDummyPrefix = addsDummyPrefix
        self.byteFallback = byteFallback
        var byteIDs = byteFallback ? [Int](repeating: 0, count: 256) : []
        var isByte = [Bool](repeating: false, count: pieces.count)
        if byteFallback {
            for (id, piece) in pieces.enumerated() {
                guard let value = Self.byteValue(ofPiece: piece) else { continue }
                isByte[id] = true
                if pieces[byteIDs[Int(value)]] != piece { byteIDs[Int(value)] = id }
            }
        }
        self.byteIDs = byteIDs
        let known = logProbabilities.enumerated().filter { $0.offset != unknownID && !isByte[$0.offset] }
            .map(\.element)
        unknownScore = (known.min() ?? 0) - 10
        var trie = PieceTrie()
        for (id, piece) in pieces.enumerated() where id != unknownID && !piece.isEmpty && !isByte[id] {
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

    /// The piece ids of `text` (an unknown character: `<unk>`, or its byte pieces with ``byteFallback``).
    public func encode(_ text: String) -> [Int] {
        var result: [Int] = []
        forEachPiece(of: text) { id, unknown in
            if let unknown, byteFallback {
                for byte in String(unknown).utf8 { result.append(byteIDs[Int(byte)]) }
            } else {
                result.append(id)
            }
        }
        return result
    }

    /// The pieces of `text`, usable as the words of a word vocabulary (an unknown character appears as itself,
    /// or as its byte pieces with ``byteFallback``).
    public func encodeToPieces(_ text: String) -> [String] {
        var result: [String] = []
        forEachPiece(of: text) { id, unknown in
            if let unknown {
                if byteFallback {
                    for byte in String(unknown).utf8 { result.append(Self.bytePiece(byte)) }
                } else {
                    result.append(String(unknown))
                }
            } else {
                result.append(pieces[id])
            }
        }
        return result
    }

    /// Calls `body(id, character)` for each piece of the Viterbi segmentation of `text`'s words, with the
    /// character an unknown piece stands for.
    private func forEachPiece(of text: String, _ body: (Int, Unicode.Scalar?) -> Void) {
        for word in words(text) {
            var position = 0
            for id in segment(word).ids {
                if id == unknownID {
                    body(id, word[position])
                    position += 1
                } else {
                    body(id, nil)
                    position += pieces[id].unicodeScalars.count
                }
            }
        }
    }

    /// The text of `ids`: pieces joined, `▁` read as a space, byte pieces read as UTF-8 (with ``byteFallback``),
    /// the dummy prefix's space removed; `<unk>` becomes U+FFFD. Ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int]) -> String {
        decode(pieces: ids.filter { pieces.indices.contains($0) }.map { $0 == unknownID ? "\u{FFFD}" : pieces[$0] })
    }

    /// The text of `pieces` (as from ``encodeToPieces(_:)``); with ``byteFallback``, runs of byte pieces are
    /// decoded as UTF-8 (an invalid sequence becomes U+FFFD).
    public func decode(pieces: [String]) -> String {
        var bytes: [UInt8] = []
        let space = Array(String(Self.spaceMark).utf8)
        for piece in pieces {
            if byteFallback, let value = Self.byteValue(ofPiece: piece) {
                bytes.append(value)
                continue
            }
            var utf8 = Array(piece.utf8)[...]
            while !utf8.isEmpty {
                if utf8.starts(with: space) {
                    bytes.append(UInt8(ascii: " "))
                    utf8 = utf8.dropFirst(space.count)
                } else {
                    bytes.append(utf8.removeFirst())
                }
            }
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if addsDummyPrefix, text.unicodeScalars.first == " " { text.unicodeScalars.removeFirst() }
        return text
    }

    /// Compares pieces, scores and options.
    public static func == (a: UnigramTokenizer, b: UnigramTokenizer) -> Bool {
        a.pieces == b.pieces && a.logProbabilities == b.logProbabilities && a.unknownID == b.unknownID
            && a.addsDummyPrefix == b.addsDummyPrefix && a.byteFallback == b.byteFallback
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
