import Foundation

/// Learns a ``UnigramTokenizer`` from a stream of texts by expectation–maximization and pruning (Kudo 2018, §3.2):
///
/// 1. seed pieces: every character, and the most frequent substrings of the words (up to
///    `maximumPieceLength` characters) scored by frequency × length;
/// 2. repeat: a few EM steps (E: expected piece counts by forward–backward over each word's lattice; M:
///    `log p(x) = log(c(x) / Σ c)`, dropping pieces expected less than half a time), then keep the
///    `shrinkingFactor` share of multi-character pieces whose removal would lose the most likelihood — the loss of
///    `x` is its Viterbi frequency times `log p(x)` minus the log-probability of its best segmentation without it —
///    until the vocabulary fits;
/// 3. final EM, then the most probable pieces up to `vocabularySize` (characters always kept).
///
/// ``add(_:)`` counts words only, so memory grows with the number of distinct words. Deterministic.
public struct UnigramTrainer: Sendable {
    /// Occurrences of each word (spaces written `▁`).
    public private(set) var wordCounts: [String: Int] = [:]
    /// Whether texts get a leading `▁` (see ``UnigramTokenizer/addsDummyPrefix``).
    public let addsDummyPrefix: Bool
    /// Whether the tokenizer gets the 256 byte pieces and byte fallback (see ``UnigramTokenizer/byteFallback``).
    public let byteFallback: Bool

    /// An empty trainer.
    public init(addsDummyPrefix: Bool = true, byteFallback: Bool = false) {
        self.addsDummyPrefix = addsDummyPrefix
        self.byteFallback = byteFallback
    }

    /// Counts the words of `text`.
    public mutating func add(_ text: String) {
        let splitter = UnigramTokenizer(pieces: ["<unk>"], logProbabilities: [0], addsDummyPrefix: addsDummyPrefix)
        for word in splitter.words(text) { wordCounts[String(String.UnicodeScalarView(word)), default: 0] += 1 }
    }

