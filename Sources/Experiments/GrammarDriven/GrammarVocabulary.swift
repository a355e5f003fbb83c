import Grammar

/// Token ids for the words of a grammar, with the three special tokens every generator here uses: `<s>` (0, fed
/// before the first word, never a word), `</s>` (1, ends a sentence) and `<unk>` (2, the sentence VAE's word
/// dropout).
///
/// The words are the grammar's terminals, so a generator can produce every string of the language and coverage can
/// approach 1.
public struct GrammarVocabulary: Sendable, Equatable {
    /// The id of `<s>`.
    public static let start = 0
    /// The id of `</s>`.
    public static let end = 1
    /// The id of `<unk>`.
    public static let unknown = 2
    /// The token of each id: the three special tokens, then the words in sorted order.
    public let tokens: [String]
    private let ids: [String: Int]

    /// The vocabulary of `words` (duplicates and order do not matter).
    public init(words: some Sequence<String>) {
        tokens = ["<s>", "</s>", "<unk>"] + Set(words).subtracting(["<s>", "</s>", "<unk>"]).sorted()
        var ids: [String: Int] = [:]
        for (i, token) in tokens.enumerated() { ids[token] = i }
        self.ids = ids
    }

    /// The grammar's terminals (``InterpretedGrammar/terminals``) and the words of `sentences` (which matter only
    /// for a grammar with a general `form` expression, whose tokens the terminal list cannot name).
    public init(grammar: ProbabilisticGrammar, sentences: [[String]] = []) {
        self.init(words: grammar.grammar.terminals + sentences.joined())
    }

    /// Number of ids.
    public var count: Int { tokens.count }

    /// The ids of `words` (a word the grammar does not have becomes `<unk>`).
    public func encode(_ words: [String]) -> [Int] { words.map { ids[$0] ?? Self.unknown } }

    /// The sentence of a generated id sequence: the words before the first `</s>`, joined by spaces (special
    /// tokens other than `</s>` appear by name, so such a sentence is not in the language).
    public func decode(_ sequence: [Int]) -> String {
        var words: [String] = []
        for id in sequence {
            if id == Self.end { break }
            words.append(tokens.indices.contains(id) ? tokens[id] : "<unk>")
        }
        return words.joined(separator: " ")
    }
}
