import Foundation

/// A token ↔ index mapping with special tokens, built from counts with a minimum count and a maximum size, saved
/// and loaded as JSON.
///
/// Indices: the special tokens first, in order (`<pad>` = 0, `<unk>` = 1, `<bos>` = 2, `<eos>` = 3 by default), then
/// the tokens by decreasing count, ties broken by code-point order of the token, so the same counts always give
/// the same vocabulary. Unknown tokens map to `<unk>`.
public struct Vocabulary: Sendable, Hashable, Codable {
    /// The special tokens Montague's models use.
    public struct SpecialTokens: Sendable, Hashable, Codable {
        /// Padding (index 0 by default, so zero-initialized buffers are padding).
        public var padding: String
        /// Unknown token.
        public var unknown: String
        /// Beginning of sequence.
        public var beginning: String
        /// End of sequence.
        public var end: String

        /// Makes special tokens; the defaults are `<pad> <unk> <bos> <eos>`.
        public init(
            padding: String = "<pad>", unknown: String = "<unk>", beginning: String = "<bos>",
            end: String = "<eos>"
        ) {
            self.padding = padding
            self.unknown = unknown
            self.beginning = beginning
            self.end = end
        }

        var all: [String] { [padding, unknown, beginning, end] }
    }

    /// Tokens by index.
    public private(set) var tokens: [String]
    /// Counts by index (0 for special tokens), as counted when the vocabulary was built.
    public private(set) var counts: [Int]
    /// The special tokens.
    public let specialTokens: SpecialTokens
    private var indices: [String: Int]

    /// Index of the padding token.
    public var paddingIndex: Int { indices[specialTokens.padding] ?? 0 }
    /// Index of the unknown token.
    public var unknownIndex: Int { indices[specialTokens.unknown] ?? 1 }
    /// Index of the beginning-of-sequence token.
    public var beginningIndex: Int { indices[specialTokens.beginning] ?? 2 }
    /// Index of the end-of-sequence token.
    public var endIndex: Int { indices[specialTokens.end] ?? 3 }
    /// Number of entries, special tokens included.
    public var count: Int { tokens.count }

    /// Builds a vocabulary from token counts.
    /// - Parameters:
    ///   - minimumCount: tokens seen fewer times are left out (they become `<unk>`).
    ///   - maximumSize: at most this many entries, special tokens included (nil: no limit).
    public init(
        counts: [String: Int], minimumCount: Int = 1, maximumSize: Int? = nil,
        specialTokens: SpecialTokens = SpecialTokens()
    ) {
        precondition(minimumCount >= 1, "Vocabulary(counts:minimumCount:): minimumCount must be at least 1")
        precondition(
            maximumSize.map { $0 >= 4 } ?? true,
            "Vocabulary(counts:maximumSize:): maximumSize must leave room for the 4 special tokens")
        let specials = specialTokens.all
        let specialSet = Set(specials)
        var entries = counts.filter { $0.value >= minimumCount && !specialSet.contains($0.key) }
            .map { (token: $0.key, count: $0.value) }
        entries.sort {
            $0.count != $1.count
                ? $0.count > $1.count : $0.token.unicodeScalars.lexicographicallyPrecedes($1.token.unicodeScalars)
        }
        if let maximumSize, entries.count > maximumSize - specials.count {
            entries.removeLast(entries.count - (maximumSize - specials.count))
        }
        self.specialTokens = specialTokens
        self.tokens = specials + entries.map(\.token)
        self.counts = Array(repeating: 0, count: specials.count) + entries.map(\.count)
        self.indices = Dictionary(uniqueKeysWithValues: tokens.enumerated().map { ($1, $0) })
    }

    /// Builds a vocabulary by counting `tokens`.
    public init(
        tokens: some Sequence<String>, minimumCount: Int = 1, maximumSize: Int? = nil,
        specialTokens: SpecialTokens = SpecialTokens()
    ) {
        var counts: [String: Int] = [:]
        for token in tokens { counts[token, default: 0] += 1 }
        self.init(counts: counts, minimumCount: minimumCount, maximumSize: maximumSize, specialTokens: specialTokens)
    }

