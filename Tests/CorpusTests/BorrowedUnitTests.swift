import Foundation
import Testing

@testable import Corpus

/// The borrowed fast path (`forEachBorrowedUnit`, `Tokenizer.forEachTokenID`, `TokenDictionary`) gives exactly what
/// the pulled event API and `Tokenizer.tokenize` give.
@Suite("Borrowed units and token ids")
struct BorrowedUnitTests {
    /// Every unit with its document, through the pulled events (`nextEvent()`, the array sink).
    static func pulledUnits(_ reader: XMLCorpusReader) throws -> [(DocumentInfo, TextUnit)] {
        var result: [(DocumentInfo, TextUnit)] = []
        var document = DocumentInfo(identifier: baseName(reader.reader.fileName), source: reader.reader.fileName)
        while let event = try reader.nextEvent() {
            switch event {
            case .startDocument(let info): document = info
            case .unit(let unit): result.append((document, unit))
            case .endDocument: break
            }
        }
        return result
    }

    /// Every unit with its document, through `forEachBorrowedUnit`, copied out.
    static func borrowedUnits(_ reader: XMLCorpusReader) throws -> [(DocumentInfo, TextUnit)] {
        var result: [(DocumentInfo, TextUnit)] = []
        try reader.forEachBorrowedUnit { document, unit in
            #expect(unit.text == String(decoding: unit.utf8Text, as: UTF8.self))
            result.append((document, unit.makeTextUnit()))
        }
        return result
    }

    /// Checks that both paths agree on `open()`'s file; returns the unit count.
    @discardableResult
    static func expectSameUnits(_ open: () throws -> XMLCorpusReader) throws -> Int {
        let pulled = try pulledUnits(try open())
        let borrowed = try borrowedUnits(try open())
        var viaForEachUnit: [(DocumentInfo, TextUnit)] = []
        try open().forEachUnit { viaForEachUnit.append(($0, $1)) }
        #expect(pulled.count == borrowed.count)
        #expect(pulled.count == viaForEachUnit.count)
        for (index, (document, unit)) in pulled.enumerated() where index < borrowed.count {
            #expect(borrowed[index].0 == document)
            #expect(borrowed[index].1 == unit)
            #expect(borrowed[index].1.metadata == unit.metadata)
            #expect(viaForEachUnit[index].0 == document)
            #expect(viaForEachUnit[index].1 == unit)
        }
        return pulled.count
    }

    static let fixtures: [(String, String)] = [
        ("tei", ProfileTests.tei), ("bosak", ProfileTests.bosak), ("tmx", ProfileTests.tmx),
        ("reviews", ProfileTests.reviews),
        (
            "teiCorpus",
            """
            <teiCorpus xmlns="http://www.tei-c.org/ns/1.0">
              <TEI xml:id="one"><teiHeader><fileDesc><titleStmt><title>One</title></titleStmt></fileDesc></teiHeader>
                <text><body><p>first <w lemma="x">word</w></p><p>  </p></body></text></TEI>
              <TEI><text><body><p>second</p><ab>third<s>inner</s>rest</ab></body></text></TEI>
            </teiCorpus>
            """
        ),
    ]

    @Test(
        "On the fixtures, borrowed units are the pulled units, with every granularity and option",
        arguments: fixtures.map(\.0))
    func fixturesAgree(name: String) throws {
        let xml = try #require(Self.fixtures.first { $0.0 == name }?.1)
        var configurations = [
            ProfileConfiguration(),
            ProfileConfiguration(granularity: .speech),
            ProfileConfiguration(includeStageDirections: true, includeHeadings: true),
        ]
        if name == "reviews" {
            // The generic profile (not sink-driven: its units are lent from the `TextUnit`s it builds).
            let specification = try GenericProfileSpecification(
                document: "shop", units: ["review/sentence"], labels: ["review@sentiment", "rating=review@stars"],
                metadata: ["shop@city"])
            configurations = [ProfileConfiguration(generic: specification)]
        }
        var total = 0
        for configuration in configurations {
            total += try Self.expectSameUnits {
                try XMLCorpusReader(bytes: Array(xml.utf8), name: "\(name).xml", profile: configuration)
            }
        }
        #expect(total > 0)
    }

