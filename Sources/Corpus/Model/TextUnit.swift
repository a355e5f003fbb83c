/// One piece of text a corpus is made of (a verse line, a paragraph, a sentence, a speech, a translation segment),
/// with its labels and metadata.
///
/// Labels are what a model learns to predict or condition on (a style, a sentiment, an entailment value); metadata
/// is everything else worth keeping (speaker, act and scene, language, identifiers). Both are string maps so that
/// any XML attribute fits.
public struct TextUnit: Sendable, Hashable, Codable {
    /// The unit's text, whitespace-normalized (runs of whitespace collapsed to one space, trimmed).
    public var text: String
    /// What the unit is (line, paragraph, ...).
    public var kind: UnitKind
    /// Tokens when the XML marks them up (TEI `<w>`); nil when the text must be tokenized.
    public var tokens: [MarkedToken]?
    /// Labels, by name (`"sentiment": "positive"`, `"entailment": "YES"`).
    public var labels: [String: String]
    /// Other properties, by name (`"speaker"`, `"act"`, `"scene"`, `"language"`, `"id"`, ...).
    ///
    /// Profiles store a unit's metadata as the dictionary of its context (shared by every unit of a speech, not
    /// copied) plus the unit's own few entries; the merged dictionary is made when this property is read, so
    /// streaming units whose metadata nobody reads costs no hashing.
    public var metadata: [String: String] {
        get { storedMetadata.dictionary }
        set { storedMetadata = UnitMetadata(newValue) }
    }
    /// Where the unit starts in its file.
    public var position: SourcePosition
    /// The metadata as the profile made it.
    var storedMetadata: UnitMetadata
    /// For labels an enclosing element gave, that element's number in its file (for per-element label counts; not
    /// part of the unit's value: not compared, hashed or encoded).
    var labelOrigins: [String: Int] = [:]

    /// Makes a unit.
    public init(
        text: String,
        kind: UnitKind = .segment,
        tokens: [MarkedToken]? = nil,
        labels: [String: String] = [:],
        metadata: [String: String] = [:],
        position: SourcePosition = SourcePosition()
    ) {
        self.init(
            text: text, kind: kind, tokens: tokens, labels: labels, storedMetadata: UnitMetadata(metadata),
            position: position)
    }

    init(
        text: String, kind: UnitKind, tokens: [MarkedToken]?, labels: [String: String], storedMetadata: UnitMetadata,
        position: SourcePosition
    ) {
        self.text = text
        self.kind = kind
        self.tokens = tokens
        self.labels = labels
        self.storedMetadata = storedMetadata
        self.position = position
    }

    private enum CodingKeys: String, CodingKey {
        case text, kind, tokens, labels, metadata, position
    }

    /// Decodes the form `encode(to:)` writes (the one a synthesized conformance writes).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            text: try container.decode(String.self, forKey: .text),
            kind: try container.decode(UnitKind.self, forKey: .kind),
            tokens: try container.decodeIfPresent([MarkedToken].self, forKey: .tokens),
            labels: try container.decode([String: String].self, forKey: .labels),
            metadata: try container.decode([String: String].self, forKey: .metadata),
            position: try container.decode(SourcePosition.self, forKey: .position))
    }

    /// Encodes text, kind, tokens (when present), labels, metadata and position.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(tokens, forKey: .tokens)
        try container.encode(labels, forKey: .labels)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(position, forKey: .position)
    }

    /// Units are equal when their text, kind, tokens, labels, metadata and position are.
    public static func == (left: TextUnit, right: TextUnit) -> Bool {
        left.text == right.text && left.kind == right.kind && left.tokens == right.tokens
            && left.labels == right.labels && left.position == right.position && left.metadata == right.metadata
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(kind)
        hasher.combine(tokens)
        hasher.combine(labels)
        hasher.combine(metadata)
        hasher.combine(position)
    }
}

/// What a text unit is. Profiles map their elements onto these (`<l>` and `<LINE>` are both `.line`), so corpora
/// in different formats compare; generic profiles use the element name.
public struct UnitKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind's name.
    public var rawValue: String
    /// Makes a kind from its name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A verse line (TEI `l`, Bosak `LINE`).
    public static let line = UnitKind(rawValue: "line")
    /// A paragraph (TEI `p`, `ab`).
    public static let paragraph = UnitKind(rawValue: "paragraph")
    /// A sentence (TEI `s`, one line of a plain-text corpus).
    public static let sentence = UnitKind(rawValue: "sentence")
    /// A whole speech (TEI `sp`, Bosak `SPEECH`) when units are speeches.
    public static let speech = UnitKind(rawValue: "speech")
    /// A stage direction (TEI `stage`, Bosak `STAGEDIR`), when they are read.
    public static let stageDirection = UnitKind(rawValue: "stage")
    /// A heading (TEI `head`), when they are read.
    public static let heading = UnitKind(rawValue: "heading")
    /// A segment (TMX `seg`, anything else).
    public static let segment = UnitKind(rawValue: "segment")

    /// The kind's name.
    public var description: String { rawValue }
}

/// A token as marked up in the XML (TEI `<w lemma="..." pos="...">`), with its annotations.
public struct MarkedToken: Sendable, Hashable, Codable {
    /// The token as written.
    public var form: String
    /// Its lemma (`@lemma`), if given.
    public var lemma: String?
    /// Its part of speech (`@pos`, or `@msd`/`@type` in some TEI corpora), if given.
    public var partOfSpeech: String?
    /// Its analysis pointer(s) (`@ana`), if given.
    public var analysis: String?

    /// Makes a token.
    public init(form: String, lemma: String? = nil, partOfSpeech: String? = nil, analysis: String? = nil) {
        self.form = form
        self.lemma = lemma
        self.partOfSpeech = partOfSpeech
        self.analysis = analysis
    }
}

/// A place in a source file: the file and the 1-based line where something starts (0 when unknown).
public struct SourcePosition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the user named it (empty for in-memory input).
    public var file: String
    /// 1-based line, 0 when unknown.
    public var line: Int

    /// Makes a position.
    public init(file: String = "", line: Int = 0) {
        self.file = file
        self.line = line
    }

    /// `file:line`.
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}
