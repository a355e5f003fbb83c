import Corpus
import Foundation
import MontagueSupport
import Testing

/// Hostile and damaged files: every one ends in a located `CorpusError`, in bounded time and memory (the files are
/// built here, small; the limits stop the reading long before memory grows).
@Suite("XML reader limits and located errors")
struct ReaderLimitsTests {
    /// The prolog of the crash files: `b` expands to 1,000,000 bytes through 1,000 references to `a`.
    static let laughsProlog =
        "<!DOCTYPE r [<!ENTITY a \"" + String(repeating: "A", count: 1000) + "\"><!ENTITY b \""
        + String(repeating: "&a;", count: 1000) + "\">]>"

    /// Reads every node of `xml`; returns the error, if any.
    static func readAll(_ xml: String, name: String = "hostile.xml", options: XMLReadingOptions = XMLReadingOptions())
        -> CorpusError?
    {
        corpusError {
            let reader = try XMLStreamReader(bytes: Array(xml.utf8), name: name, options: options)
            while try reader.read() {}
        }
    }

    @Test("one text node expanding past 2^31 bytes stops at the text limit, located (it used to overflow)")
    func hugeTextNode() throws {
        let xml = Self.laughsProlog + "<r><p>" + String(repeating: "&b;", count: 2200) + "</p></r>"
        let error = try #require(Self.readAll(xml))
        #expect(error.kind == .resourceLimit)
        #expect(error.file == "hostile.xml")
        #expect(error.line == 1)
        #expect((error.column ?? 0) > Self.laughsProlog.utf8.count)
        #expect(error.message.contains("text node longer than 10000000 bytes"))
        #expect(error.message.contains("--max-text-bytes"))
    }

    @Test("one chunk expanding past 2^31 bytes over several text nodes stops, located (it used to read out of bounds)")
    func hugeChunk() throws {
        let body = String(repeating: "<p>" + String(repeating: "&b;", count: 100) + "</p>", count: 25)
        let error = try #require(Self.readAll(Self.laughsProlog + "<r>" + body + "</r>"))
        #expect(error.kind == .resourceLimit)
        #expect(error.line == 1 && error.column != nil)
        // Through the corpus reader as well, as `montague corpus stats t.xml --unit p` reads it.
        let spec = try GenericProfileSpecification(units: ["p"])
        let viaCorpus = corpusError {
            let reader = try XMLCorpusReader(
                bytes: Array((Self.laughsProlog + "<r>" + body + "</r>").utf8), name: "t.xml",
                profile: ProfileConfiguration(kind: .generic, generic: spec))
            try reader.forEachBorrowedUnit { _, _ in }
        }
        #expect(viaCorpus?.kind == .resourceLimit)
        #expect(viaCorpus?.file == "t.xml")
    }

    @Test("entity expansion beyond the amplification limit fails, also when every text node is short")
    func amplification() throws {
        let xml = Self.laughsProlog + "<r>" + String(repeating: "<p>&b;</p>", count: 40) + "</r>"
        let options = XMLReadingOptions(maximumTextBytes: 2_000_000, expansionAllowance: 1 << 20)
        let error = try #require(Self.readAll(xml, options: options))
        #expect(error.kind == .resourceLimit)
        #expect(error.message.contains("entity expansion produced"))
        #expect(error.message.contains("--max-amplification"))
        // Raised limits read the same file.
        let generous = XMLReadingOptions(
            maximumTextBytes: 2_000_000, maximumAmplification: 100_000, expansionAllowance: 1 << 20)
        #expect(Self.readAll(xml, options: generous) == nil)
    }

    @Test("nesting deeper than 256 levels fails like xmllint; a raised limit reads it")
    func depth() throws {
        let deep = { (levels: Int) in
            "<r>" + String(repeating: "<a>", count: levels) + "x" + String(repeating: "</a>", count: levels) + "</r>"
        }
        #expect(Self.readAll(deep(254)) == nil)
        let error = try #require(Self.readAll(deep(300)))
        #expect(error.kind == .resourceLimit)
        #expect(error.message.contains("nested deeper than 256 levels"))
        #expect(error.line == 1)
        #expect(error.column != nil)
        #expect(Self.readAll(deep(300), options: XMLReadingOptions(maximumDepth: 400)) == nil)
    }

