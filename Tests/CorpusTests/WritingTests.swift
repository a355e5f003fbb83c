import Corpus
import Foundation
import Testing

@Suite("Writing, export and statistics")
struct WritingTests {
    static let units: [TextUnit] = [
        TextUnit(
            text: "To be, or not to be: that is the question.", kind: .line, labels: ["style": "early modern"],
            metadata: ["speaker": "HAMLET", "act": "3", "scene": "1", "speech": "7", "n": "3.1.64"],
            position: SourcePosition(file: "hamlet.xml", line: 120)),
        TextUnit(
            text: "Whether ’tis nobler & <braver> in the mind", kind: .line, labels: ["style": "early modern"],
            metadata: ["speaker": "HAMLET", "act": "3", "scene": "1", "speech": "7"],
            position: SourcePosition(file: "hamlet.xml", line: 121)),
        TextUnit(
            text: "Good my lord.", kind: .paragraph, labels: ["style": "early modern", "mood": "calm"],
            metadata: ["speaker": "OPHELIA", "act": "3", "scene": "1", "speech": "8"],
            position: SourcePosition(file: "hamlet.xml", line: 130)),
        TextUnit(
            text: "Exit.", kind: .sentence,
            tokens: [
                MarkedToken(form: "Exit", lemma: "exit", partOfSpeech: "vv"),
                MarkedToken(form: "."),
            ],
            metadata: ["act": "3", "scene": "2"], position: SourcePosition(file: "hamlet.xml", line: 140)),
    ]

    static func write(_ form: CorpusXMLWriter.Form, to path: String) throws {
        let writer = try CorpusXMLWriter(path: path, form: form, title: "Round trip")
        try writer.startDocument(
            DocumentInfo(
                identifier: "hamlet", title: "Hamlet", source: "hamlet.xml",
                metadata: ["format": "bosak"]))
        for unit in units { try writer.write(unit) }
        try writer.endDocument()
        try writer.finish()
    }

    @Test("Montague XML round-trips every field, gzip-compressed too")
    func montagueRoundTrip() throws {
        let directory = try makeTemporaryDirectory()
        for name in ["corpus.xml", "corpus.xml.gz"] {
            let path = directory + "/" + name
            try Self.write(.montague, to: path)
            let documents = try XMLCorpusReader(contentsOfFile: path).readDocuments()
            #expect(documents.count == 1)
            #expect(
                documents[0].info
                    == DocumentInfo(
                        identifier: "hamlet", title: "Hamlet", source: "hamlet.xml",
                        metadata: ["format": "bosak"]))
            #expect(documents[0].units == Self.units)
        }
        let compressed = try Data(contentsOf: URL(fileURLWithPath: directory + "/corpus.xml.gz"))
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test("TEI output reads back with the TEI profile: text, kinds, labels, speakers, acts and scenes")
    func teiRoundTrip() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/corpus.tei.xml"
        try Self.write(.tei, to: path)
        let reader = try XMLCorpusReader(contentsOfFile: path)
        let documents = try reader.readDocuments()
        #expect(reader.profileName == "tei")
        #expect(documents.map(\.info.title) == ["Hamlet"])
        let units = documents.flatMap(\.units)
        #expect(
            units.map(\.text) == [
                "To be, or not to be: that is the question.",
                "Whether ’tis nobler & <braver> in the mind", "Good my lord.", "Exit .",
            ])
        #expect(units.map(\.kind) == Self.units.map(\.kind))
        #expect(units.map(\.labels) == Self.units.map(\.labels))
        #expect(units.map { $0.metadata["speaker"] } == ["HAMLET", "HAMLET", "OPHELIA", nil])
        #expect(units.map { $0.metadata["scene"] } == ["1", "1", "1", "2"])
        #expect(units.map { $0.metadata["act"] } == ["3", "3", "3", "3"])
        #expect(units[0].metadata["n"] == "3.1.64")
        #expect(units[3].tokens?.map(\.lemma) == ["exit", nil])
    }

    @Test("JSONL and plain-text export, atomically")
    func export() throws {
        let directory = try makeTemporaryDirectory()
        let source = try writeFixture(ProfileTests.bosak, named: "play.xml", in: directory)
        let loader = try CorpusLoader(paths: [source])
        try CorpusExporter.export(
            loader, to: directory + "/out.jsonl", format: .jsonl,
            tokenizer: Tokenizer(isLowercasing: true))
        let lines = try String(contentsOfFile: directory + "/out.jsonl", encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 3)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["text"] as? String == "The air bites shrewdly;")
        #expect(first?["tokens"] as? [String] == ["the", "air", "bites", "shrewdly", ";"])
        #expect((first?["metadata"] as? [String: String])?["speaker"] == "HAMLET")
        #expect(first?["document"] as? String == "play.xml#1")
        #expect(first?["line"] as? Int == 10)

        try CorpusExporter.export(loader, to: directory + "/out.txt", format: .text)
        #expect(
            try String(contentsOfFile: directory + "/out.txt", encoding: .utf8)
                == "The air bites shrewdly;\nit is very cold.\nIt is.\n")
    }

    @Test("statistics: counts, labels, kinds, length histogram")
    func statistics() throws {
        let directory = try makeTemporaryDirectory()
        try writeFixture(ProfileTests.reviews, named: "reviews.xml", in: directory)
        try writeFixture("<tmx version='1.4'><header/><body/></tmx>", named: "empty.tmx", in: directory)
        let specification = try GenericProfileSpecification(
            document: "shop", units: ["review/sentence"],
            labels: ["review@sentiment"])
        let loader = try CorpusLoader(
            paths: [directory + "/reviews.xml"],
            options: CorpusLoadOptions(profile: ProfileConfiguration(generic: specification)))
        let statistics = try CorpusStatistics.compute(loader)
        #expect(statistics.files == 1)
        #expect(statistics.documents == 2)
        #expect(statistics.units == 4)
        // Great food ! | Nice staff . | Cold soup & rude “ service ” . | Fine .
        #expect(statistics.tokens == 3 + 3 + 8 + 2)
        #expect(statistics.types == 14)
        // The review's label counts once per review (two of its sentences are positive).
        #expect(statistics.labels == ["sentiment": ["pos": 2, "neg": 1]])
        #expect(
            statistics.lengthHistogram == [
                CorpusStatistics.LengthBin(lowerBound: 2, upperBound: 3, count: 3),
                CorpusStatistics.LengthBin(lowerBound: 8, upperBound: 15, count: 1),
            ])
        #expect(statistics.report.contains("label sentiment:\n  pos: 2 (66.7%)\n  neg: 1 (33.3%)"))
        let empty = try CorpusStatistics.compute(try CorpusLoader(paths: [directory + "/empty.tmx"]))
        #expect(empty.documents == 1)
        #expect(empty.units == 0)
    }
}
