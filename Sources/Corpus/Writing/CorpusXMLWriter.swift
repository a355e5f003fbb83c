import CLibXML2
import Foundation

/// Writes a corpus as XML through libxml2's `xmlTextWriter`, streaming (one unit at a time) and atomically (a
/// temporary file renamed into place by `finish()`); a name ending in `.gz` is written gzip-compressed.
///
/// Two forms:
/// - `.montague`: Montague's own form (see `MontagueXMLProfile`), lossless: every label and metadata entry, kinds,
///   positions and marked tokens round-trip.
/// - `.tei`: a TEI P5 `teiCorpus` with one `TEI` per document; units become `l`, `p`, `s`, `stage`, `head` or
///   `ab type="kind"`, grouped in `div type="act"`/`"scene"` and `sp` (with `speaker`) from their metadata; labels
///   become `@ana="#name=value"` (spaces and `%` percent-encoded), which `TEIProfile` reads back as labels. Text,
///   kinds line/paragraph/sentence, labels, speaker, act, scene and `n` round-trip; other metadata is not written.
public final class CorpusXMLWriter {
    /// The XML form to write.
    public enum Form: String, Sendable, Hashable, CaseIterable {
        /// TEI P5.
        case tei
        /// Montague's lossless form.
        case montague
    }

    /// The destination.
    public let path: String
    /// The form.
    public let form: Form

    private let temporaryPath: String
    private var writer: xmlTextWriterPtr?
    private var documentOpen = false
    private var openDivisions: [(key: String, value: String)] = []
    private var openSpeech: String?
    private var finished = false

    /// Starts writing; `title` names the corpus (TEI header).
    /// - Throws: `CorpusError.Kind.writeFailed`.
    public init(path: String, form: Form, title: String = "Corpus written by Montague") throws {
        self.path = path
        self.form = form
        self.temporaryPath = AtomicFileWriter.temporaryPath(for: path)
        let compression: Int32 = path.lowercased().hasSuffix(".gz") ? 6 : 0
        guard let writer = xmlNewTextWriterFilename(temporaryPath, compression) else {
            throw CorpusError(.writeFailed, file: path, message: "libxml2 cannot create the output file")
        }
        self.writer = writer
        xmlTextWriterSetIndent(writer, 1)
        try check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
        switch form {
        case .tei:
            try startElement("teiCorpus", namespace: TEIProfile.namespace)
            try writeHeader(title: title)
        case .montague:
            try startElement("corpus", namespace: MontagueXMLProfile.namespace)
            try attribute("title", title)
        }
    }

