/// Reads one XML corpus file as a stream of documents and units through a format profile (detected from the root
/// element unless configured), in constant memory.
///
/// Pull events with `nextEvent()`, or let `forEachUnit(_:)` drive; `readDocuments()` collects everything (for small
/// files). Errors (not well-formed, unknown format) are thrown as `CorpusError`s with file, line and column; a file
/// is never silently truncated: an error anywhere makes the read throw.
public final class XMLCorpusReader {
    /// The underlying XML reader.
    public let reader: XMLStreamReader
    /// The profile reading the file, once the root element has been seen.
    public private(set) var profileName: String?

    private let configuration: ProfileConfiguration
    private var profile: (any CorpusProfile)?
    private var queue: [CorpusEvent] = []
    private var queueHead = 0
    private var finished = false
    private var sawRoot = false

    /// Opens a file (plain or gzip-compressed).
    public convenience init(
        contentsOfFile path: String, profile: ProfileConfiguration = ProfileConfiguration(),
        options: XMLReadingOptions = XMLReadingOptions()
    ) throws {
        self.init(reader: try XMLStreamReader(contentsOfFile: path, options: options), profile: profile)
    }

    /// Reads from memory; `name` appears in messages and positions.
    public convenience init(
        bytes: some Collection<UInt8>, name: String,
        profile: ProfileConfiguration = ProfileConfiguration(),
        options: XMLReadingOptions = XMLReadingOptions()
    ) throws {
        self.init(reader: try XMLStreamReader(bytes: bytes, name: name, options: options), profile: profile)
    }

    /// Reads through an existing XML reader.
    public init(reader: XMLStreamReader, profile: ProfileConfiguration = ProfileConfiguration()) {
        self.reader = reader
        self.configuration = profile
    }

    /// Uses a profile of your own instead of the configured ones.
    public convenience init(reader: XMLStreamReader, customProfile: any CorpusProfile) {
        self.init(reader: reader)
        var profile = customProfile
        profile.prepare(for: reader)
        self.profile = profile
        self.profileName = profile.name
    }

    /// The next event, or nil at the end of the file.
    /// - Throws: `CorpusError` when the XML is not well-formed or its format is unknown.
    public func nextEvent() throws -> CorpusEvent? {
        while queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
            if finished { return nil }
            try fill()
        }
        let event = queue[queueHead]
        queueHead += 1
        return event
    }

    private func fill() throws {
        while queue.isEmpty {
            guard try reader.read() else {
                finished = true
                try profile?.finish(into: &queue)
                if !sawRoot {
                    throw CorpusError(
                        .notWellFormed, file: reader.fileName, message: "the document has no root element")
                }
                return
            }
            if profile == nil {
                guard reader.nodeKind == .element else { continue }
                var made = try configuration.makeProfile(
                    rootElement: reader.localName,
                    namespaceURI: reader.namespaceURI,
                    file: reader.fileName, line: reader.line)
                made.prepare(for: reader)
                profile = made
                profileName = made.name
            }
            sawRoot = true
            try profile!.process(reader, into: &queue)
        }
    }

    /// Calls `body` with every unit and the document it belongs to, in file order.
    public func forEachUnit(_ body: (DocumentInfo, TextUnit) throws -> Void) throws {
        var document = DocumentInfo(identifier: baseName(reader.fileName), source: reader.fileName)
        func deliver(_ event: CorpusEvent) throws {
            switch event {
            case .startDocument(let info): document = info
            case .unit(let unit): try body(document, unit)
            case .endDocument: break
            }
        }
        // Events queued by earlier `nextEvent()` calls come first.
        while queueHead < queue.count {
            let event = queue[queueHead]
            queueHead += 1
            try deliver(event)
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        if finished { return }
        // The hot loop works on locals, not on this object's stored properties: a stored property modified
        // across a call costs a dynamic exclusivity check at every node.
        var events: [CorpusEvent] = []
        events.reserveCapacity(8)
        var profile = self.profile
        self.profile = nil
        defer { self.profile = profile }
        let reader = self.reader
        var rootSeen = sawRoot
        while true {
            guard try reader.read() else {
                finished = true
                try profile?.finish(into: &events)
                for event in events { try deliver(event) }
                if !sawRoot {
                    throw CorpusError(
                        .notWellFormed, file: reader.fileName, message: "the document has no root element")
                }
                return
            }
            if profile == nil {
                guard reader.nodeKind == .element else { continue }
                var made = try configuration.makeProfile(
                    rootElement: reader.localName,
                    namespaceURI: reader.namespaceURI,
                    file: reader.fileName, line: reader.line)
                made.prepare(for: reader)
                profile = made
                profileName = made.name
            }
            if !rootSeen {
                rootSeen = true
                sawRoot = true
            }
            try profile!.process(reader, into: &events)
            if !events.isEmpty {
                for event in events { try deliver(event) }
                events.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Reads the whole file into documents (memory grows with the file: for small corpora).
    public func readDocuments() throws -> [Document] {
        var documents: [Document] = []
        var current: Document?
        while let event = try nextEvent() {
            switch event {
            case .startDocument(let info):
                if let current { documents.append(current) }
                current = Document(info: info)
            case .unit(let unit):
                if current == nil {
                    current = Document(
                        info: DocumentInfo(
                            identifier: baseName(reader.fileName),
                            source: reader.fileName))
                }
                current?.units.append(unit)
            case .endDocument:
                if let current { documents.append(current) }
                current = nil
            }
        }
        if let current { documents.append(current) }
        return documents
    }
}
