import Corpus
import Foundation
import Testing

/// Owned token strings made once per distinct token (`InternedTokenStrings`) equal `Tokenizer.tokenize`, and the
/// plain-text export built on them writes the lines `CorpusExporter.textLine` gives.
@Suite("Interned token strings and the plain-text export")
struct InternedTokenStringsTests {
    static let texts = [
        "The air bites shrewdly; it is very cold.", "Don't you see? 'Tis 3.14, not 1,000 — ’twas ÉTÉ!",
        "Ça va, Ünïcödé wörds and emoji 👍🏽 here", "", "   ", "naïve café coöperate", "日本語のテキスト", "x\u{2019}s",
        "a-very-long-hyphenated-token-well-beyond-fifteen-bytes again a-very-long-hyphenated-token-well-beyond-fifteen-bytes",
    ]

    static let tokenizers = [
        Tokenizer(), Tokenizer(isLowercasing: true), Tokenizer(normalizesNumbers: true),
        Tokenizer(contractions: .keep, normalizesApostrophes: false), Tokenizer(segmentation: .whitespace),
        Tokenizer(isLowercasing: true, normalizesNumbers: true, numberToken: "<n>"),
    ]

    @Test func internedTokensEqualTokenize() {
        for tokenizer in Self.tokenizers {
            var interned = InternedTokenStrings(tokenizer: tokenizer)
            // Twice over, so the second pass reads every token from the table.
            for text in Self.texts + Self.texts {
                #expect(interned.tokenize(text) == tokenizer.tokenize(text), "\(text) with \(tokenizer)")
            }
            #expect(interned.dictionary.count == Set(Self.texts.flatMap(tokenizer.tokenize)).count)
        }
    }

    @Test func plainTextExportWritesTheLinesOfTextLine() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sources = [
            try writeFixture(ProfileTests.bosak, named: "play.xml", in: directory),
            try writeFixture(ProfileTests.tei, named: "tei.xml", in: directory),
            try writeFixture(ProfileTests.tmx, named: "memory.tmx", in: directory),
            try writeFixture("First line here.\nSecond, with 2 numbers 3.5\n", named: "plain.txt", in: directory),
        ]
        for tokenizer in [nil] + Self.tokenizers.map(Optional.some) {
            let loader = try CorpusLoader(paths: sources)
            let (documents, _) = try loader.readDocuments()
            let expected = documents.flatMap(\.units).map { CorpusExporter.textLine($0, tokenizer: tokenizer) + "\n" }
            #expect(!expected.isEmpty)
            let output = directory + "/out.txt"
            try CorpusExporter.export(loader, to: output, format: .text, tokenizer: tokenizer)
            #expect(try String(contentsOfFile: output, encoding: .utf8) == expected.joined())
        }
    }
}