    @Test("deep nesting with a label: every unit takes its nearest ancestor's label (linear in the depth)")
    func deepLabels() throws {
        let levels = 3000
        var xml = "<r>"
        for level in 0..<levels { xml += "<p l=\"\(level % 7)\">w\(level) " }
        xml += String(repeating: "</p>", count: levels) + "</r>"
        let spec = try GenericProfileSpecification(units: ["p"], labels: ["l=p@l"])
        let reader = try XMLCorpusReader(
            bytes: Array(xml.utf8), name: "deep.xml", profile: ProfileConfiguration(kind: .generic, generic: spec),
            options: XMLReadingOptions(maximumDepth: levels + 10))
        var labels: [String: String] = [:]
        try reader.forEachUnit { _, unit in labels[unit.text] = unit.labels["l"] }
        #expect(labels.count == levels)
        #expect(labels["w0"] == "0")
        #expect(labels["w2999"] == String(2999 % 7))
    }

    @Test("a text node above the configured limit fails; the limit is configurable")
    func longText() throws {
        let xml = "<r><p>" + String(repeating: "word ", count: 4000) + "</p></r>"
        let error = try #require(Self.readAll(xml, options: XMLReadingOptions(maximumTextBytes: 10_000)))
        #expect(error.kind == .resourceLimit)
        #expect(Self.readAll(xml, options: XMLReadingOptions(maximumTextBytes: 30_000)) == nil)
    }

