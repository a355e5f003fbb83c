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
                profile = try makeProfile()
            }
            try profile!.process(reader, into: &queue)
        }
    }

    /// The profile for the root element the reader is on (configured, or detected from its name and namespace),
    /// prepared for the reader.
    private func makeProfile() throws -> any CorpusProfile {
        var made = try configuration.makeProfile(
            rootElement: reader.localName, namespaceURI: reader.namespaceURI, file: reader.fileName, line: reader.line)
        made.prepare(for: reader)
        profileName = made.name
        sawRoot = true
        return made
    }

    /// Where the streaming loops start: hands `deliver` the events queued by earlier `nextEvent()` calls, then, if no
    /// profile is open yet, reads up to the root element, opens its profile and hands its first events too. Returns
    /// false when the file has been read to its end already.
    private func startStreaming(_ deliver: (CorpusEvent) throws -> Void) throws -> Bool {
        while queueHead < queue.count {
            let event = queue[queueHead]
            queueHead += 1
            try deliver(event)
        }
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
        if finished { return false }
        guard profile == nil else { return true }
        var events: [CorpusEvent] = []
        while profile == nil {
            guard try reader.read() else {
                finished = true
                throw CorpusError(.notWellFormed, file: reader.fileName, message: "the document has no root element")
            }
            guard reader.nodeKind == .element else { continue }
            var made = try makeProfile()
            try made.process(reader, into: &events)
            profile = made
        }
        for event in events { try deliver(event) }
        return true
    }

    /// Calls `body` with every unit and the document it belongs to, in file order.
    public func forEachUnit(_ body: (DocumentInfo, TextUnit) throws -> Void) throws {
        // The borrowed fast path, each unit copied out: no intermediate event per unit.
        try forEachBorrowedUnit { document, unit in try body(document, unit.makeTextUnit()) }
    }

    /// Calls `body` with every unit, its text borrowed from the reader, and the document it belongs to, in file
    /// order: the fast way to stream units (no `String`, `TextUnit` or event is made per unit by the built-in TEI
    /// and Bosak profiles; other profiles lend the text of the unit they built).
    ///
    /// The same units as `forEachUnit(_:)`, in the same order; `unit.utf8Text` is valid only during the call.
    /// `onDocument`, when given, is called at the start of every document, also of documents without units. An
    /// error thrown by `body` or `onDocument` stops the reading and is rethrown.
    public func forEachBorrowedUnit(
        onDocument: ((DocumentInfo) throws -> Void)? = nil, _ body: (DocumentInfo, BorrowedTextUnit) throws -> Void
    ) throws {
        try withoutActuallyEscaping(body) { body in
            var sink = BorrowingUnitSink(
                body: body, onDocument: onDocument,
                document: DocumentInfo(identifier: baseName(reader.fileName), source: reader.fileName))
            let started = try startStreaming { event in
                sink.event(event)
                try sink.check()
            }
            guard started else { return }
            var events: [CorpusEvent] = []
            guard var opened = profile else { return }
            self.profile = nil
            defer { self.profile = opened }
            func run<Profile: SinkDrivenProfile>(_ type: Profile.Type) throws -> Bool {
                guard var concrete = opened as? Profile else { return false }
                defer { opened = concrete }
                try Self.streamBorrowing(&concrete, reader, &sink)
                return true
            }
            let specialised = try run(TEIProfile.self) || run(BosakPlayProfile.self)
            if !specialised {
                try Self.stream(&opened, reader, &events) { event in
                    sink.event(event)
                    try sink.check()
                }
            }
            finished = true
        }
    }

    /// Reads every remaining node through `profile`, which lends each unit to `sink`.
    private static func streamBorrowing<Profile: SinkDrivenProfile>(
        _ profile: inout Profile, _ reader: XMLStreamReader, _ sink: inout BorrowingUnitSink
    ) throws {
        while try reader.read() {
            try profile.process(reader, sink: &sink)
            if sink.error != nil { break }
        }
        try sink.check()
        try profile.finish(sink: &sink)
        try sink.check()
    }

    /// Calls `body` with every remaining event (documents opening and closing, units), in file order: the fast
    /// way to stream a file (`nextEvent()` is the same stream, pulled).
    public func forEachEvent(_ body: (CorpusEvent) throws -> Void) throws {
        guard try startStreaming(body) else { return }
        var events: [CorpusEvent] = []
        events.reserveCapacity(8)
        guard var opened = profile else { return }
        // The hot loop runs on a local copy of the profile with its concrete type (the built-in ones are
        // specialised): no existential to open, and no exclusivity check on this object's properties, per node.
        self.profile = nil
        defer { self.profile = opened }
        func run<Profile: CorpusProfile>(_ type: Profile.Type) throws -> Bool {
            guard var concrete = opened as? Profile else { return false }
            defer { opened = concrete }
            try Self.stream(&concrete, reader, &events, body)
            return true
        }
        let specialised =
            try run(TEIProfile.self) || run(BosakPlayProfile.self) || run(TMXProfile.self)
            || run(GenericProfile.self) || run(MontagueXMLProfile.self)
        if !specialised { try Self.stream(&opened, reader, &events, body) }
        finished = true
    }

    /// Reads every remaining node through `profile`, handing its events to `body` as they come.
    private static func stream<Profile: CorpusProfile>(
        _ profile: inout Profile, _ reader: XMLStreamReader, _ events: inout [CorpusEvent],
        _ body: (CorpusEvent) throws -> Void
    ) throws {
        while try reader.read() {
            try profile.process(reader, into: &events)
            if !events.isEmpty {
                for event in events { try body(event) }
                events.removeAll(keepingCapacity: true)
            }
        }
        try profile.finish(into: &events)
        for event in events { try body(event) }
        events.removeAll(keepingCapacity: true)
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
