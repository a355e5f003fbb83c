import CLibXML2
import Testing

/// libxml2 is reachable through the `CLibXML2` system-library target (with the ICU and `xmlFree` workarounds of
/// Sources/CLibXML2/shim.h) and parses from memory, reporting errors with line numbers.
@Suite("System library: libxml2 through CLibXML2")
struct LibXML2Tests {
    /// Quiet, offline parsing: no network, no messages on stderr (errors are read back structurally).
    private static let options = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    @Test func parsesInMemoryDocumentAndReadsRoot() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <play title="Hamlet"><act n="1"><line>Who’s there?</line></act></play>
            """
        let bytes = Array(xml.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlReadMemory(chars.baseAddress, Int32(chars.count), "memory.xml", nil, Self.options)
            }
        }
        let parsed = try #require(document, "xmlReadMemory returned nil for a well-formed document")
        defer { xmlFreeDoc(parsed) }

        let root = try #require(xmlDocGetRootElement(parsed))
        #expect(String(cString: root.pointee.name) == "play")

        let title = try #require(xmlGetProp(root, "title"))
        defer { montague_xmlFree(title) }
        #expect(String(cString: title) == "Hamlet")

        let text = try #require(xmlNodeGetContent(root))
        defer { montague_xmlFree(text) }
        #expect(String(cString: text) == "Who’s there?")
    }

    @Test func malformedDocumentReportsErrorWithLineNumber() throws {
        // The mismatched end tag is on line 3.
        let xml = "<root>\n  <item>one</item>\n  <item>two</wrong>\n</root>\n"
        let context = try #require(xmlNewParserCtxt())
        defer { xmlFreeParserCtxt(context) }
        let bytes = Array(xml.utf8)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), "broken.xml", nil, Self.options)
            }
        }
        if let document { xmlFreeDoc(document) }
        #expect(document == nil, "a mismatched end tag must not produce a document")

        let error = try #require(xmlCtxtGetLastError(UnsafeMutableRawPointer(context)))
        #expect(error.pointee.level == XML_ERR_FATAL)
        #expect(error.pointee.line == 3)
        #expect(error.pointee.code == Int32(XML_ERR_TAG_NAME_MISMATCH.rawValue))
        let message = try #require(error.pointee.message)
        #expect(String(cString: message).contains("mismatch"))
        if let file = error.pointee.file {
            #expect(String(cString: file) == "broken.xml")
        }
    }
}