    /// Compresses `data` with `/bin/gzip` (or `xz`) into `path`; false when the tool is missing.
    static func compress(_ data: Data, with tool: String, to path: String) throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: tool) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-c"]
        let input = Pipe()
        process.standardInput = input
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: data)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        try output.close()
        return process.terminationStatus == 0
    }

    @Test("a gzip bomb stops at the decompression ratio, located")
    func gzipBomb() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var xml = Data("<r>".utf8)
        for _ in 0..<40 { xml += Data(("<p>" + String(repeating: "A", count: 50_000) + "</p>").utf8) }
        xml += Data("</r>".utf8)
        let path = directory + "/bomb.xml.gz"
        try #require(try Self.compress(xml, with: "/bin/gzip", to: path))
        let options = XMLReadingOptions(expansionAllowance: 1 << 16)
        let error = try #require(
            corpusError {
                let reader = try XMLStreamReader(contentsOfFile: path, options: options)
                while try reader.read() {}
            })
        #expect(error.kind == .resourceLimit)
        #expect(error.file == path)
        #expect(error.line != nil)
        #expect(error.message.contains("compressed file expands to more than 100 times"))
    }

    @Test("a truncated gzip file fails with a position and the reason in words")
    func truncatedGzip() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var xml = "<r>\n"
        for index in 0..<20_000 { xml += "<p>line \(index) of a text that goes on</p>\n" }
        xml += "</r>\n"
        let whole = directory + "/whole.xml.gz"
        try #require(try Self.compress(Data(xml.utf8), with: "/bin/gzip", to: whole))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let truncated = try writeFixture(Array(bytes.prefix(bytes.count / 2)), named: "cut.xml.gz", in: directory)
        let error = try #require(
            corpusError {
                let reader = try XMLStreamReader(contentsOfFile: truncated)
                while try reader.read() {}
            })
        #expect(error.file == truncated)
        #expect((error.line ?? 0) > 1)
        #expect(error.column != nil)
        #expect(error.message.contains("truncated") || error.message.contains("Premature end"))
        #expect(!error.message.contains("read error"))
    }

    @Test("an xz-compressed file reads like the plain file")
    func xzInput() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let xml = "<r>" + (0..<3000).map { "<p>line \($0)</p>" }.joined() + "</r>"
        let path = directory + "/small.xml.xz"
        let made = try Self.compress(Data(xml.utf8), with: "/usr/bin/xz", to: path)
        try #require(made, "xz is not installed")
        let spec = try GenericProfileSpecification(units: ["p"])
        let loaded = try CorpusLoader(
            paths: [directory], options: CorpusLoadOptions(profile: ProfileConfiguration(kind: .generic, generic: spec))
        )
        #expect(loaded.files == [path])
        #expect(try loaded.readDocuments().documents.flatMap(\.units).count == 3000)
    }

    @Test("a bzip2-compressed file, also of two concatenated streams, reads like the plain file; a cut one fails")
    func bzip2Input() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = "<r>" + (0..<3000).map { "<p>line \($0)</p>" }.joined()
        let second = (3000..<4000).map { "<p>line \($0)</p>" }.joined() + "</r>"
        let one = directory + "/one.bz2.part"
        let two = directory + "/two.bz2.part"
        try #require(try Self.compress(Data(first.utf8), with: "/bin/bzip2", to: one), "bzip2 is not installed")
        try #require(try Self.compress(Data(second.utf8), with: "/bin/bzip2", to: two))
        let joined = try Data(contentsOf: URL(fileURLWithPath: one)) + Data(contentsOf: URL(fileURLWithPath: two))
        let path = try writeFixture(Array(joined), named: "lines.xml.bz2", in: directory)
        let spec = try GenericProfileSpecification(units: ["p"])
        let loader = try CorpusLoader(
            paths: [directory], options: CorpusLoadOptions(profile: ProfileConfiguration(kind: .generic, generic: spec))
        )
        #expect(loader.files == [path])
        let texts = try loader.readDocuments().documents.flatMap(\.units).map(\.text)
        #expect(texts.count == 4000)
        #expect(texts.last == "line 3999")
        let cut = try writeFixture(Array(joined.prefix(joined.count / 3)), named: "cut.xml.bz2", in: directory)
        let error = try #require(
            corpusError {
                let reader = try XMLStreamReader(contentsOfFile: cut)
                while try reader.read() {}
            })
        #expect(error.file == cut)
        #expect(error.line != nil)
        #expect(error.message.contains("bzip2") || error.message.contains("Premature end"))
    }

    @Test("bytes that are not valid in the declared encoding: located, with libxml2's reason, nothing printed")
    func encodingFailure() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<r>\n<p>ab".utf8)
        bytes += [0x81, 0x20]
        bytes += Array("</p></r>".utf8)
        let error = try #require(
            corpusError {
                let reader = try XMLStreamReader(bytes: bytes, name: "sjis.xml")
                while try reader.read() {}
            })
        #expect(error.file == "sjis.xml")
        #expect(error.line == 3)
        #expect(error.column != nil)
        #expect(error.message.contains("not valid in the document's encoding"))
        #expect(!error.message.contains("error 81"))
    }

    @Test("an error inside an entity's replacement text points at the reference and names the entity")
    func errorInsideEntity() throws {
        let xml = "<!DOCTYPE r [<!ENTITY e \"<b>unclosed\">]>\n<r>\n<p>x &e; y</p></r>"
        let error = try #require(Self.readAll(xml, name: "entity.xml"))
        #expect(error.kind == .notWellFormed)
        #expect(error.line == 3)
        #expect(error.column == 9)
        #expect(error.message.contains("entity 'e'"))
    }

    @Test("an external entity that is not loaded is reported once per file, with its name and the flag")
    func externalEntityWarning() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeFixture("INSIDE", named: "part.txt", in: directory)
        let path = try writeFixture(
            "<!DOCTYPE r [<!ENTITY part SYSTEM \"part.txt\">]>\n<r>\n<p>a &part; b</p><p>&part;</p></r>",
            named: "doc.xml", in: directory)
        let reader = try XMLStreamReader(contentsOfFile: path)
        var text = ""
        while try reader.read() {
            if reader.nodeKind == .text { text += reader.value }
        }
        #expect(!text.contains("INSIDE"))
        let warnings = reader.warnings.filter { $0.message.contains("external entity 'part'") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("--allow-local-entities") == true)
        #expect(warnings.first?.line == 3)
        #expect(warnings.first?.warningDescription.contains(": warning: ") == true)
        // Allowed, it is read: it lies in the document's directory.
        let allowed = try XMLStreamReader(
            contentsOfFile: path, options: XMLReadingOptions(allowLocalExternalResources: true))
        var allowedText = ""
        while try allowed.read() {
            if allowed.nodeKind == .text { allowedText += allowed.value }
        }
        #expect(allowedText.contains("INSIDE"))
    }

    @Test("--allow-local-entities stays inside the corpus directory unless widened explicitly")
    func confinedEntities() throws {
        let outside = try makeTemporaryDirectory()
        let corpus = try makeTemporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: outside)
            try? FileManager.default.removeItem(atPath: corpus)
        }
        let secret = try writeFixture("SECRET-OUTSIDE", named: "secret.txt", in: outside)
        let path = try writeFixture(
            "<!DOCTYPE r [<!ENTITY s SYSTEM \"file://\(secret)\"><!ENTITY t SYSTEM \"../\(lastComponent(outside))/secret.txt\">]>"
                + "\n<r><p>&s; &t;</p></r>",
            named: "doc.xml", in: corpus)
        func text(_ options: XMLReadingOptions) throws -> (String, [CorpusError]) {
            let reader = try XMLStreamReader(contentsOfFile: path, options: options)
            var text = ""
            while try reader.read() {
                if reader.nodeKind == .text { text += reader.value }
            }
            return (text, reader.warnings)
        }
        let (confined, warnings) = try text(XMLReadingOptions(allowLocalExternalResources: true))
        #expect(!confined.contains("SECRET"))
        #expect(
            warnings.contains { $0.message.contains("outside") && $0.message.contains("--allow-entities-anywhere") })
        let (anywhere, _) = try text(
            XMLReadingOptions(allowLocalExternalResources: true, allowExternalResourcesAnywhere: true))
        #expect(anywhere.contains("SECRET-OUTSIDE"))
        // A wider root given explicitly admits its tree.
        let parent = parentDirectory(outside)
        let (rooted, _) = try text(XMLReadingOptions(allowLocalExternalResources: true, externalResourceRoot: parent))
        #expect(rooted.contains("SECRET-OUTSIDE"))
    }

    @Test("seeded mutations of small documents with entities: a result or a located error, never a trap")
    func mutationFuzz() throws {
        let seeds = [
            Self.laughsProlog + "<r><p>&b;</p></r>",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE r [<!ENTITY w \"<i>x</i>\">]>"
                + "<r a=\"1\"><p l=\"x\">one &w; two<![CDATA[ <c> ]]></p><!-- c --><?pi d?><q/></r>",
            "<tmx version=\"1.4\"><body><tu><tuv xml:lang=\"EN\"><seg>a&#9;b</seg></tuv></tu></body></tmx>",
        ]
        var generator = SplitMix64(seed: 2024)
        let options = XMLReadingOptions(
            maximumDepth: 64, maximumTextBytes: 200_000, maximumAmplification: 4, expansionAllowance: 100_000)
        let spec = try GenericProfileSpecification(units: ["p", "seg"], labels: ["p@l"])
        var failures = 0
        for round in 0..<600 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            for _ in 0..<(1 + generator.nextInt(below: 4)) {
                guard !bytes.isEmpty else { break }
                let at = generator.nextInt(below: bytes.count)
                switch generator.nextInt(below: 4) {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: generator.nextInt(below: 256))
                case 1: bytes.remove(at: at)
                case 2:
                    bytes.insert(contentsOf: Array("&b;&a;<p>".utf8).prefix(1 + generator.nextInt(below: 9)), at: at)
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 40)], at: at)
                }
            }
            do {
                let reader = try XMLCorpusReader(
                    bytes: bytes, name: "mutant.xml", profile: ProfileConfiguration(kind: .generic, generic: spec),
                    options: options)
                try reader.forEachUnit { _, _ in }
            } catch let error as CorpusError {
                failures += 1
                #expect(error.file == "mutant.xml")
            }
        }
        #expect(failures > 0 && failures < 600)
    }
}

/// The last component of a path.
private func lastComponent(_ path: String) -> String { URL(fileURLWithPath: path).lastPathComponent }

/// The directory containing a path.
private func parentDirectory(_ path: String) -> String { URL(fileURLWithPath: path).deletingLastPathComponent().path }