    static let shakespeareFiles: [String] = {
        var files: [String] = []
        // The shipped plays, and the external Bosak and TEI collections when present.
        for directory in [
            packageRoot + "/corpora/shakespeare", ExternalData.bosakPlays.path, ExternalData.teiDraCor.path,
        ] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            files += names.filter { $0.hasSuffix(".xml") }.sorted().map { directory + "/" + $0 }
        }
        return files
    }()

    @Test("On the Shakespeare corpora (Bosak and TEI), borrowed units and token ids equal the existing API")
    func shakespeareAgrees() throws {
        try #require(Self.shakespeareFiles.count >= 2, "the shipped plays in corpora/shakespeare are missing")
        let tokenizer = Tokenizer()
        for path in Self.shakespeareFiles {
            // Whole speeches too on one play per directory (keeps the test a few seconds in debug).
            let granularities: [UnitGranularity] = path.hasSuffix("/hamlet.xml") ? [.block, .speech] : [.block]
            for granularity in granularities {
                let count = try Self.expectSameUnits {
                    try XMLCorpusReader(contentsOfFile: path, profile: ProfileConfiguration(granularity: granularity))
                }
                #expect(count > 300, "\(path)")
            }
            // Token ids and ranges from the borrowed text are tokenize()'s tokens of the pulled text.
            let pulled = try Self.pulledUnits(try XMLCorpusReader(contentsOfFile: path)).map(\.1.text)
            var dictionary = TokenDictionary()
            var index = 0
            var mismatches = 0
            try XMLCorpusReader(contentsOfFile: path).forEachBorrowedUnit { _, unit in
                var ids: [Int] = []
                tokenizer.forEachTokenID(in: unit.utf8Text, interningInto: &dictionary) { ids.append($0) }
                let expected = index < pulled.count ? tokenizer.tokenize(pulled[index]) : []
                if ids.map(dictionary.token) != expected { mismatches += 1 }
                index += 1
            }
            #expect(index == pulled.count)
            #expect(mismatches == 0, "\(path)")
        }
    }

    @Test("Token ids give tokenize()'s tokens under every tokenizer option, and count occurrences")
    func tokenIDsMatchTokenize() {
        let texts = [
            "To be, or not to be: that is the question.", "'Tis 1600 o'clock -- CAN'T you see?! Ça va, Œdipe…",
            "He said “don’t” twice — DON’T!", "", "   ", "3.14 and 2,000 and x2", "日本語のテキスト 🙂 e\u{301}",
        ]
        let tokenizers = [
            Tokenizer(), Tokenizer(isLowercasing: true), Tokenizer(isLowercasing: true, normalizesNumbers: true),
            Tokenizer(contractions: .keep), Tokenizer(normalizesApostrophes: false),
        ]
        for tokenizer in tokenizers {
            var dictionary = TokenDictionary()
            var all: [String] = []
            for text in texts {
                var copy = text
                let tokens = copy.withUTF8 { bytes in
                    var ids: [Int] = []
                    tokenizer.forEachTokenID(in: bytes, interningInto: &dictionary) { ids.append($0) }
                    return ids.map(dictionary.token)
                }
                #expect(tokens == tokenizer.tokenize(text))
                all += tokenizer.tokenize(text)
            }
            // Ids are dense in order of first appearance, counts are occurrences.
            var firstSeen: [String] = []
            for token in all where !firstSeen.contains(token) { firstSeen.append(token) }
            #expect(dictionary.tokens == firstSeen)
            #expect(dictionary.counts == firstSeen.map { token in all.filter { $0 == token }.count })
        }
    }

    @Test("The dictionary keeps its ids while it grows past its first table")
    func dictionaryGrows() {
        var dictionary = TokenDictionary()
        var ids: [Int] = []
        for number in 0..<5000 {
            var token = "t\(number)"
            ids.append(token.withUTF8 { dictionary.intern($0) })
        }
        #expect(ids == Array(0..<5000))
        #expect(dictionary.count == 5000)
        for number in stride(from: 0, to: 5000, by: 7) {
            var token = "t\(number)"
            #expect(token.withUTF8 { dictionary.intern($0) } == number)
            #expect(dictionary.token(number) == token)
        }
        var empty = ""
        let emptyID = empty.withUTF8 { dictionary.intern($0) }
        #expect(emptyID == 5000 && dictionary.token(emptyID) == "")
    }

    struct Stop: Error {}

    @Test("An error thrown by the callback stops the reading and is rethrown")
    func callbackErrorStops() throws {
        let reader = try XMLCorpusReader(bytes: Array(ProfileTests.tei.utf8), name: "tei.xml")
        var seen = 0
        #expect(throws: Stop.self) {
            try reader.forEachBorrowedUnit { _, _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
        // The same through a profile that is not sink-driven (generic: units lent from its events).
        let specification = try GenericProfileSpecification(document: "shop", units: ["review/sentence"])
        let generic = try XMLCorpusReader(
            bytes: Array(ProfileTests.reviews.utf8), name: "reviews.xml",
            profile: ProfileConfiguration(generic: specification))
        var genericSeen = 0
        #expect(throws: Stop.self) {
            try generic.forEachBorrowedUnit { _, _ in
                genericSeen += 1
                if genericSeen == 2 { throw Stop() }
            }
        }
        #expect(genericSeen == 2)
    }

    @Test("Units pulled first are not lost: the borrowed stream continues where nextEvent() stopped")
    func continuesAfterPull() throws {
        let all = try Self.pulledUnits(try XMLCorpusReader(bytes: Array(ProfileTests.tei.utf8), name: "tei.xml"))
        let reader = try XMLCorpusReader(bytes: Array(ProfileTests.tei.utf8), name: "tei.xml")
        var texts: [String] = []
        while let event = try reader.nextEvent() {
            if case .unit(let unit) = event {
                texts.append(unit.text)
                break
            }
        }
        try reader.forEachBorrowedUnit { _, unit in texts.append(unit.text) }
        #expect(texts == all.map(\.1.text))
        #expect(texts.count >= 3)
    }

    @Test("A file that is not well-formed throws from the borrowed path too")
    func malformedThrows() throws {
        let reader = try XMLCorpusReader(
            bytes: Array("<TEI><text><body><p>one</p><p>two</body></text></TEI>".utf8), name: "bad.xml")
        var texts: [String] = []
        let error = corpusError { try reader.forEachBorrowedUnit { _, unit in texts.append(unit.text) } }
        #expect(error?.kind == .notWellFormed)
    }
}
