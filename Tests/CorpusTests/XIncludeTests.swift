import Corpus
import Foundation
import Testing

@Suite("XInclude")
struct XIncludeTests {
    static let namespace = "http://www.w3.org/2001/XInclude"

    /// `main.xml` includes `parts/one.xml` (which includes `two.xml` beside it) and has a fallback that is skipped.
    static func makeCorpus() throws -> String {
        let directory = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory + "/parts", withIntermediateDirectories: true)
        try writeFixture(
            """
            <r xmlns:xi="\(namespace)"><p>before</p>
            <xi:include href="parts/one.xml"><xi:fallback><p>fallback</p></xi:fallback></xi:include>
            <p>after</p></r>
            """, named: "main.xml", in: directory)
        try writeFixture(
            """
            <?xml version="1.0"?>
            <!-- a comment before the root -->
            <div xmlns:xi="\(namespace)" xml:lang="en"><p n="1">one</p><xi:include href="two.xml"/></div>
            """, named: "one.xml", in: directory + "/parts")
        try writeFixture("<p n=\"2\">two</p>", named: "two.xml", in: directory + "/parts")
        return directory
    }

    static func texts(_ path: String, _ options: XMLReadingOptions) throws -> [String] {
        let spec = try GenericProfileSpecification(units: ["p"], metadata: ["n=p@n"])
        let reader = try XMLCorpusReader(
            contentsOfFile: path, profile: ProfileConfiguration(kind: .generic, generic: spec), options: options)
        var result: [String] = []
        try reader.forEachUnit { _, unit in result.append(unit.text + (unit.metadata["n"].map { "#" + $0 } ?? "")) }
        return result
    }

    @Test("included documents replace the include elements, nested, with attributes; off by default")
    func includes() throws {
        let directory = try Self.makeCorpus()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/main.xml"
        #expect(
            try Self.texts(path, XMLReadingOptions(processesXInclude: true))
                == ["before", "one#1", "two#2", "after"])
        #expect(try Self.texts(path, XMLReadingOptions()) == ["before", "fallback", "after"])
        // The depths of included nodes continue from the include element's.
        let reader = try XMLStreamReader(contentsOfFile: path, options: XMLReadingOptions(processesXInclude: true))
        var depths: [String] = []
        while try reader.read() {
            if reader.nodeKind == .element { depths.append("\(reader.localName)\(reader.depth)") }
        }
        #expect(depths == ["r0", "p1", "div1", "p2", "p2", "p1"])
    }

    @Test("an include of itself, of a missing file, or outside the corpus directory fails, located")
    func failures() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let options = XMLReadingOptions(processesXInclude: true)
        let loop = try writeFixture(
            "<r xmlns:xi=\"\(Self.namespace)\">\n<xi:include href=\"loop.xml\"/></r>", named: "loop.xml", in: directory)
        let loopError = try #require(corpusError { _ = try Self.texts(loop, options) })
        #expect(loopError.message.contains("includes itself"))
        let missing = try writeFixture(
            "<r xmlns:xi=\"\(Self.namespace)\">\n<xi:include href=\"nothing.xml\"/></r>", named: "missing.xml",
            in: directory)
        let missingError = try #require(corpusError { _ = try Self.texts(missing, options) })
        #expect(missingError.file == missing)
        #expect(missingError.line == 2)
        let outside = try writeFixture(
            "<r xmlns:xi=\"\(Self.namespace)\"><xi:include href=\"/etc/hostname\" parse=\"xml\"/></r>",
            named: "outside.xml", in: directory)
        let outsideError = try #require(corpusError { _ = try Self.texts(outside, options) })
        #expect(outsideError.message.contains("outside"))
    }
}
