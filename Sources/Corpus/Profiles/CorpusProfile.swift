/// A format profile: turns the node stream of one XML file into documents and text units.
///
/// The reader calls `prepare(for:)` once (intern the element names you compare against), then `process(_:into:)`
/// at every node from the root element on, then `finish(into:)` at the end of the file. A profile appends what it
/// recognises to `events`; it keeps only the state of the elements currently open, so memory stays constant.
/// Implement this protocol to read a format the built-in profiles do not cover.
public protocol CorpusProfile {
    /// A short name for messages and statistics (`"tei"`, `"bosak"`, `"tmx"`, `"generic"`).
    var name: String { get }
    /// Called once before the first node, with the reader whose dictionary interns the names.
    mutating func prepare(for reader: XMLStreamReader)
    /// Called at every node, starting with the root element.
    mutating func process(_ reader: XMLStreamReader, into events: inout [CorpusEvent]) throws
    /// Called once at the end of the file.
    mutating func finish(into events: inout [CorpusEvent]) throws
}

/// The text-unit granularity of drama profiles.
public enum UnitGranularity: String, Sendable, Hashable, Codable, CaseIterable {
    /// The smallest text block the format marks: TEI `l`, `p`, `ab`, `s`; Bosak `LINE`.
    case block
    /// Whole speeches (TEI `sp`, Bosak `SPEECH`), their lines joined by spaces.
    case speech
}
