import Foundation
import MontagueSupport
import Testing

@testable import Corpus

/// `forEachTokenID` normalizes tokens in bytes (ASCII, ’, Latin-1 and Latin Extended-A lowercasing) and falls back to
/// the `String` path for anything else; `TokenDictionary` keeps its tables on unsafe buffers in a copy-on-write box.
/// These tests hold both to `tokenize` and to plain value semantics.
@Suite("Token id fast paths")
struct TokenIDFastPathTests {
    /// Every combination of the options that change tokens.
    static let tokenizers: [(Tokenizer, ReferenceTokenizer)] = {
        var pairs: [(Tokenizer, ReferenceTokenizer)] = []
        for lowercase in [false, true] {
            for normalizeNumbers in [false, true] {
                for split in [false, true] {
                    for normalizeApostrophes in [false, true] {
                        pairs.append(
                            (
                                Tokenizer(
                                    isLowercasing: lowercase, normalizesNumbers: normalizeNumbers,
                                    contractions: split ? .split : .keep, normalizesApostrophes: normalizeApostrophes),
                                ReferenceTokenizer(
                                    lowercase: lowercase, normalizeNumbers: normalizeNumbers,
                                    contractions: split ? .split : .keep, normalizeApostrophes: normalizeApostrophes)
                            ))
                    }
                }
            }
        }
        return pairs
    }()

    /// Pieces whose lowercasing is not one scalar for one scalar, or not Latin (the `String` path), and pieces of the
    /// byte fast path.
    static let unicodePieces: [String] = [
        "İ", "İstanbul", "ẞ", "Σ", "ΣΟΦΟΣ", "ος", "ı", "ﬁ", "ﬀ", "Ŀ", "ŀ", "Ÿ", "ŉ", "Ǆ", "ǅ", "Ⅻ", "Ａ", "\u{0345}",
        "e\u{0301}", "E\u{0300}", "é", "É", "ï", "Ï", "Ç", "ç", "Œ", "œ", "Ā", "Ž", "ĸ", "ſ", "’", "’tis", "o’er",
        "E’EN", "don’t", "27.5", "1,000", "&", "naïve", "CAFÉ", "Ⓐ", "ǈ", "Ꭰ", "Ω",
    ]

    static func randomText(_ generator: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<(1 + generator.nextInt(below: 16)) {
            if generator.nextInt(below: 3) == 0 {
                text += unicodePieces[generator.nextInt(below: unicodePieces.count)]
            } else {
                text += TokenizerEquivalenceTests.randomText(&generator)
            }
            if generator.nextInt(below: 2) == 0 { text += " " }
        }
        return text
    }

    /// The tokens `forEachTokenID` gives for `bytes`, through `dictionary.token`.
    static func tokensFromIDs(
        _ tokenizer: Tokenizer, _ bytes: UnsafeBufferPointer<UInt8>, _ dictionary: inout TokenDictionary
    ) -> [String] {
        var ids: [Int] = []
        tokenizer.forEachTokenID(in: bytes, interningInto: &dictionary) { ids.append($0) }
        return ids.map(dictionary.token)
    }

    /// `token(...)` of every range: what `forEachTokenID` must intern, also for bytes that are not UTF-8.
    static func tokensFromRanges(_ tokenizer: Tokenizer, _ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var tokens: [String] = []
        tokenizer.forEachTokenRange(in: bytes) { range, category in
            tokens.append(tokenizer.token(bytes, range, category))
        }
        return tokens
    }

    /// Byte ranges and category names of a tokenizer's tokens.
    static func ranges(_ tokenizer: Tokenizer, _ text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { bytes in
            var ranges: [String] = []
            tokenizer.forEachTokenRange(in: bytes) { range, category in ranges.append("\(range) \(category)") }
            return ranges
        }
    }

