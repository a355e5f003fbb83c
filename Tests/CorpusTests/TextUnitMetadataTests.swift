import Corpus
import Foundation
import Testing

@Suite("Text unit metadata")
struct TextUnitMetadataTests {
    static let tei = """
        <TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div type="act" n="2">
        <sp who="#h" xml:id="sp1" n="9" ana="#x"><speaker>HAMLET</speaker>
        <l xml:id="l1" n="2.1" ana="#tone=dark #y">Words, words, words.</l><l>Slanders, sir.</l>
        </sp></div></body></text></TEI>
        """

    @Test("a unit's own entries override its context, and four own entries still all arrive")
    func ownEntriesAndContext() throws {
        let speeches = try units(Self.tei, profile: ProfileConfiguration(granularity: .speech))
        let speech = try #require(speeches.first)
        #expect(speech.metadata["act"] == "2")
        #expect(speech.metadata["who"] == "#h")
        #expect(speech.metadata["id"] == "sp1")
        #expect(speech.metadata["n"] == "9")
        #expect(speech.metadata["ana"] == "#x")
        #expect(speech.metadata["speaker"] == "HAMLET")
        let lines = try units(Self.tei)
        #expect(lines.map(\.text) == ["Words, words, words.", "Slanders, sir."])
        #expect(lines[0].metadata["id"] == "l1")
        #expect(lines[0].metadata["n"] == "2.1")
        #expect(lines[0].metadata["ana"] == "#y")
        #expect(lines[0].labels == ["tone": "dark"])
        #expect(lines[1].metadata["id"] == nil)
        #expect(lines[1].metadata["act"] == "2")
    }

    @Test("units read from XML equal, hash and encode like units made from a dictionary")
    func equalityHashAndCoding() throws {
        let read = try #require(try units(Self.tei).first)
        let made = TextUnit(
            text: read.text, kind: read.kind, tokens: read.tokens, labels: read.labels, metadata: read.metadata,
            position: read.position)
        #expect(read == made)
        #expect(read.hashValue == made.hashValue)
        var changed = made
        changed.metadata["n"] = "2.2"
        #expect(read != changed)
        let decoded = try JSONDecoder().decode(TextUnit.self, from: JSONEncoder().encode(read))
        #expect(decoded == read)
        #expect(decoded.metadata == read.metadata)
    }
}
