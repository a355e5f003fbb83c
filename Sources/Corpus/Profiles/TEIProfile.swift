import Foundation

/// Reads TEI P5 (namespace `http://www.tei-c.org/ns/1.0`; P4 without a namespace works too): one document per
/// `<TEI>` (several inside a `<teiCorpus>`), the title from the header's first `<title>`, divisions (`div`,
/// `div1`…`div7`) as metadata (`@type` → `@n`, e.g. `act` = `1`, `scene` = `2`), speeches (`sp`: `speaker`, `who`,
/// `speech` metadata), and units from verse lines `l`, paragraphs `p`, anonymous blocks `ab` and sentences `s`.
///
/// Marked-up tokens (`w`, `pc` with `@lemma`, `@pos`, `@ana`) are kept in `TextUnit.tokens`. A unit's `@ana`
/// values of the form `#name=value` become labels (the form `CorpusWriter` writes); other `@ana` values, `xml:id` and
/// `@n` become metadata. Line breaks (`lb`, `pb`, `cb`, unless `@break="no"`) separate words. Editorial material
/// that is not the text (`note`, `fw`, `sic`, `orig`, `abbr`, `del`, `figDesc`) is skipped, and so are stage
/// directions and headings unless asked for.
///
/// Source: TEI P5 Guidelines, chapters 3 (core), 4 (default text structure), 7 (performance texts), 17 (`w`).
public struct TEIProfile: CorpusProfile, SinkDrivenProfile {
    /// The TEI P5 namespace.
    public static let namespace = "http://www.tei-c.org/ns/1.0"

    /// Lines/paragraphs or whole speeches.
    public var granularity: UnitGranularity
    /// Emit stage directions (`stage`) as units of kind `.stageDirection`.
    public var includeStageDirections: Bool
    /// Emit headings (`head`) as units of kind `.heading`.
    public var includeHeadings: Bool

    /// Makes a TEI profile.
    public init(
        granularity: UnitGranularity = .block, includeStageDirections: Bool = false,
        includeHeadings: Bool = false
    ) {
        self.granularity = granularity
        self.includeStageDirections = includeStageDirections
        self.includeHeadings = includeHeadings
    }

    /// `"tei"`.
    public var name: String { "tei" }

    private enum Role {
        case other, document, header, headerTitle
        case division(saved: Int)
        case speech, speaker, unit, speechBreak, token
        case skipped
    }

    /// A class, not a struct: the profile reads it at every node, and copying ~30 names out of an optional struct
    /// was a measurable memmove per node.
    private final class Names {
        let tei, teiP4, teiHeader, title, text, sp, speaker, l, p, ab, s, w, pc, lb, pb, cb, stage, head: InternedName
        /// Attribute names (`id` is `xml:id`).
        let id, n, ana, type, who, lineBreak, lemma, pos, msd: InternedName
        /// Short lists, scanned: comparing a few pointers is cheaper than hashing one.
        let divisions: [InternedName]
        let skipped: [InternedName]

        init(_ reader: XMLStreamReader) {
            tei = reader.intern("TEI")
            teiP4 = reader.intern("TEI.2")
            teiHeader = reader.intern("teiHeader")
            title = reader.intern("title")
            text = reader.intern("text")
            sp = reader.intern("sp")
            speaker = reader.intern("speaker")
            l = reader.intern("l")
            p = reader.intern("p")
            ab = reader.intern("ab")
            s = reader.intern("s")
            w = reader.intern("w")
            pc = reader.intern("pc")
            lb = reader.intern("lb")
            pb = reader.intern("pb")
            cb = reader.intern("cb")
            stage = reader.intern("stage")
            head = reader.intern("head")
            id = reader.intern("id")
            n = reader.intern("n")
            ana = reader.intern("ana")
            type = reader.intern("type")
            who = reader.intern("who")
            lineBreak = reader.intern("break")
            lemma = reader.intern("lemma")
            pos = reader.intern("pos")
            msd = reader.intern("msd")
            divisions = ["div", "div1", "div2", "div3", "div4", "div5", "div6", "div7"].map(reader.intern)
            skipped = ["note", "fw", "sic", "orig", "abbr", "del", "figDesc"].map(reader.intern)
        }
    }