    /// A tokenizer with at most `vocabularySize` pieces (`<unk>` included, id 0; with byte fallback the byte
    /// pieces `<0x00>` … `<0xFF>` follow as ids 1…256, scored 0, as SentencePiece places them after its control
    /// symbols, and `vocabularySize` must be at least 258).
    public func train(
        vocabularySize: Int, maximumPieceLength: Int = 16, shrinkingFactor: Float = 0.75, emIterations: Int = 2
    ) -> UnigramTokenizer {
        if byteFallback {
            precondition(vocabularySize >= 258, "UnigramTrainer.train: byte fallback needs vocabularySize ≥ 258")
            let base = UnigramTrainer(addsDummyPrefix: addsDummyPrefix, byteFallback: false, counts: wordCounts)
                .train(
                    vocabularySize: vocabularySize - 256, maximumPieceLength: maximumPieceLength,
                    shrinkingFactor: shrinkingFactor, emIterations: emIterations)
            let bytes = (0...255).map { UnigramTokenizer.bytePiece(UInt8($0)) }
            // A piece spelled like a byte piece would be read as that byte; text with such a spelling is kept by
            // the byte pieces anyway.
            let keep = base.pieces.indices.filter {
                $0 != base.unknownID && UnigramTokenizer.byteValue(ofPiece: base.pieces[$0]) == nil
            }
            return UnigramTokenizer(
                pieces: [base.pieces[base.unknownID]] + bytes + keep.map { base.pieces[$0] },
                logProbabilities: [0] + [Float](repeating: 0, count: 256) + keep.map { base.logProbabilities[$0] },
                unknownID: 0, addsDummyPrefix: addsDummyPrefix, byteFallback: true)
        }
        precondition(
            vocabularySize >= 2 && maximumPieceLength >= 1 && (0.1..<1).contains(shrinkingFactor)
                && emIterations >= 1,
            "UnigramTrainer.train: invalid vocabularySize \(vocabularySize), maximumPieceLength "
                + "\(maximumPieceLength), shrinkingFactor \(shrinkingFactor) or emIterations \(emIterations)")
        let sorted = wordCounts.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
        let words = sorted.map { Array($0.key.unicodeScalars) }
        let counts = sorted.map { Double($0.value) }
        // Characters, most frequent first.
        var characterCounts: [Unicode.Scalar: Double] = [:]
        for (word, count) in zip(words, counts) { for scalar in word { characterCounts[scalar, default: 0] += count } }
        let characters = characterCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(vocabularySize - 1)
        // Seed substrings scored by frequency × length.
        var substringCounts: [String: Double] = [:]
        for (word, count) in zip(words, counts) where word.count > 1 {
            for start in 0..<(word.count - 1) {
                var piece = String.UnicodeScalarView()
                piece.append(word[start])
                for end in (start + 1)..<min(word.count, start + maximumPieceLength) {
                    piece.append(word[end])
                    substringCounts[String(piece), default: 0] += count
                }
            }
        }
        let seedLimit = max(vocabularySize * 8, 10_000)
        let seeds = substringCounts.filter { $0.value >= 2 }
            .map { (piece: $0.key, score: $0.value * Double($0.key.unicodeScalars.count)) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.piece < $1.piece }
            .prefix(seedLimit)
        var pieces = ["<unk>"] + characters.map { String(String.UnicodeScalarView([$0.key])) } + seeds.map(\.piece)
        var scores = [0.0] + characters.map(\.value) + seeds.map(\.score)
        let characterCount = characters.count
        var logProbabilities = Self.normalized(scores)
        func tokenizer() -> UnigramTokenizer {
            UnigramTokenizer(
                pieces: pieces, logProbabilities: logProbabilities.map(Float.init), addsDummyPrefix: addsDummyPrefix)
        }
        // EM and pruning.
        while true {
            for _ in 0..<emIterations {
                scores = Self.expectedCounts(tokenizer(), words: words, counts: counts)
                var keep = [Bool](repeating: true, count: pieces.count)
                for id in (1 + characterCount)..<pieces.count where scores[id] < 0.5 { keep[id] = false }
                pieces = pieces.indices.filter { keep[$0] }.map { pieces[$0] }
                scores = scores.indices.filter { keep[$0] }.map { max(scores[$0], 1e-3) }
                logProbabilities = Self.normalized(scores)
            }
            if pieces.count <= vocabularySize { break }
            let current = tokenizer()
            var frequency = [Double](repeating: 0, count: pieces.count)
            for (word, count) in zip(words, counts) {
                for id in current.segment(word).ids { frequency[id] += count }
            }
            var losses: [(id: Int, loss: Double)] = []
            for id in (1 + characterCount)..<pieces.count {
                let alternative = current.segment(Array(pieces[id].unicodeScalars), excluding: id)
                let loss = frequency[id] * (logProbabilities[id] - Double(alternative.logProbability))
                losses.append((id, loss))
            }
            losses.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.id < $1.id }
            let target = max(vocabularySize - 1 - characterCount, Int(Float(losses.count) * shrinkingFactor))
            let kept = Set(losses.prefix(target).map(\.id))
            let survivors = pieces.indices.filter { $0 <= characterCount || kept.contains($0) }
            pieces = survivors.map { pieces[$0] }
            scores = survivors.map { scores[$0] }
            logProbabilities = Self.normalized(scores)
        }
        return tokenizer()
    }

    /// `log(sᵢ / Σ s)` for every entry but the unknown piece's (index 0, left 0).
    static func normalized(_ scores: [Double]) -> [Double] {
        let total = scores.dropFirst().reduce(0, +)
        return scores.enumerated().map { $0.offset == 0 || total <= 0 ? 0 : Foundation.log($0.element / total) }
    }

    /// Expected number of uses of each piece over the corpus, by forward–backward over each word's lattice.
    static func expectedCounts(_ tokenizer: UnigramTokenizer, words: [[Unicode.Scalar]], counts: [Double])
        -> [Double]
    {
        var expected = [Double](repeating: 0, count: tokenizer.vocabularySize)
        let logP = tokenizer.logProbabilities.map(Double.init)
        for (word, count) in zip(words, counts) {
            let n = word.count
            var edges: [(start: Int, end: Int, id: Int32)] = []
            for start in 0..<n {
                tokenizer.trie.forEachMatch(in: word, from: start) { end, id in edges.append((start, end, id)) }
            }
            var alpha = [Double](repeating: -.infinity, count: n + 1)
            var beta = [Double](repeating: -.infinity, count: n + 1)
            alpha[0] = 0
            beta[n] = 0
            for edge in edges {  // edges are ordered by start
                alpha[edge.end] = logAdd(alpha[edge.end], alpha[edge.start] + logP[Int(edge.id)])
            }
            for edge in edges.reversed() {
                beta[edge.start] = logAdd(beta[edge.start], beta[edge.end] + logP[Int(edge.id)])
            }
            let z = alpha[n]
            guard z > -.infinity else { continue }
            for edge in edges {
                let posterior = Foundation.exp(alpha[edge.start] + logP[Int(edge.id)] + beta[edge.end] - z)
                expected[Int(edge.id)] += count * posterior
            }
        }
        return expected
    }

    @inline(__always) static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let high = max(a, b)
        return high + Foundation.log1p(Foundation.exp(min(a, b) - high))
    }
}

extension UnigramTrainer {
    /// A trainer holding `counts` already.
    init(addsDummyPrefix: Bool, byteFallback: Bool, counts: [String: Int]) {
        self.init(addsDummyPrefix: addsDummyPrefix, byteFallback: byteFallback)
        wordCounts = counts
    }
}

extension UnigramTokenizer {
    /// Learns a tokenizer of at most `vocabularySize` pieces from `texts`, streamed once (see ``UnigramTrainer``);
    /// `byteFallback` reserves 256 of the pieces for bytes (``UnigramTokenizer/byteFallback``).
    public static func train<Texts: Sequence<String>>(
        on texts: Texts, vocabularySize: Int, addsDummyPrefix: Bool = true, byteFallback: Bool = false
    ) -> UnigramTokenizer {
        var trainer = UnigramTrainer(addsDummyPrefix: addsDummyPrefix, byteFallback: byteFallback)
        for text in texts { trainer.add(text) }
        return trainer.train(vocabularySize: vocabularySize)
    }
}