    deinit {
        if let writer { xmlFreeTextWriter(writer) }
        if !finished { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    /// Writes one event (documents and units, in the order a reader gives them).
    public func write(_ event: CorpusEvent) throws {
        switch event {
        case .startDocument(let info): try startDocument(info)
        case .unit(let unit): try write(unit)
        case .endDocument: try endDocument()
        }
    }

    /// Opens a document (closing one still open).
    public func startDocument(_ info: DocumentInfo) throws {
        if documentOpen { try endDocument() }
        switch form {
        case .tei:
            try startElement("TEI")
            try attribute("n", info.identifier)
            try writeHeader(title: info.title ?? info.identifier)
            try startElement("text")
            try startElement("body")
        case .montague:
            try startElement("document")
            try attribute("id", info.identifier)
            if let title = info.title { try attribute("title", title) }
            try attribute("source", info.source)
            for (key, value) in info.metadata.sorted(by: { $0.key < $1.key }) {
                try startElement("meta")
                try attribute("name", key)
                try attribute("value", value)
                try endElement()
            }
        }
        documentOpen = true
    }

    /// Writes a unit (opening a document first if none is open).
    public func write(_ unit: TextUnit) throws {
        if !documentOpen {
            try startDocument(DocumentInfo(identifier: baseName(path), source: unit.position.file))
        }
        switch form {
        case .tei: try writeTEI(unit)
        case .montague: try writeMontague(unit)
        }
    }

    /// Closes the open document.
    public func endDocument() throws {
        guard documentOpen else { return }
        if form == .tei {
            try closeSpeech()
            try closeDivisions(downTo: 0)
            try endElement()  // body
            try endElement()  // text
        }
        try endElement()  // TEI or document
        documentOpen = false
    }

    /// Finishes the file and moves it into place.
    public func finish() throws {
        try endDocument()
        guard let writer else { return }
        try check(xmlTextWriterEndDocument(writer))
        xmlFreeTextWriter(writer)
        self.writer = nil
        try AtomicFileWriter.commit(temporaryPath, to: path)
        finished = true
    }

    // MARK: - TEI

    private func writeHeader(title: String) throws {
        try startElement("teiHeader")
        try startElement("fileDesc")
        try startElement("titleStmt")
        try element("title", text: title)
        try endElement()
        try startElement("publicationStmt")
        try element("p", text: "Written by Montague.")
        try endElement()
        try startElement("sourceDesc")
        try element("p", text: "Converted by Montague from the sources named in each document.")
        try endElement()
        try endElement()  // fileDesc
        try endElement()  // teiHeader
    }

    private func writeTEI(_ unit: TextUnit) throws {
        // Divisions: act, then scene, as the metadata says.
        var wanted: [(key: String, value: String)] = []
        for key in ["act", "scene"] { if let value = unit.metadata[key] { wanted.append((key, value)) } }
        var common = 0
        while common < min(wanted.count, openDivisions.count), wanted[common] == openDivisions[common] { common += 1 }
        if common < openDivisions.count || (openSpeech != nil && common < wanted.count) {
            try closeSpeech()
            try closeDivisions(downTo: common)
        }
        for division in wanted[common...] {
            try startElement("div")
            try attribute("type", division.key)
            try attribute("n", division.value)
            openDivisions.append(division)
        }
        // Speeches.
        let speech = unit.metadata["speech"] ?? unit.metadata["speaker"]
        if speech != openSpeech || unit.kind == .speech { try closeSpeech() }
        if let speech, openSpeech == nil {
            try startElement("sp")
            if let who = unit.metadata["who"] { try attribute("who", who) }
            if let speaker = unit.metadata["speaker"] { try element("speaker", text: speaker) }
            openSpeech = speech
        }
        let name: String
        switch unit.kind {
        case .line: name = "l"
        case .paragraph: name = "p"
        case .sentence: name = "s"
        case .stageDirection: name = "stage"
        case .heading: name = "head"
        default: name = "ab"
        }
        try startElement(name)
        if name == "ab" { try attribute("type", unit.kind.rawValue) }
        if let number = unit.metadata["n"] { try attribute("n", number) }
        if !unit.labels.isEmpty {
            let pointers = unit.labels.sorted { $0.key < $1.key }.map {
                "#\(Self.escape($0.key))=\(Self.escape($0.value))"
            }
            try attribute("ana", pointers.joined(separator: " "))
        }
        if let tokens = unit.tokens, !tokens.isEmpty {
            for (index, token) in tokens.enumerated() {
                if index > 0 { try text(" ") }
                try startElement("w")
                if let lemma = token.lemma { try attribute("lemma", lemma) }
                if let pos = token.partOfSpeech { try attribute("pos", pos) }
                if let ana = token.analysis { try attribute("ana", ana) }
                try text(token.form)
                try endElement()
            }
        } else {
            try text(unit.text)
        }
        try endElement()
    }

    private func closeSpeech() throws {
        if openSpeech != nil { try endElement() }
        openSpeech = nil
    }

    private func closeDivisions(downTo count: Int) throws {
        while openDivisions.count > count {
            try endElement()
            openDivisions.removeLast()
        }
    }

    /// Percent-encodes what cannot stand in a TEI pointer (spaces, `%`, `=` in names).
    static func escape(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case " ": result += "%20"
            case "=": result += "%3D"
            case "\t": result += "%09"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: - Montague form

    private func writeMontague(_ unit: TextUnit) throws {
        try startElement("unit")
        try attribute("kind", unit.kind.rawValue)
        if !unit.position.file.isEmpty { try attribute("file", unit.position.file) }
        if unit.position.line > 0 { try attribute("line", String(unit.position.line)) }
        for (name, entries) in [("label", unit.labels), ("meta", unit.metadata)] {
            for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
                try startElement(name)
                try attribute("name", key)
                try attribute("value", value)
                try endElement()
            }
        }
        try element("text", text: unit.text)
        if let tokens = unit.tokens {
            try startElement("tokens")
            for token in tokens {
                try startElement("w")
                if let lemma = token.lemma { try attribute("lemma", lemma) }
                if let pos = token.partOfSpeech { try attribute("pos", pos) }
                if let ana = token.analysis { try attribute("ana", ana) }
                try text(token.form)
                try endElement()
            }
            try endElement()
        }
        try endElement()
    }

    // MARK: - libxml2 calls

    private func check(_ status: Int32) throws {
        if status < 0 {
            throw CorpusError(.writeFailed, file: path, message: "libxml2's writer failed (disk full or closed file?)")
        }
    }

    private func startElement(_ name: String, namespace: String? = nil) throws {
        guard let writer else { throw CorpusError(.writeFailed, file: path, message: "the writer is finished") }
        try withXMLChars(name) { name in
            if let namespace {
                try withXMLChars(namespace) { uri in try check(xmlTextWriterStartElementNS(writer, nil, name, uri)) }
            } else {
                try check(xmlTextWriterStartElement(writer, name))
            }
        }
    }

    private func endElement() throws {
        guard let writer else { return }
        try check(xmlTextWriterEndElement(writer))
    }

    private func attribute(_ name: String, _ value: String) throws {
        guard let writer else { return }
        try withXMLChars(name) { name in
            try withXMLChars(Self.xmlSafe(value)) { value in try check(xmlTextWriterWriteAttribute(writer, name, value))
            }
        }
    }

    private func text(_ content: String) throws {
        guard let writer else { return }
        try withXMLChars(Self.xmlSafe(content)) { content in try check(xmlTextWriterWriteString(writer, content)) }
    }

    private func element(_ name: String, text content: String) throws {
        try startElement(name)
        try text(content)
        try endElement()
    }

    private func withXMLChars<Result>(_ string: String, _ body: (UnsafePointer<xmlChar>) throws -> Result) rethrows
        -> Result
    {
        try string.withCString { try body(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
    }

    /// The string with characters XML 1.0 cannot hold (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF)
    /// replaced by U+FFFD, so the output always reads back.
    static func xmlSafe(_ string: String) -> String {
        func allowed(_ scalar: Unicode.Scalar) -> Bool {
            let value = scalar.value
            return value >= 0x20 ? value != 0xFFFE && value != 0xFFFF : value == 0x09 || value == 0x0A || value == 0x0D
        }
        if string.unicodeScalars.allSatisfy(allowed) { return string }
        return String(String.UnicodeScalarView(string.unicodeScalars.map { allowed($0) ? $0 : "\u{FFFD}" }))
    }
}
