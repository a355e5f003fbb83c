import Corpus
import Foundation
import Testing

@Suite("Validation against a DTD or a RELAX NG schema")
struct ValidationTests {
    static let dtd = "<!ELEMENT r (p+)>\n<!ELEMENT p (#PCDATA)>\n<!ATTLIST p n CDATA #REQUIRED>\n"
    static let schema = """
        <element name="r" xmlns="http://relaxng.org/ns/structure/1.0">
          <oneOrMore><element name="p"><attribute name="n"/><text/></element></oneOrMore>
        </element>
        """

    @Test("the document's DTD (from the corpus directory): a valid file passes, an invalid one fails located")
    func documentDTD() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeFixture(Self.dtd, named: "r.dtd", in: directory)
        let valid = try writeFixture(
            "<!DOCTYPE r SYSTEM \"r.dtd\">\n<r><p n=\"1\">one</p></r>", named: "valid.xml", in: directory)
        let invalid = try writeFixture(
            "<!DOCTYPE r SYSTEM \"r.dtd\">\n<r>\n<p>no n</p></r>", named: "invalid.xml", in: directory)
        #expect(throws: Never.self) { try XMLValidation.documentDTD.validate(file: valid) }
        let error = try #require(corpusError { try XMLValidation.documentDTD.validate(file: invalid) })
        #expect(error.kind == .invalidFile)
        #expect(error.file == invalid)
        #expect(error.line == 3)
        #expect(error.message.contains("not valid"))
        // Through the loader: the invalid file stops the load, or is skipped and reported.
        let spec = try GenericProfileSpecification(units: ["p"])
        let options = CorpusLoadOptions(
            profile: ProfileConfiguration(kind: .generic, generic: spec), skipBadFiles: true,
            validation: .documentDTD)
        let (documents, report) = try CorpusLoader(paths: [directory], options: options).readDocuments()
        #expect(documents.flatMap(\.units).map(\.text) == ["one"])
        #expect(report.skipped.map(\.file) == [invalid])
    }

    @Test("a RELAX NG schema: valid passes, invalid fails located; a DTD outside the corpus is not loaded")
    func relaxNG() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let schema = try writeFixture(Self.schema, named: "r.rng", in: directory)
        let valid = try writeFixture("<r><p n=\"1\">one</p></r>", named: "valid.xml", in: directory)
        let invalid = try writeFixture("<r>\n<q/></r>", named: "invalid.xml", in: directory)
        #expect(throws: Never.self) { try XMLValidation.relaxNG(path: schema).validate(file: valid) }
        let error = try #require(corpusError { try XMLValidation.relaxNG(path: schema).validate(file: invalid) })
        #expect(error.kind == .invalidFile)
        #expect(error.line == 2)
        let outside = try writeFixture(
            "<!DOCTYPE r SYSTEM \"file:///etc/nonexistent-dir/x.dtd\">\n<r><p n=\"1\">x</p></r>", named: "o.xml",
            in: directory)
        let outsideError = try #require(corpusError { try XMLValidation.documentDTD.validate(file: outside) })
        #expect(outsideError.file == outside)
    }
}
