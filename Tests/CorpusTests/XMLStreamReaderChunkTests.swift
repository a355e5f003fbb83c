import Corpus
import Foundation
import Testing

/// The reader feeds libxml2 64 KiB at a time: nodes must not depend on where the chunks end.
@Suite("XML stream reader chunks")
struct XMLStreamReaderChunkTests {
    @Test("a text node longer than a chunk, and text cut by chunk ends, arrive whole, once")
    func longText() throws {
        let long = String(repeating: "abcdefghij ", count: 20_000)  // 220 kB
        var xml = "<r><a>" + long + "</a>"
        for index in 0..<5000 { xml += "<b n=\"\(index)\">text \(index) ü</b>\n" }
        xml += "</r>"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "long.xml")
        var texts: [String] = []
        var numbers: [String] = []
        while try reader.read() {
            if reader.nodeKind == .text { texts.append(reader.value) }
            if reader.nodeKind == .element, let number = reader.attribute("n") { numbers.append(number) }
        }
        #expect(texts.count == 5001)
        #expect(texts.first == long)
        #expect(texts.dropFirst().enumerated().allSatisfy { $0.element == "text \($0.offset) ü" })
        #expect(numbers == (0..<5000).map(String.init))
    }

    @Test("empty-element tags are empty elements without an end node, wherever the chunks end")
    func emptyElements() throws {
        var xml = "<r>"
        for index in 0..<20_000 { xml += index % 2 == 0 ? "<e i=\"\(index)\"/>" : "<e i=\"\(index)\"></e>" }
        xml += "</r>"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "empty.xml")
        var empty = 0
        var ends = 0
        var depths = Set<Int>()
        while try reader.read() {
            if reader.nodeKind == .element, reader.localName == "e" {
                depths.insert(reader.depth)
                if reader.isEmptyElement { empty += 1 }
            }
            if reader.nodeKind == .endElement, reader.localName == "e" { ends += 1 }
        }
        #expect(empty == 10_000)
        #expect(ends == 10_000)
        #expect(depths == [1])
    }

    @Test("an error after the first chunk: the nodes before it are delivered, then the error, with its line")
    func errorAfterFirstChunk() throws {
        var xml = "<r>\n"
        for index in 0..<10_000 { xml += "<l>line \(index)</l>\n" }
        xml += "<l>broken</p>\n</r>\n"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "late.xml")
        var lines = 0
        let error = corpusError {
            while try reader.read() {
                if reader.nodeKind == .element && reader.localName == "l" { lines += 1 }
            }
        }
        let unwrapped = try #require(error)
        #expect(unwrapped.line == 10_002)
        #expect(unwrapped.message.contains("mismatch"))
        #expect(lines >= 10_000)
    }

    @Test("an encoding override decodes undeclared Latin-1; an unknown one is refused")
    func encodingOverride() throws {
        var bytes = Array("<r>".utf8)
        bytes += [0x47, 0x61, 0x72, 0xE7, 0x6F, 0x6E]  // "Garçon" in ISO-8859-1
        bytes += Array("</r>".utf8)
        let reader = try XMLStreamReader(
            bytes: bytes, name: "latin1.xml", options: XMLReadingOptions(encodingOverride: "ISO-8859-1"))
        var text = ""
        while try reader.read() {
            if reader.nodeKind == .text { text += reader.value }
        }
        #expect(text == "Garçon")
        let error = corpusError {
            _ = try XMLStreamReader(
                bytes: bytes, name: "x.xml", options: XMLReadingOptions(encodingOverride: "NO-SUCH-ENCODING"))
        }
        #expect(error?.kind == .unreadable)
    }

    @Test("gzip-compressed files larger than a chunk read like the plain file")
    func gzipLarge() throws {
        var xml = "<r>"
        for index in 0..<8000 { xml += "<l n=\"\(index)\">line \(index)</l>" }
        xml += "</r>"
        let directory = try makeTemporaryDirectory()
        let plain = try writeFixture(xml, named: "big.xml", in: directory)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        try #require(gzip.terminationStatus == 0)
        func texts(_ path: String) throws -> [String] {
            let reader = try XMLStreamReader(contentsOfFile: path)
            var result: [String] = []
            while try reader.read() {
                if reader.nodeKind == .text { result.append(reader.value) }
            }
            return result
        }
        let expected = try texts(plain)
        #expect(expected.count == 8000)
        #expect(try texts(plain + ".gz") == expected)
    }

    @Test("comments, processing instructions, the DOCTYPE and whitespace nodes, with their values and depths")
    func otherNodes() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [ <!ENTITY e "x"> ]>
            <?style href="a.css"?><!-- top --><r>
              <?pi some data?><!--inner--><a>&e;</a>
            </r>
            """
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "other.xml")
        var trace: [String] = []
        while try reader.read() {
            switch reader.nodeKind {
            case .documentType: trace.append("doctype \(reader.localName)")
            case .processingInstruction: trace.append("pi \(reader.localName) [\(reader.value)] \(reader.depth)")
            case .comment: trace.append("comment [\(reader.value)] \(reader.depth)")
            case .whitespace: trace.append("space \(reader.depth)")
            case .text: trace.append("text [\(reader.value)] \(reader.depth)")
            case .element: trace.append("<\(reader.localName)> \(reader.depth) line \(reader.line)")
            case .endElement: trace.append("</\(reader.localName)>")
            case .other: trace.append("other")
            }
        }
        #expect(
            trace == [
                "doctype r", "pi style [href=\"a.css\"] 0", "comment [ top ] 0", "<r> 0 line 3", "space 1",
                "pi pi [some data] 1", "comment [inner] 1", "<a> 1 line 4", "text [x] 2", "</a>", "space 1", "</r>",
            ])
    }
}
