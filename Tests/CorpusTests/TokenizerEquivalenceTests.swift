import Corpus
import Foundation
import MontagueSupport
import Testing

@Suite("Tokenizer fast paths")
struct TokenizerEquivalenceTests {
    /// Pieces random texts are made of: ASCII words and punctuation, the three apostrophes, hyphens, digits with
    /// separators, accented Latin, Latin Extended-B, Greek, Cyrillic, Han and kana, combining marks, emoji with
    /// skin tones and zero-width joiners, odd spaces and symbols around the Latin fast path (×, ÷, ª, µ, ²).
    static let pieces: [String] = [
        "a", "Z", "the", "don", "can", "I", "we", "t", "s", "ll", "re", "ve", "m", "d", "tis", "twas", "em", "twere",
        "twill", "twould", "o", "clock", "'", "’", "ʼ", "-", "‐", " ", "  ", "\t", "\n", ".", ",", "...", "--", "!",
        "?",
        ";", ":", "\"", "(", ")", "$", "%", "<", "=", "0", "1", "27", "3.14", "1,000", "é", "É", "ï", "ç", "ß", "Ø",
        "ÿ", "Ā", "ő", "ſ", "ƀ", "ǅ", "ǀ", "ɏ", "ɐ", "×", "÷", "ª", "º", "µ", "²", "¿", "¡", "«", "»", "\u{00A0}",
        "\u{2009}", "\u{200B}", "α", "Ω", "ж", "Я", "漢", "字", "ひ", "カ", "\u{0301}", "\u{0308}", "😀", "👍🏽",
        "👩\u{200D}💻", "❤\u{FE0F}", "€", "—", "…", "١", "٢", "ก", "\u{E9}\u{301}",
    ]

    static func randomText(_ generator: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<(1 + generator.nextInt(below: 24)) {
            if generator.nextInt(below: 10) == 0 {
                // Any scalar of the Basic Multilingual Plane or beyond (surrogates excluded by the initializer).
                let value = UInt32(generator.nextInt(below: 0x2FFFF))
                if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
            } else {
                text += pieces[generator.nextInt(below: pieces.count)]
            }
        }
        return text
    }

    @Test("the byte-level tokenizer gives the reference tokenizer's tokens on random Unicode text, in every mode")
    func sameTokensAsReference() {
        var generator = SplitMix64(seed: 2026)
        let configurations: [(Tokenizer, ReferenceTokenizer)] = [
            (Tokenizer(), ReferenceTokenizer()),
            (
                Tokenizer(
                    isLowercasing: true, normalizesNumbers: true, contractions: .keep, normalizesApostrophes: false),
                ReferenceTokenizer(
                    lowercase: true, normalizeNumbers: true, contractions: .keep, normalizeApostrophes: false)
            ),
            (Tokenizer(isLowercasing: true), ReferenceTokenizer(lowercase: true)),
        ]
        var mismatches: [String] = []
        for _ in 0..<3000 {
            let text = Self.randomText(&generator)
            for (tokenizer, reference) in configurations {
                let tokens = tokenizer.tokenize(text)
                let expected = reference.tokenize(text)
                if tokens != expected, mismatches.count < 5 {
                    mismatches.append("\(text.debugDescription): \(tokens) != \(expected)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("every scalar of U+0080…U+052F and of the apostrophes and spaces classes tokenizes as in the reference")
    func sameTokensPerScalar() {
        let tokenizer = Tokenizer()
        let reference = ReferenceTokenizer()
        var mismatches: [UInt32] = []
        for value in UInt32(0x80)...0x52F {
            guard let scalar = Unicode.Scalar(value) else { continue }
            // Alone, between letters, and before an apostrophe clitic: the class decides all three.
            for text in ["\(scalar)", "a\(scalar)b", "x\(scalar)'s 1\(scalar)2"]
            where tokenizer.tokenize(text) != reference.tokenize(text) {
                mismatches.append(value)
            }
        }
        #expect(mismatches.isEmpty, "scalars tokenized differently: \(mismatches.map { String($0, radix: 16) })")
    }

    @Test("contractions and archaic clitics are matched without arrays, as before")
    func clitics() {
        let tokenizer = Tokenizer()
        #expect(
            tokenizer.tokenize("’Tis ’twill ’EM 'twould 'twerenot don't WE'LL I'M they'RE") == [
                "'Tis", "'twill", "'EM", "'twould", "'", "twerenot", "do", "n't", "WE", "'LL", "I", "'M", "they",
                "'RE",
            ])
    }
}

@Suite("Unit text whitespace")
struct UnitTextWhitespaceTests {
    @Test("a unit's text collapses every whitespace run to one space across text nodes, on random text")
    func collapsesWhitespace() throws {
        var generator = SplitMix64(seed: 7)
        let pieces = ["a", "bc", "déf", "’tis", " ", "  ", "\n", "\t", "\r\n", " x ", "y z", "<!---->", "<lb/>"]
        for _ in 0..<200 {
            var body = ""
            for _ in 0..<(1 + generator.nextInt(below: 20)) { body += pieces[generator.nextInt(below: pieces.count)] }
            let xml = "<TEI><text><body><l>" + body + "</l></body></text></TEI>"
            // Line breaks separate words; comments do not.
            let plain = body.replacingOccurrences(of: "<!---->", with: "").replacingOccurrences(of: "<lb/>", with: " ")
            let expected = plain.unicodeScalars.split(whereSeparator: { " \t\r\n".unicodeScalars.contains($0) })
                .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
            let texts = try units(xml).map(\.text)
            #expect(texts == (expected.isEmpty ? [] : [expected]), "\(body.debugDescription)")
        }
    }
}