    private var names: Names?
    /// `names` without ownership, read at every node without retaining it (`names` keeps it alive).
    private var namesReference: Unmanaged<Names>?
    private var roles: [Role] = []
    private var fileName = ""
    private var documentCount = 0
    private var documents = DocumentBoundary()
    private var headerDepth = 0
    private var skipDepth = 0
    private var speeches = SpeechTracker()
    private var titleText = TextAccumulator()
    private var capturingTitle = false
    private var tokenText = TextAccumulator()
    private var openToken: MarkedToken?
    /// `openToken != nil`, as a plain flag: tested at every text node.
    private var isInToken = false
    /// What units opened now inherit: the divisions' entries (`act` = `1`, ...) and the speech's.
    private var context = InheritedMetadata()
    private var savedContext: [(key: String, previous: String?)] = []
    private var units = UnitStack()

    /// Interns the TEI element names.
    public mutating func prepare(for reader: XMLStreamReader) {
        let made = Names(reader)
        names = made
        namesReference = Unmanaged.passUnretained(made)
        fileName = reader.fileName
    }

    /// Handles one node.
    public mutating func process(_ reader: XMLStreamReader, into events: inout [CorpusEvent]) throws {
        try process(reader, sink: &events)
    }

    mutating func process<Sink: CorpusEventSink>(_ reader: XMLStreamReader, sink events: inout Sink) throws {
        guard let namesReference else { return }
        namesReference._withUnsafeGuaranteedRef { names in
            switch reader.nodeKind {
            case .element:
                let role = start(reader, names, &events)
                if reader.isEmptyElement { end(role, &events) } else { roles.append(role) }
            case .endElement:
                if let role = roles.popLast() { end(role, &events) }
            case .text, .whitespace:
                guard skipDepth == 0 else { return }
                reader.withValueBytes { bytes in
                    if capturingTitle { titleText.append(bytes) }
                    if headerDepth > 0 { return }
                    if speeches.isCapturingSpeaker {
                        speeches.appendSpeaker(bytes)
                        return
                    }
                    units.append(bytes)
                    if isInToken { tokenText.append(bytes) }
                }
            default:
                break
            }
        }
    }

    /// Closes a document left open (only possible after an error, since the XML was well-formed).
    public mutating func finish(into events: inout [CorpusEvent]) throws {
        try finish(sink: &events)
    }

    mutating func finish<Sink: CorpusEventSink>(sink events: inout Sink) throws {
        if documents.isActive { closeDocument(&events) }
    }

    private mutating func start<Sink: CorpusEventSink>(_ reader: XMLStreamReader, _ names: Names, _ events: inout Sink)
        -> Role
    {
        if skipDepth > 0 { return .other }
        let name = reader.internedLocalName
        if headerDepth > 0 {
            if name == names.title, !capturingTitle, documents.pending?.title == nil, titleText.isEmpty {
                capturingTitle = true
                return .headerTitle
            }
            return .other
        }
        // The most frequent elements first.
        if name == names.l || name == names.p || name == names.ab || name == names.s {
            if granularity == .speech, speeches.isInSpeech {
                units.breakWord()
                return .speechBreak
            }
            let kind: UnitKind = name == names.l ? .line : name == names.s ? .sentence : .paragraph
            openUnit(kind, reader, names)
            return .unit
        }
        if name == names.lb || name == names.pb || name == names.cb {
            if reader.attribute(names.lineBreak) != "no" { units.breakWord() }
            return .other
        }
        if name == names.tei || name == names.teiP4 {
            documentCount += 1
            let identifier =
                reader.attribute(names.id, inXMLNamespace: true) ?? "\(baseName(fileName))#\(documentCount)"
            documents.pending = DocumentInfo(identifier: identifier, source: fileName, metadata: ["format": "tei"])
            context.removeAll()
            speeches.startDocument()
            return .document
        }
        if name == names.teiHeader {
            headerDepth += 1
            return .header
        }
        if name == names.text {
            openDocumentIfPending(&events)
            return .other
        }
        if name == names.sp {
            speeches.startSpeech(
                identifier: reader.attribute(names.id, inXMLNamespace: true), who: reader.attribute(names.who),
                &context)
            openUnit(granularity == .speech ? .speech : .paragraph, reader, names)
            return .speech
        }
        if name == names.speaker {
            speeches.startSpeaker()
            return .speaker
        }
        if names.divisions.contains(name) {
            let key = reader.attribute(names.type) ?? "div"
            savedContext.append((key, context[key]))
            if let number = reader.attribute(names.n) { context[key] = number } else { context[key] = nil }
            return .division(saved: savedContext.count - 1)
        }
        if name == names.w || name == names.pc {
            guard !units.isEmpty else { return .other }
            tokenText.reset()
            isInToken = true
            openToken = MarkedToken(
                form: "", lemma: reader.attribute(names.lemma),
                partOfSpeech: reader.attribute(names.pos) ?? reader.attribute(names.msd),
                analysis: reader.attribute(names.ana))
            return .token
        }
        if name == names.stage {
            if includeStageDirections {
                openUnit(.stageDirection, reader, names)
                return .unit
            }
            skipDepth += 1
            return .skipped
        }
        if name == names.head {
            if includeHeadings {
                openUnit(.heading, reader, names)
                return .unit
            }
            skipDepth += 1
            return .skipped
        }
        if names.skipped.contains(name) {
            skipDepth += 1
            return .skipped
        }
        return .other
    }