    /// Builds a vocabulary by streaming everything `loader` reads through `tokenizer` (units with marked-up tokens
    /// use those), in memory proportional to the number of distinct tokens.
    /// - Returns: the vocabulary, the load report, and the number of tokens counted.
    public static func build(
        from loader: CorpusLoader, tokenizer: Tokenizer = Tokenizer(), minimumCount: Int = 1,
        maximumSize: Int? = nil, specialTokens: SpecialTokens = SpecialTokens(),
        progress: ((CorpusProgress) -> Void)? = nil
    ) throws
        -> (vocabulary: Vocabulary, report: CorpusLoadReport, tokenCount: Int)
    {
        // Units lent and tokens interned from their bytes: one `String` per distinct token, not per token.
        var dictionary = TokenDictionary()
        var total = 0
        let report = try loader.forEachBorrowedUnit(progress: progress) { _, unit in
            tokenizer.forEachTokenID(of: unit, interningInto: &dictionary) { _ in total += 1 }
        }
        var counts: [String: Int] = [:]
        counts.reserveCapacity(dictionary.count)
        for id in 0..<dictionary.count { counts[dictionary.token(id), default: 0] += dictionary.count(of: id) }
        let vocabulary = Vocabulary(
            counts: counts, minimumCount: minimumCount, maximumSize: maximumSize,
            specialTokens: specialTokens)
        return (vocabulary, report, total)
    }

    /// The fraction of `counts`' token occurrences that have their own entry (not `<unk>`).
    public func coverage(of counts: [String: Int]) -> Double {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return 1 }
        return Double(counts.filter { contains($0.key) }.values.reduce(0, +)) / Double(total)
    }

    /// The index of `token`, or the unknown token's index.
    public func index(of token: String) -> Int { indices[token] ?? unknownIndex }

    /// Whether `token` has its own entry.
    public func contains(_ token: String) -> Bool { indices[token] != nil }

    /// The token at `index`.
    public subscript(index: Int) -> String {
        precondition(tokens.indices.contains(index), "Vocabulary[\(index)]: index out of range 0..<\(tokens.count)")
        return tokens[index]
    }

    /// Numericalizes tokens, optionally wrapped in `<bos>` … `<eos>`.
    public func encode(_ tokens: [String], addBeginning: Bool = false, addEnd: Bool = false) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(tokens.count + 2)
        if addBeginning { result.append(beginningIndex) }
        for token in tokens { result.append(index(of: token)) }
        if addEnd { result.append(endIndex) }
        return result
    }

    /// Turns indices back into tokens, dropping padding, `<bos>` and everything from the first `<eos>` on when
    /// `stripSpecial` is set.
    public func decode(_ indices: [Int], stripSpecial: Bool = true) -> [String] {
        var result: [String] = []
        for index in indices {
            if stripSpecial {
                if index == endIndex { break }
                if index == paddingIndex || index == beginningIndex { continue }
            }
            result.append(tokens.indices.contains(index) ? tokens[index] : specialTokens.unknown)
        }
        return result
    }

    // MARK: - Saving and loading

    private struct Stored: Codable {
        var format: String
        var specialTokens: SpecialTokens
        var tokens: [String]
        var counts: [Int]
    }

    private static let formatName = "montague-vocabulary-1"

    /// The vocabulary as JSON: `{"format": "montague-vocabulary-1", "specialTokens": {...}, "tokens": [...],
    /// "counts": [...]}` (tokens in index order).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(
            Stored(
                format: Self.formatName, specialTokens: specialTokens, tokens: tokens,
                counts: counts))
    }

    /// Writes the vocabulary as JSON, atomically.
    public func save(to path: String) throws {
        try AtomicFileWriter.write(try jsonData(), to: path)
    }

    /// Reads a vocabulary saved by `save(to:)`.
    /// - Throws: `CorpusError.Kind.invalidFile` (or `.unreadable`) with the file name.
    public init(contentsOfFile path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CorpusError(
                .unreadable, file: path, message: "cannot read the vocabulary: \(error.localizedDescription)")
        }
        try self.init(jsonData: data, name: path)
    }

    /// Reads a vocabulary from JSON; `name` is used in messages.
    public init(jsonData data: Data, name: String = "vocabulary") throws {
        let stored: Stored
        do { stored = try JSONDecoder().decode(Stored.self, from: data) } catch {
            throw CorpusError(.invalidFile, file: name, message: "not a Montague vocabulary: \(error)")
        }
        guard stored.format == Self.formatName else {
            throw CorpusError(.invalidFile, file: name, message: "unknown vocabulary format '\(stored.format)'")
        }
        guard stored.tokens.count == stored.counts.count, Array(stored.tokens.prefix(4)) == stored.specialTokens.all,
            Set(stored.tokens).count == stored.tokens.count
        else {
            throw CorpusError(
                .invalidFile, file: name,
                message:
                    "inconsistent vocabulary: special tokens must come first, tokens must be unique and have one count each"
            )
        }
        self.specialTokens = stored.specialTokens
        self.tokens = stored.tokens
        self.counts = stored.counts
        self.indices = Dictionary(uniqueKeysWithValues: stored.tokens.enumerated().map { ($1, $0) })
    }
}
