import MontagueSupport

/// A padded batch of token sequences: `tokens` is `batchSize × length`, row-major, padded with the padding index;
/// `mask` is 1 where a real token is and 0 on padding (the shape attention and masked losses expect).
public struct TokenBatch: Sendable, Hashable {
    /// Number of sequences.
    public let batchSize: Int
    /// Length of the longest sequence (every row is padded to it).
    public let length: Int
    /// Token indices, `batchSize × length`, row-major.
    public var tokens: [Int]
    /// 1 for tokens, 0 for padding, `batchSize × length`, row-major.
    public var mask: [Float]
    /// Each sequence's length before padding.
    public var lengths: [Int]
    /// Each sequence's label index, when labels were given.
    public var labels: [Int]?
    /// Which input sequences the rows are (indices into the batcher's input).
    public var exampleIndices: [Int]

    /// Row `row` without padding.
    public func sequence(_ row: Int) -> ArraySlice<Int> {
        precondition(row >= 0 && row < batchSize, "TokenBatch.sequence(\(row)): row out of range 0..<\(batchSize)")
        return tokens[(row * length)..<(row * length + lengths[row])]
    }
}

/// Groups sequences of similar length into padded batches, so little compute is spent on padding.
///
/// Indices are shuffled with the seed, stably sorted by length (so equal lengths come in seeded order), cut into
/// batches of `batchSize`, and the batches are shuffled with the seed. The same seed gives the same batches. Long
/// sequences are never cut silently: they are dropped only if `maximumLength` is set, and `skipped` lists them.
public struct LengthBucketedBatcher: Sendable, Hashable {
    /// Sequences per batch.
    public var batchSize: Int
    /// The seed for both shuffles.
    public var seed: UInt64
    /// Sort by length before batching (off: random batches).
    public var bucketByLength: Bool
    /// Drop a last batch smaller than `batchSize`.
    public var dropLastPartialBatch: Bool
    /// Sequences longer than this are left out (and listed in `BatchingResult.skipped`); nil keeps all.
    public var maximumLength: Int?
    /// The padding index (the vocabulary's `paddingIndex`).
    public var paddingIndex: Int

    /// Makes a batcher.
    public init(
        batchSize: Int, seed: UInt64, bucketByLength: Bool = true, dropLastPartialBatch: Bool = false,
        maximumLength: Int? = nil, paddingIndex: Int = 0
    ) {
        precondition(batchSize > 0, "LengthBucketedBatcher: batchSize must be positive, got \(batchSize)")
        self.batchSize = batchSize
        self.seed = seed
        self.bucketByLength = bucketByLength
        self.dropLastPartialBatch = dropLastPartialBatch
        self.maximumLength = maximumLength
        self.paddingIndex = paddingIndex
    }

    /// The batches and the sequences left out.
    public struct BatchingResult: Sendable, Hashable {
        /// The batches, in training order.
        public var batches: [TokenBatch]
        /// Indices of sequences longer than `maximumLength`, and of empty sequences.
        public var skipped: [Int]
    }

    /// Batches `sequences` (token indices), with optional per-sequence label indices.
    public func batches(for sequences: [[Int]], labels: [Int]? = nil) -> BatchingResult {
        precondition(
            labels.map { $0.count == sequences.count } ?? true,
            "LengthBucketedBatcher.batches: \(labels?.count ?? 0) labels for \(sequences.count) sequences")
        var generator = SplitMix64(seed: seed)
        var skipped: [Int] = []
        var order: [Int] = []
        for (index, sequence) in sequences.enumerated() {
            if sequence.isEmpty || maximumLength.map({ sequence.count > $0 }) == true {
                skipped.append(index)
            } else {
                order.append(index)
            }
        }
        generator.shuffle(&order)
        if bucketByLength {
            // A stable sort: equal lengths keep the seeded order.
            order = order.enumerated().sorted {
                let (a, b) = (sequences[$0.element].count, sequences[$1.element].count)
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
        }
        var batches: [TokenBatch] = []
        var start = 0
        while start < order.count {
            let end = min(start + batchSize, order.count)
            if end - start < batchSize, dropLastPartialBatch { break }
            batches.append(makeBatch(Array(order[start..<end]), sequences, labels))
            start = end
        }
        generator.shuffle(&batches)
        return BatchingResult(batches: batches, skipped: skipped)
    }

    private func makeBatch(_ rows: [Int], _ sequences: [[Int]], _ labels: [Int]?) -> TokenBatch {
        let length = rows.map { sequences[$0].count }.max() ?? 0
        var tokens = [Int](repeating: paddingIndex, count: rows.count * length)
        var mask = [Float](repeating: 0, count: rows.count * length)
        for (row, index) in rows.enumerated() {
            for (column, token) in sequences[index].enumerated() {
                tokens[row * length + column] = token
                mask[row * length + column] = 1
            }
        }
        return TokenBatch(
            batchSize: rows.count, length: length, tokens: tokens, mask: mask,
            lengths: rows.map { sequences[$0].count }, labels: labels.map { all in rows.map { all[$0] } },
            exampleIndices: rows)
    }
}

/// Maps label values (strings) to indices `0..<count`, in sorted order, so the same set of values always gives the
/// same indices.
public struct LabelIndex: Sendable, Hashable, Codable {
    /// The values, by index.
    public let values: [String]
    private let indices: [String: Int]

    /// Makes the index of the distinct values in `labels`.
    public init(labels: some Sequence<String>) {
        values = Set(labels).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        indices = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
    }

    /// The index of a value, or nil for a value not seen.
    public func index(of value: String) -> Int? { indices[value] }

    /// Number of values.
    public var count: Int { values.count }
}
