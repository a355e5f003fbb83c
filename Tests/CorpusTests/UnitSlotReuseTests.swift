import Foundation
import MontagueSupport
import Testing

@testable import Corpus

/// The profiles reuse unit slots and text buffers from unit to unit, keep metadata values as bytes and normalize
/// whitespace eight bytes at a time: nothing of one unit may leak into the next, and the text must be exactly the
/// whitespace-collapsed text.
@Suite("Unit slot reuse and whitespace normalization")
struct UnitSlotReuseTests {
    static let tei = """
        <TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div type="act" n="1">
        <sp who="#a" xml:id="s1"><speaker>A</speaker>
        <l xml:id="l1" n="1" ana="#tone=dark #mood=grim other">One <w lemma="two" pos="num">two</w>.</l>
        <l>Plain line.</l>
        <l n="3">Third.</l>
        </sp>
        <sp who="#b"><speaker>B</speaker><speaker>C</speaker><l>Fourth.</l></sp>
        <l>Outside.</l>
        </div></body></text></TEI>
        """

    /// Every unit through the three APIs (events, owned units, borrowed units copied out).
    static func allPaths(_ xml: String) throws -> [[TextUnit]] {
        func reader() throws -> XMLCorpusReader { try XMLCorpusReader(bytes: Array(xml.utf8), name: "f.xml") }
        var owned: [TextUnit] = []
        try reader().forEachUnit { _, unit in owned.append(unit) }
        var borrowed: [TextUnit] = []
        try reader().forEachBorrowedUnit { _, unit in borrowed.append(unit.makeTextUnit()) }
        return [try reader().readDocuments().flatMap(\.units), owned, borrowed]
    }

    @Test("labels, tokens and own metadata of one unit do not reach the next unit in the same slot")
    func nothingLeaks() throws {
        for units in try Self.allPaths(Self.tei) {
            #expect(units.map(\.text) == ["One two.", "Plain line.", "Third.", "Fourth.", "Outside."])
            #expect(units[0].labels == ["tone": "dark", "mood": "grim"])
            #expect(units[0].metadata["id"] == "l1" && units[0].metadata["n"] == "1")
            #expect(units[0].metadata["ana"] == "other")
            #expect(units[0].tokens == [MarkedToken(form: "two", lemma: "two", partOfSpeech: "num")])
            #expect(units[1].labels.isEmpty && units[1].tokens == nil)
            #expect(units[1].metadata == ["act": "1", "speech": "s1", "who": "#a", "speaker": "A"])
            #expect(units[2].metadata == ["act": "1", "speech": "s1", "who": "#a", "speaker": "A", "n": "3"])
            #expect(units[3].metadata == ["act": "1", "speech": "2", "who": "#b", "speaker": "B/C"])
            #expect(units[4].metadata == ["act": "1"])
        }
    }

    @Test("a unit's own entries: a fourth key and a key set twice keep every value, later ones winning")
    func ownEntriesOverflow() {
        var metadata = UnitMetadata(
            context: MetadataContext(entries: ["act": "1", "n": "0"]),
            speech: SpeechMetadata(version: 1, number: 2, identifier: nil, who: "#w", speaker: nil))
        metadata.set("id", "x")
        metadata.set("n", "2")
        metadata.set("ana", "a b")
        let speech = ["speech": "2", "who": "#w"]
        #expect(metadata.dictionary == speech.merging(["act": "1", "id": "x", "n": "2", "ana": "a b"]) { $1 })
        metadata.set("speaker", "HAMLET")
        metadata.set("n", "3")
        #expect(
            metadata.dictionary
                == speech.merging(["act": "1", "id": "x", "n": "3", "ana": "a b", "speaker": "HAMLET"]) { $1 })
        metadata.reset(context: nil)
        metadata.speech = SpeechMetadata()
        #expect(metadata.dictionary.isEmpty)
        metadata.set("n", "4")
        #expect(metadata.dictionary == ["n": "4"])
    }

    /// Whitespace collapsed the plain way: split on XML whitespace, join with one space.
    static func collapsed(_ pieces: [[UInt8]]) -> [UInt8] {
        let all = pieces.flatMap { $0 }
        let words = all.split(whereSeparator: { TextAccumulator.isSpace($0) })
        return Array(words.joined(separator: [0x20]))
    }

    @Test("whitespace normalization equals split-and-join on random text fed in random pieces")
    func whitespaceNormalization() {
        var generator = SplitMix64(seed: 41)
        let alphabet: [[UInt8]] = [
            [0x61], [0x62], [0x2E], [0x20], [0x20], [0x20], [0x0A], [0x09], [0x0D], Array("é".utf8), Array("’".utf8),
        ]
        var accumulator = TextAccumulator()
        for _ in 0..<3_000 {
            let length = generator.nextInt(below: 160)
            var text: [UInt8] = []
            for _ in 0..<length { text += alphabet[generator.nextInt(below: alphabet.count)] }
            // Cut into 1–4 text nodes, as a parser may deliver them.
            var pieces: [[UInt8]] = []
            var start = 0
            for _ in 0..<generator.nextInt(below: 4) {
                let cut = start + generator.nextInt(below: text.count - start + 1)
                pieces.append(Array(text[start..<cut]))
                start = cut
            }
            pieces.append(Array(text[start...]))
            accumulator.reset()
            for piece in pieces { piece.withUnsafeBufferPointer { accumulator.append($0) } }
            #expect(accumulator.bytes == Self.collapsed(pieces), "\(text)")
        }
    }

    @Test("the eight-byte test accepts exactly the words a byte-by-byte scan would copy whole")
    func cleanWords() {
        var generator = SplitMix64(seed: 5)
        let bytes: [UInt8] = [0x20, 0x0A, 0x09, 0x0D, 0x61, 0x7A, 0xC3, 0xA9, 0x1F, 0x21, 0xFF, 0x80]
        for _ in 0..<20_000 {
            var word: UInt64 = 0
            var lanes: [UInt8] = []
            for lane in 0..<8 {
                let byte = bytes[generator.nextInt(below: bytes.count)]
                lanes.append(byte)
                word |= UInt64(byte) << (8 * lane)
            }
            let expected =
                !lanes.contains(where: { $0 < 0x20 })
                && !zip(lanes, lanes.dropFirst()).contains(where: { $0 == 0x20 && $1 == 0x20 })
            #expect(TextAccumulator.isClean(word) == expected, "\(lanes)")
        }
    }
}
