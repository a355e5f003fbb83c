import Testing

@testable import Corpus

/// The safe, pointer-free forms of the tokenizer's and the dictionary's fast paths give the same results.
@Suite("Safe token APIs")
struct SafeTokenAPITests {
    @Test("forEachToken(in:) yields tokenize's tokens with their categories")
    func forEachTokenMatchesTokenize() {
        for tokenizer in TokenIDFastPathTests.tokenizers.map(\.0) {
            for text in ["", "Hello, World! 42 times", "l’homme — déjà VU 3.5", "  a  b\tc\n"] {
                var tokens: [String] = []
                var categories: [Tokenizer.Category] = []
                tokenizer.forEachToken(in: text) { token, category in
                    tokens.append(token)
                    categories.append(category)
                }
                #expect(tokens == tokenizer.tokenize(text))
                #expect(categories.count == tokens.count)
            }
        }
        var numbers: [Tokenizer.Category] = []
        Tokenizer().forEachToken(in: "ab 12 !") { _, category in numbers.append(category) }
        #expect(numbers == [.word, .number, .punctuation])
    }

    @Test("intern(String) and intern(bytes) agree on ids and counts")
    func internStringMatchesBytes() {
        var fromStrings = TokenDictionary()
        var fromBytes = TokenDictionary()
        for token in ["déjà", "a", "déjà", "", "b", "a", "déjà"] {
            let id = fromStrings.intern(token)
            var copy = token
            let other = copy.withUTF8 { fromBytes.intern($0) }
            #expect(id == other)
            #expect(fromStrings.token(id) == token)
        }
        #expect(fromStrings.tokens == fromBytes.tokens)
        let id = fromStrings.intern("déjà")
        #expect(fromStrings.count(of: id) == 4)
    }
}