    private mutating func end<Sink: CorpusEventSink>(_ role: Role, _ events: inout Sink) {
        switch role {
        case .other:
            break
        case .document:
            closeDocument(&events)
        case .header:
            headerDepth -= 1
        case .headerTitle:
            capturingTitle = false
            let title = titleText.take()
            if !title.isEmpty { documents.pending?.title = title }
        case .division(let saved):
            let (key, previous) = savedContext[saved]
            savedContext.removeLast(savedContext.count - saved)
            context[key] = previous
        case .speech:
            speeches.endSpeech(&units, &context)
            emitUnit(&events)
        case .speaker:
            speeches.endSpeaker(&context)
        case .unit:
            emitUnit(&events)
        case .speechBreak:
            units.breakWord()
        case .token:
            if var token = openToken {
                token.form = tokenText.take()
                if !token.form.isEmpty { units.appendToken(token) }
            }
            openToken = nil
            isInToken = false
        case .skipped:
            skipDepth -= 1
        }
    }

    private mutating func openUnit(_ kind: UnitKind, _ reader: XMLStreamReader, _ names: Names) {
        // The context is shared, not copied; the unit's own entries stay beside it until someone reads them.
        units.open(kind: kind, line: reader.line, inheriting: &context)
        if let identifier = reader.attributeBytes(names.id, inXMLNamespace: true) {
            units.setMetadata("id", utf8: identifier)
        }
        if let number = reader.attributeBytes(names.n) { units.setMetadata("n", utf8: number) }
        if let analysis = reader.attribute(names.ana) {
            var labels: [String: String] = [:]
            var others: [Substring] = []
            for pointer in analysis.split(separator: " ") {
                if pointer.hasPrefix("#"), let equals = pointer.firstIndex(of: "=") {
                    let name = pointer[pointer.index(after: pointer.startIndex)..<equals]
                    let value = pointer[pointer.index(after: equals)...]
                    labels[String(name).removingPercentEncoding ?? String(name)] =
                        String(value).removingPercentEncoding ?? String(value)
                } else {
                    others.append(pointer)
                }
            }
            if !others.isEmpty { units.setMetadata("ana", others.joined(separator: " ")) }
            if !labels.isEmpty { units.setLabels(labels) }
        }
    }

    private mutating func emitUnit<Sink: CorpusEventSink>(_ events: inout Sink) {
        guard units.closeKeepingText() else { return }
        openDocumentIfPending(&events)
        units.emitClosed(file: fileName, into: &events)
    }

    /// Starts the announced document, or an anonymous one when text comes outside any `<TEI>`.
    private mutating func openDocumentIfPending<Sink: CorpusEventSink>(_ events: inout Sink) {
        if !documents.isActive {
            documentCount += 1
            documents.pending = DocumentInfo(
                identifier: "\(baseName(fileName))#\(documentCount)", source: fileName, metadata: ["format": "tei"])
        }
        documents.start(&events)
    }

    private mutating func closeDocument<Sink: CorpusEventSink>(_ events: inout Sink) {
        openDocumentIfPending(&events)
        documents.end(&events)
    }
}

/// The last path component of a file name (`"a/b/hamlet.xml"` → `"hamlet.xml"`).
func baseName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}
