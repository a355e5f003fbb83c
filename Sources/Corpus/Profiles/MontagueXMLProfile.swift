/// Reads Montague's own XML corpus form (namespace `urn:montague:corpus:1`), which `CorpusWriter` writes so that
/// transferred or generated text round-trips with every label and metadata entry:
///
/// ```xml
/// <corpus xmlns="urn:montague:corpus:1">
///   <document id="hamlet.xml#1" title="Hamlet" source="hamlet.xml">
///     <meta name="format" value="bosak"/>
///     <unit kind="line" file="hamlet.xml" line="120">
///       <label name="style" value="shakespeare"/>
///       <meta name="speaker" value="HAMLET"/>
///       <text>To be, or not to be: that is the question:</text>
///       <tokens><w lemma="be" pos="vvi">be</w></tokens>
///     </unit>
///   </document>
/// </corpus>
/// ```
public struct MontagueXMLProfile: CorpusProfile {
    /// The namespace of Montague's corpus form.
    public static let namespace = "urn:montague:corpus:1"

    /// Makes the profile.
    public init() {}

    /// `"montague"`.
    public var name: String { "montague" }

    private enum Role { case other, document, unit, text, token }

    private var document: InternedName?
    private var unit: InternedName?
    private var label: InternedName?
    private var meta: InternedName?
    private var textName: InternedName?
    private var word: InternedName?
    private var roles: [Role] = []
    private var fileName = ""
    private var documents = DocumentBoundary()
    private var current: TextUnit?
    private var text = TextAccumulator()
    private var tokenText = TextAccumulator()
    private var token: MarkedToken?
    private var capturingText = false

    /// Interns the element names.
    public mutating func prepare(for reader: XMLStreamReader) {
        fileName = reader.fileName
        document = reader.intern("document")
        unit = reader.intern("unit")
        label = reader.intern("label")
        meta = reader.intern("meta")
        textName = reader.intern("text")
        word = reader.intern("w")
    }

    /// Handles one node.
    public mutating func process(_ reader: XMLStreamReader, into events: inout [CorpusEvent]) throws {
        switch reader.nodeKind {
        case .element:
            let role = try start(reader, &events)
            if reader.isEmptyElement { end(role, &events) } else { roles.append(role) }
        case .endElement:
            if let role = roles.popLast() { end(role, &events) }
        case .text, .whitespace:
            guard capturingText else { return }
            reader.withValueBytes { bytes in
                if token != nil { tokenText.append(bytes) } else { text.append(bytes) }
            }
        default:
            break
        }
    }

    /// Closes a document left open.
    public mutating func finish(into events: inout [CorpusEvent]) throws {
        documents.end(&events)
    }

    private mutating func start(_ reader: XMLStreamReader, _ events: inout [CorpusEvent]) throws -> Role {
        let name = reader.internedLocalName
        if name == document {
            documents.end(&events)
            documents.pending = DocumentInfo(
                identifier: reader.attribute("id") ?? baseName(fileName),
                title: reader.attribute("title"),
                source: reader.attribute("source") ?? fileName)
            return .document
        }
        if name == unit {
            current = TextUnit(
                text: "", kind: UnitKind(rawValue: reader.attribute("kind") ?? "segment"),
                position: SourcePosition(
                    file: reader.attribute("file") ?? fileName,
                    line: Int(reader.attribute("line") ?? "") ?? reader.line))
            text.reset()
            return .unit
        }
        if name == label || name == meta {
            guard let key = reader.attribute("name") else {
                throw CorpusError(
                    .unexpectedStructure, file: fileName, line: reader.line,
                    message: "<\(reader.localName)> needs a name attribute")
            }
            let value = reader.attribute("value") ?? ""
            if current != nil {
                if name == label { current?.labels[key] = value } else { current?.metadata[key] = value }
            } else if name == meta {
                documents.pending?.metadata[key] = value
            }
            return .other
        }
        if name == textName, current != nil {
            capturingText = true
            return .text
        }
        if name == word, current != nil {
            capturingText = true
            tokenText.reset()
            token = MarkedToken(
                form: "", lemma: reader.attribute("lemma"), partOfSpeech: reader.attribute("pos"),
                analysis: reader.attribute("ana"))
            return .token
        }
        return .other
    }

    private mutating func end(_ role: Role, _ events: inout [CorpusEvent]) {
        switch role {
        case .other:
            break
        case .document:
            documents.end(&events)
        case .text:
            capturingText = false
        case .token:
            capturingText = false
            if var finished = token {
                finished.form = tokenText.take()
                if current?.tokens == nil { current?.tokens = [] }
                current?.tokens?.append(finished)
            }
            token = nil
        case .unit:
            guard var finished = current else { return }
            finished.text = text.take()
            current = nil
            documents.start(&events)
            events.append(.unit(finished))
        }
    }
}
