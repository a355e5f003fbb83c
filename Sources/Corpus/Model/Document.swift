/// What is known about a document when it starts: its identity, source and metadata (title, language, ...).
public struct DocumentInfo: Sendable, Hashable, Codable {
    /// An identifier unique within its file (`xml:id`, a title, or the file name with an index).
    public var identifier: String
    /// The title, when the document has one.
    public var title: String?
    /// The file the document comes from.
    public var source: String
    /// Further properties (the format profile's name under `"format"`, TMX source language, ...).
    public var metadata: [String: String]

    /// Makes a document description.
    public init(identifier: String, title: String? = nil, source: String, metadata: [String: String] = [:]) {
        self.identifier = identifier
        self.title = title
        self.source = source
        self.metadata = metadata
    }
}

/// A whole document in memory: for small corpora and tests. Large corpora are read unit by unit (see
/// `XMLCorpusReader` and `CorpusLoader`), which keeps memory constant.
public struct Document: Sendable, Hashable, Codable {
    /// The document's identity and metadata.
    public var info: DocumentInfo
    /// Its units in document order.
    public var units: [TextUnit]

    /// Makes a document.
    public init(info: DocumentInfo, units: [TextUnit] = []) {
        self.info = info
        self.units = units
    }
}

/// What a format profile reports while it reads: documents open and close, units arrive in between.
public enum CorpusEvent: Sendable, Hashable {
    /// A document begins.
    case startDocument(DocumentInfo)
    /// A unit of the current document.
    case unit(TextUnit)
    /// The current document ends.
    case endDocument
}
