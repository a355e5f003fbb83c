import Corpus
import Foundation
import Testing

@Suite("Directory selection and TMX details")
struct DirectoryAndTMXTests {
    @Test("a directory in XML mode gives its XML files only (by name and first bytes) and lists the others")
    func xmlFilesOnly() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let xml = try writeFixture("<r><p>one</p></r>", named: "a.xml", in: directory)
        let unnamed = try writeFixture("\n <r><p>two</p></r>", named: "c.dat", in: directory)
        // A UTF-16 text file (byte-order mark, no '<'): not XML.
        let utf16 = try writeFixture(
            [0xFF, 0xFE] + Array("plain text\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] },
            named: "b.txt", in: directory)
        let text = try writeFixture("a sentence\n", named: "sentiment.dev.0", in: directory)
        try writeFixture("licence", named: "LICENSE", in: directory)
        let spec = try GenericProfileSpecification(units: ["p"])
        let loader = try CorpusLoader(
            paths: [directory], options: CorpusLoadOptions(profile: ProfileConfiguration(kind: .generic, generic: spec))
        )
        #expect(loader.files == [xml, unnamed])
        #expect(loader.skippedFiles == [utf16, text])
        #expect(try loader.readDocuments().documents.flatMap(\.units).map(\.text) == ["one", "two"])
        // Plain text is chosen explicitly: every file but the licence.
        let plain = try CorpusLoader(paths: [directory], options: CorpusLoadOptions(format: .plainText))
        #expect(plain.files.count == 4)
        #expect(plain.skippedFiles.isEmpty)
        // A file named explicitly is read whatever its name; a UTF-16 text file is text.
        let explicit = try CorpusLoader(paths: [text], options: CorpusLoadOptions())
        #expect(try explicit.readDocuments().documents.flatMap(\.units).map(\.text) == ["a sentence"])
    }

    @Test("a directory without XML files says how to read plain text")
    func noXML() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeFixture("a sentence\n", named: "sentiment.dev.1", in: directory)
        let error = try #require(corpusError { _ = try CorpusLoader(paths: [directory]) })
        #expect(error.message.contains("--format text"))
    }

    @Test("TMX: tabs written as character references stay in the segment; language tags ignore case")
    func tmxTabsAndLanguages() throws {
        let xml = """
            <tmx version="1.4"><header srclang="EN-US"/><body>
            <tu tuid="1"><tuv xml:lang="EN-US"><seg>Name&#9;Value  end</seg></tuv>
            <tuv xml:lang="FR-CA"><seg>Nom&#x9;Valeur</seg></tuv></tu>
            <tu tuid="2"><tuv xml:lang="en-us"><seg>two</seg></tuv><tuv xml:lang="fr-ca"><seg>deux</seg></tuv></tu>
            </body></tmx>
            """
        let all = try units(xml, name: "memory.tmx")
        #expect(all.map(\.text) == ["Name\tValue end", "Nom\tValeur", "two", "deux"])
        let pairs = TranslationPairs.pairs(in: all, source: "en-US", target: "fr-ca")
        #expect(pairs.map(\.target) == ["Nom\tValeur", "deux"])
        #expect(TranslationPairs.languageCounts(in: all) == ["en-us": 2, "fr-ca": 2])
    }
}
