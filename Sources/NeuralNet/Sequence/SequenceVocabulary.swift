/// A token ↔ index map for sequence-to-sequence data, with four reserved symbols at fixed indices:
/// `<pad>` 0, `<bos>` 1 (start of a decoded sequence), `<eos>` 2 (end), `<unk>` 3 (a token not seen when the
/// vocabulary was built). Other tokens follow in order of first appearance, so the map is deterministic.
public struct SequenceVocabulary: Sendable, Equatable {
    /// Index of the padding symbol.
    public static let padding = 0
    /// Index of the start-of-sequence symbol fed to the decoder first.
    public static let beginning = 1
    /// Index of the end-of-sequence symbol the decoder emits last.
    public static let end = 2
    /// Index of the unknown-token symbol.
    public static let unknown = 3

    /// Token strings by index; the first four are the reserved symbols.
    public private(set) var tokens: [String]
    private var indices: [String: Int]

    /// A vocabulary of the reserved symbols followed by `tokens` in order of first appearance.
    public init<S: Sequence>(_ tokens: S) where S.Element == String {
        self.tokens = ["<pad>", "<bos>", "<eos>", "<unk>"]
        indices = [:]
        for (index, token) in self.tokens.enumerated() { indices[token] = index }
        for token in tokens where indices[token] == nil {
            indices[token] = self.tokens.count
            self.tokens.append(token)
        }
    }

    /// Number of symbols, reserved ones included.
    public var count: Int { tokens.count }

    /// The index of `token`, or ``unknown``.
    public func index(of token: String) -> Int { indices[token] ?? Self.unknown }

    /// The indices of `tokens` (unknown tokens map to ``unknown``), without `<bos>` or `<eos>`.
    public func encode(_ tokens: [String]) -> [Int] { tokens.map(index(of:)) }

    /// The strings of `indices`; indices outside the vocabulary print as `<unk>`.
    public func decode(_ indices: [Int]) -> [String] {
        indices.map { tokens.indices.contains($0) ? tokens[$0] : tokens[Self.unknown] }
    }
}