    static func ranges(_ tokenizer: ReferenceTokenizer, _ text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { bytes in
            var ranges: [String] = []
            tokenizer.forEachTokenRange(in: bytes) { range, category in ranges.append("\(range) \(category)") }
            return ranges
        }
    }

    @Test("ids map back to tokenize()'s tokens and ranges equal the reference, under all 16 option combinations")
    func randomTextEveryConfiguration() {
        var generator = SplitMix64(seed: 4)
        var mismatches: [String] = []
        for (tokenizer, reference) in Self.tokenizers {
            // One dictionary per configuration across all texts: later texts hit tokens interned earlier.
            var dictionary = TokenDictionary()
            for _ in 0..<400 {
                let text = Self.randomText(&generator)
                var copy = text
                let fromIDs = copy.withUTF8 { Self.tokensFromIDs(tokenizer, $0, &dictionary) }
                let expected = tokenizer.tokenize(text)
                if fromIDs != expected || expected != reference.tokenize(text)
                    || Self.ranges(tokenizer, text) != Self.ranges(reference, text), mismatches.count < 5
                {
                    mismatches.append("\(tokenizer) \(text.debugDescription): \(fromIDs) != \(expected)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("every ASCII character, and a few others, at every position of long words splits them as the reference")
    func everyASCIIInsideWords() {
        let tokenizer = Tokenizer()
        let reference = ReferenceTokenizer()
        var others = (0..<0x80).compactMap { Unicode.Scalar(UInt32($0)) }.map { String($0) }
        others += ["é", "É", "×", "’", "\u{301}", "漢", "😀"]
        var mismatches: [String] = []
        for other in others {
            for position in 0...19 {
                // Letters around `other` so the word-at-a-time scan meets it at every offset in its eight bytes.
                let word = "abcdefghijKLMNOPQRSTuvwxyz"
                let text = String(word.prefix(position)) + other + String(word.dropFirst(position)) + " " + word
                if tokenizer.tokenize(text) != reference.tokenize(text)
                    || Self.ranges(tokenizer, text) != Self.ranges(reference, text), mismatches.count < 10
                {
                    mismatches.append(text.debugDescription)
                }
            }
            // Short tokens through the ids, lowercased eight bytes at a time: A–Z and their neighbours @ [ ` {.
            let lowercase = Tokenizer(isLowercasing: true)
            let text = "\(other) A\(other)Z @AZ[ `az{ \(other)\(other)QX\(other)bb ABCDEFG\(other) padding"
            var dictionary = TokenDictionary()
            var copy = text
            let fromIDs = copy.withUTF8 { Self.tokensFromIDs(lowercase, $0, &dictionary) }
            if fromIDs != lowercase.tokenize(text) || fromIDs != ReferenceTokenizer(lowercase: true).tokenize(text),
                mismatches.count < 10
            {
                mismatches.append("lowercased \(text.debugDescription): \(fromIDs)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("every scalar of U+0080…U+07FF, General Punctuation and more lowercases and normalizes as tokenize()")
    func everyScalar() {
        var values = Array(UInt32(0x80)...0x7FF) + Array(UInt32(0x2000)...0x206F)
        values += [0x1E9E, 0x2160, 0x216B, 0x24B6, 0xFB01, 0xFF21, 0x13A0, 0x10400, 0x1F600]
        var mismatches: [String] = []
        for (tokenizer, _) in Self.tokenizers where !tokenizer.normalizesNumbers {
            var dictionary = TokenDictionary()
            for value in values {
                guard let scalar = Unicode.Scalar(value) else { continue }
                // Alone, inside a word with capitals around it, and next to the typographic apostrophe.
                let text = "\(scalar) A\(scalar)B x\(scalar)’S \(scalar)\(scalar)"
                var copy = text
                let fromIDs = copy.withUTF8 { Self.tokensFromIDs(tokenizer, $0, &dictionary) }
                if fromIDs != tokenizer.tokenize(text), mismatches.count < 10 {
                    mismatches.append("U+\(String(value, radix: 16)) \(tokenizer.isLowercasing): \(fromIDs)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("fast-path and fallback tokens, spelled out")
    func spelledOut() {
        let text = "Naïve CAFÉ ’Tis o’er ÇA Ŀ ẞ İ ΟΔΟΣ ﬁ Ÿ E\u{301} 27.5 1,000 & don’t"
        let tokenizer = Tokenizer(isLowercasing: true)
        var dictionary = TokenDictionary()
        var copy = text
        let tokens = copy.withUTF8 { Self.tokensFromIDs(tokenizer, $0, &dictionary) }
        #expect(
            tokens == [
                "naïve", "café", "'tis", "o'er", "ça", "ŀ", "ß", "i\u{307}", "ΟΔΟΣ".lowercased(), "ﬁ", "ÿ", "e\u{301}",
                "27.5", "1,000", "&", "do", "n't",
            ])
        // Without normalization the typographic apostrophe stays, and case stays.
        var keep = TokenDictionary()
        var other = "O’er NAÏVE"
        let kept = other.withUTF8 { Self.tokensFromIDs(Tokenizer(normalizesApostrophes: false), $0, &keep) }
        #expect(kept == ["O’er", "NAÏVE"])
    }

    @Test("bytes that are not UTF-8 give token(...)'s repaired strings, as the String path does")
    func malformedBytes() {
        var generator = SplitMix64(seed: 11)
        let fragments: [[UInt8]] = [
            [0xC3], [0xC3, 0x28], [0xE2, 0x80], [0xE2, 0x80, 0x99], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF5, 0x80],
            [0xF0, 0x9F, 0x98], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0x80], [0x80], [0xBF], [0xFF],
            Array("É".utf8), Array("Ab".utf8), Array(" ".utf8), Array("'".utf8), Array("s".utf8), Array("1".utf8),
        ]
        var mismatches = 0
        for (tokenizer, _) in Self.tokenizers {
            var dictionary = TokenDictionary()
            for _ in 0..<200 {
                var bytes: [UInt8] = []
                for _ in 0..<(1 + generator.nextInt(below: 12)) {
                    bytes += fragments[generator.nextInt(below: fragments.count)]
                }
                bytes.withUnsafeBufferPointer { buffer in
                    if Self.tokensFromIDs(tokenizer, buffer, &dictionary) != Self.tokensFromRanges(tokenizer, buffer) {
                        mismatches += 1
                    }
                }
            }
        }
        #expect(mismatches == 0)
    }

    /// A token of `length` bytes numbered `number`: lengths 0 to 40 cover every branch of the hash and compare.
    static func token(_ number: Int, length: Int) -> String {
        let digits = String(number, radix: 36)
        if length <= digits.count { return String(digits.prefix(length)) }
        return String(repeating: "x", count: length - digits.count) + digits
    }

    @Test("100 000 distinct tokens of every length keep dense ids, counts and bytes through many resizes")
    func dictionaryGrowsLarge() {
        var dictionary = TokenDictionary()
        var expected: [String] = []
        var seen = Set<String>()
        for number in 0..<100_000 {
            let token = Self.token(number, length: number % 41)
            guard seen.insert(token).inserted else { continue }
            expected.append(token)
        }
        #expect(expected.count > 90_000)
        for (index, token) in expected.enumerated() {
            var copy = token
            let id = copy.withUTF8 { dictionary.intern($0) }
            #expect(id == index)
        }
        #expect(dictionary.count == expected.count)
        // Again, every third one: the same ids, counted twice.
        var mismatches = 0
        for index in stride(from: 0, to: expected.count, by: 3) {
            var copy = expected[index]
            if copy.withUTF8({ dictionary.intern($0) }) != index { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(dictionary.count == expected.count)
        #expect(dictionary.tokens == expected)
        let counts = dictionary.counts
        #expect(counts.enumerated().allSatisfy { index, count in count == (index % 3 == 0 ? 2 : 1) })
        #expect(dictionary.count(of: 3) == 2 && dictionary.count(of: 4) == 1)
    }

    @Test("tokens sharing prefixes, suffixes or all but one middle byte get their own ids")
    func nearTokens() {
        var tokens: [String] = []
        for length in 1...40 {
            let base = String(repeating: "a", count: length)
            tokens.append(base)
            for position in [0, length / 2, length - 1] {
                var bytes = Array(base.utf8)
                bytes[position] = UInt8(ascii: "b")
                tokens.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        var unique: [String] = []
        for token in tokens where !unique.contains(token) { unique.append(token) }
        var dictionary = TokenDictionary()
        for _ in 0..<2 {
            let ids = tokens.map { token in
                var copy = token
                return copy.withUTF8 { dictionary.intern($0) }
            }
            #expect(ids == tokens.map { unique.firstIndex(of: $0) ?? -1 })
        }
        #expect(dictionary.tokens == unique)
        #expect(dictionary.count == unique.count)
    }

    @Test("tokens whose hashes are all equal are told apart by their bytes, at every length up to 40")
    func equalHashes() {
        var tokens: [[UInt8]] = [[]]
        for length in 1...40 {
            let base = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            tokens.append(base)
            for position in Set([0, 3, length / 2, length - 8, length - 1]) where position >= 0 && position < length {
                var bytes = base
                bytes[position] = UInt8(ascii: "b")
                tokens.append(bytes)
            }
        }
        #expect(tokens.count < 512, "beyond the first table, growth would rehash with the real hashes")
        let storage = TokenDictionaryStorage()
        for round in 0..<2 {
            var mismatches = 0
            for (index, token) in tokens.enumerated() {
                let id = token.withUnsafeBufferPointer { buffer in
                    // Every token probes from the same slot with the same tag: only the byte comparison separates them.
                    storage.intern(buffer.baseAddress ?? UnsafePointer(storage.arena), buffer.count, hash: 42)
                }
                if id != index { mismatches += 1 }
            }
            #expect(mismatches == 0, "round \(round)")
        }
        #expect(storage.tokenCount == tokens.count)
        let stored = tokens.indices.map { index in
            Array(UnsafeBufferPointer(start: storage.arena + storage.starts[index], count: tokens[index].count))
        }
        #expect(stored == tokens)
    }

    @Test("a copy of a dictionary is independent: interning into either leaves the other as it was")
    func valueSemantics() {
        var original = TokenDictionary()
        var words = "to be or not to be"
        let tokenizer = Tokenizer()
        _ = words.withUTF8 { Self.tokensFromIDs(tokenizer, $0, &original) }
        let snapshot = (original.tokens, original.counts)

        var copy = original
        var more = "that is the question to be"
        _ = more.withUTF8 { Self.tokensFromIDs(tokenizer, $0, &copy) }
        #expect(original.tokens == snapshot.0 && original.counts == snapshot.1)
        #expect(copy.tokens == ["to", "be", "or", "not", "that", "is", "the", "question"])
        #expect(copy.counts == [3, 3, 1, 1, 1, 1, 1, 1])

        // The other way round, through `intern`, and past a resize of the original only.
        let second = original
        for number in 0..<3000 {
            var token = "w\(number)"
            _ = token.withUTF8 { original.intern($0) }
        }
        #expect(second.tokens == snapshot.0 && second.counts == snapshot.1)
        #expect(original.count == 4 + 3000)
        var to = "to"
        #expect(to.withUTF8 { original.intern($0) } == 0)
        #expect(original.count(of: 0) == 3 && second.count(of: 0) == 2)

        // The empty token is a token like any other.
        var empty = ""
        let emptyID = empty.withUTF8 { copy.intern($0) }
        #expect(emptyID == 8 && copy.token(emptyID) == "" && empty.withUTF8 { copy.intern($0) } == 8)
    }
}
