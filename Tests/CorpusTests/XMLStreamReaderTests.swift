import Corpus
import Foundation
import Testing

@Suite("XML stream reader")
struct XMLStreamReaderTests {
    @Test("reads elements, text, CDATA and internal entities in order")
    func readsNodes() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [ <!ENTITY who "the Prince"> ]>
            <r a="1"><x>Hello &who;</x><y><![CDATA[<not> & markup]]></y><z/></r>
            """
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "nodes.xml")
        var trace: [String] = []
        while try reader.read() {
            switch reader.nodeKind {
            case .element: trace.append("<\(reader.localName)\(reader.isEmptyElement ? "/" : "")>")
            case .endElement: trace.append("</\(reader.localName)>")
            case .text: trace.append(reader.value)
            default: break
            }
        }
        #expect(trace.joined() == "<r><x>Hello the Prince</x><y><not> & markup</y><z/></r>")
    }

    @Test("interned names compare by identity with the names of the nodes")
    func internedNames() throws {
        let reader = try XMLStreamReader(bytes: Array("<a><b/><c/></a>".utf8), name: "interned.xml")
        let b = reader.intern("b")
        var matches: [String] = []
        while try reader.read() {
            guard reader.nodeKind == .element && reader.isCurrentElement(b) else { continue }

            matches.append(reader.localName)
        }
        #expect(matches == ["b"])
    }

    @Test("a file that is not well-formed fails with libxml2's line, column and message")
    func notWellFormed() throws {
        let xml = "<root>\n  <a>text</b>\n</root>\n"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "broken.xml")
        let error = corpusError { while try reader.read() {} }
        let unwrapped = try #require(error)
        #expect(unwrapped.kind == .notWellFormed)
        #expect(unwrapped.file == "broken.xml")
        #expect(unwrapped.line == 2)
        // libxml2 (and xmllint) point just past the offending end tag.
        #expect(unwrapped.column == 14)
        #expect(unwrapped.message.contains("Opening and ending tag mismatch: a line 2 and b"))
        #expect(unwrapped.description.hasPrefix("broken.xml:2:14: error: Opening and ending tag mismatch"))
    }

    @Test(
        "the real malformed DocBook file fails at its tag mismatch",
        .enabled(if: ExternalData.omegaTMalformed.isAvailable, ExternalData.omegaTMalformed.absence))
    func realMalformedFile() throws {
        let path = ExternalData.omegaTMalformed.path + "/docbook-tag-mismatch.xml"
        let reader = try XMLStreamReader(contentsOfFile: path)
        let error = try #require(corpusError { while try reader.read() {} })
        #expect(error.kind == .notWellFormed)
        #expect(error.file == path)
        #expect(error.line == 85)
        #expect(error.message.contains("mismatch"))
    }

    @Test("a billion-laughs file fails cleanly within libxml2's entity limits")
    func billionLaughs() throws {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        xml += "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        for level in 2...9 {
            let previous = "&lol\(level - 1);"
            xml += "<!ENTITY lol\(level) \"\(String(repeating: previous, count: 10))\">\n"
        }
        xml += "]>\n<lolz>&lol9;</lolz>\n"
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "laughs.xml")
        var characters = 0
        let error = corpusError {
            while try reader.read() { if reader.nodeKind == .text { characters += reader.value.utf8.count } }
        }
        let unwrapped = try #require(error)
        #expect(unwrapped.kind == .notWellFormed)
        #expect(unwrapped.message.lowercased().contains("entit"))
        #expect(characters < 1_000_000)
    }

    @Test("a DOCTYPE naming a missing DTD loads without fetching anything")
    func missingDTD() throws {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE tmx SYSTEM "http://example.invalid/tmx14.dtd">
            <tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>Hi</seg></tuv></tu></body></tmx>
            """
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "missing-dtd.tmx")
        var texts: [String] = []
        while try reader.read() {
            guard reader.nodeKind == .text else { continue }
            texts.append(reader.value)
        }
        #expect(texts == ["Hi"])
    }

    @Test("external entities are not read unless local ones are allowed")
    func externalEntities() throws {
        let directory = try makeTemporaryDirectory()
        try writeFixture("SECRET", named: "secret.txt", in: directory)
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE r [ <!ENTITY secret SYSTEM "secret.txt"> ]>
            <r>before &secret; after</r>
            """
        let path = try writeFixture(xml, named: "xxe.xml", in: directory)
        func text(_ options: XMLReadingOptions) throws -> String {
            let reader = try XMLStreamReader(contentsOfFile: path, options: options)
            var result = ""
            while try reader.read() {
                guard reader.nodeKind == .text else { continue }
                result += reader.value
            }
            return result
        }
        #expect(try !text(XMLReadingOptions()).contains("SECRET"))
        #expect(try text(XMLReadingOptions(allowLocalExternalResources: true)).contains("SECRET"))
    }

    @Test("UTF-16 with a byte-order mark, big- and little-endian, decodes as declared")
    func utf16() throws {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>Ça va? 𝐀</r>"
        for bigEndian in [false, true] {
            var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
            for unit in xml.utf16 {
                let high = UInt8(unit >> 8)
                let low = UInt8(unit & 0xFF)
                bytes += bigEndian ? [high, low] : [low, high]
            }
            let reader = try XMLStreamReader(bytes: bytes, name: "utf16.xml")
            var text = ""
            while try reader.read() {
                guard reader.nodeKind == .text else { continue }
                text += reader.value
            }
            #expect(text == "Ça va? 𝐀")
        }
    }

    @Test("ISO-8859-1 decodes as declared")
    func latin1() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>".utf8)
        bytes += [0x47, 0x61, 0x72, 0xE7, 0x6F, 0x6E, 0x20, 0xE9, 0x74, 0xE9]  // "Garçon été"
        bytes += Array("</r>".utf8)
        let reader = try XMLStreamReader(bytes: bytes, name: "latin1.xml")
        var text = ""
        while try reader.read() {
            guard reader.nodeKind == .text else { continue }
            text += reader.value
        }
        #expect(text == "Garçon été")
    }

    @Test("namespaces: local names and URIs")
    func namespaces() throws {
        let xml = #"<t:TEI xmlns:t="http://www.tei-c.org/ns/1.0"><t:l xml:lang="en">x</t:l></t:TEI>"#
        let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: "ns.xml")
        var seen: [String] = []
        while try reader.read() {
            guard reader.nodeKind == .element else { continue }

            seen.append("\(reader.localName)|\(reader.namespaceURI ?? "-")|\(reader.attribute("xml:lang") ?? "-")")
        }
        #expect(seen == ["TEI|http://www.tei-c.org/ns/1.0|-", "l|http://www.tei-c.org/ns/1.0|en"])
    }

    @Test("a missing file is reported as unreadable with its name")
    func missingFile() {
        let error = corpusError { _ = try XMLStreamReader(contentsOfFile: "/nonexistent/corpus.xml") }
        #expect(error?.kind == .unreadable)
        #expect(error?.description == "/nonexistent/corpus.xml: error: no such file")
    }

    @Test("an empty file fails instead of reading as an empty corpus")
    func emptyFile() throws {
        let error = corpusError { _ = try XMLCorpusReader(bytes: [UInt8](), name: "empty.xml").readDocuments() }
        #expect(error?.kind == .notWellFormed)
        #expect(error?.file == "empty.xml")
    }
}

@Suite("XML stream reader memory")
struct XMLStreamReaderMemoryTests {
    @Test("libxml2's ID table is switched off while streaming (constant memory on files full of xml:id)")
    func idRegistrationSkipped() throws {
        let reader = try XMLStreamReader(bytes: Array(#"<r><l xml:id="a">x</l></r>"#.utf8), name: "ids.xml")
        #expect(reader.skipsIDRegistration)
        var ids: [String] = []
        while try reader.read() {
            if reader.nodeKind == .element, let id = reader.attribute("xml:id") { ids.append(id) }
        }
        #expect(ids == ["a"])
    }
}
