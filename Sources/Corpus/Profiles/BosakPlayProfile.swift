/// Reads Jon Bosak's XML Shakespeare (`PLAY` / `ACT` / `SCENE` / `SPEECH` / `SPEAKER` / `LINE`, with `play.dtd`):
/// one document per `PLAY` titled by its `TITLE`, units from `LINE` (or whole `SPEECH`es), with metadata `act` and
/// `scene` (arabic numbers read from the roman numerals of the `TITLE`s, e.g. "SCENE IV. A room" → `"4"`, and the
/// title under `actTitle`/`sceneTitle`), `speaker` (several `SPEAKER`s joined by "/") and `speech` (1-based index in
/// the play). Front matter, the cast list and scene descriptions are skipped; stage directions (`STAGEDIR`) are
/// skipped unless asked for. Prologues, epilogues and inductions set `part`.
///
/// Source: Jon Bosak, "Shakespeare 2.00" (1999), `play.dtd`.
public struct BosakPlayProfile: CorpusProfile, SinkDrivenProfile {
    /// Lines or whole speeches.
    public var granularity: UnitGranularity
    /// Emit stage directions (`STAGEDIR`) as units of kind `.stageDirection`.
    public var includeStageDirections: Bool

    /// Makes a Bosak profile.
    public init(granularity: UnitGranularity = .block, includeStageDirections: Bool = false) {
        self.granularity = granularity
        self.includeStageDirections = includeStageDirections
    }

    /// `"bosak"`.
    public var name: String { "bosak" }

    private enum Role: Equatable {
        case other, play, act, scene
        case part(saved: String?)
        case title, speech, speaker, line, speechBreak, skipped
    }

    /// A class, not a struct: read at every node, and a struct holding a dictionary and a set would be retained
    /// and released each time.
    private final class Names {
        let play, title, act, scene, speech, speaker, line, stageDirection: InternedName
        let parts: [InternedName: String]
        let skipped: Set<InternedName>

        init(_ reader: XMLStreamReader) {
            play = reader.intern("PLAY")
            title = reader.intern("TITLE")
            act = reader.intern("ACT")
            scene = reader.intern("SCENE")
            speech = reader.intern("SPEECH")
            speaker = reader.intern("SPEAKER")
            line = reader.intern("LINE")
            stageDirection = reader.intern("STAGEDIR")
            parts = [
                reader.intern("PROLOGUE"): "prologue", reader.intern("EPILOGUE"): "epilogue",
                reader.intern("INDUCT"): "induction",
            ]
            skipped = Set(["FM", "PERSONAE", "SCNDESCR", "PLAYSUBT", "SUBHEAD", "SUBTITLE"].map(reader.intern))
        }
    }

    private var names: Names?
    /// `names` without ownership, read at every node without retaining it (`names` keeps it alive).
    private var namesReference: Unmanaged<Names>?
    private var roles: [Role] = []
    private var fileName = ""
    private var playCount = 0
    private var documents = DocumentBoundary()
    private var skipDepth = 0
    private var speeches = SpeechTracker()
    private var titleText = TextAccumulator()
    private var titleOwner: Role?
    /// What units opened now inherit: act, scene, part and the speech's entries.
    private var context = InheritedMetadata()
    private var units = UnitStack()

    /// Interns the element names.
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
                let role = start(reader, names)
                if reader.isEmptyElement { end(role, &events) } else { roles.append(role) }
            case .endElement:
                if let role = roles.popLast() { end(role, &events) }
            case .text, .whitespace:
                guard skipDepth == 0 else { return }
                reader.withValueBytes { bytes in
                    if titleOwner != nil {
                        titleText.append(bytes)
                    } else if speeches.isCapturingSpeaker {
                        speeches.appendSpeaker(bytes)
                    } else {
                        units.append(bytes)
                    }
                }
            default:
                break
            }
        }
    }

    /// Closes a play left open.
    public mutating func finish(into events: inout [CorpusEvent]) throws {
        try finish(sink: &events)
    }

    mutating func finish<Sink: CorpusEventSink>(sink events: inout Sink) throws {
        documents.end(&events)
    }

    private mutating func start(_ reader: XMLStreamReader, _ names: Names) -> Role {
        if skipDepth > 0 { return .other }
        let name = reader.internedLocalName
        if name == names.line {
            if granularity == .speech, speeches.isInSpeech {
                units.breakWord()
                return .speechBreak
            }
            units.open(kind: .line, line: reader.line, inheriting: &context)
            return .line
        }
        if name == names.speech {
            speeches.startSpeech(&context)
            units.open(
                kind: granularity == .speech ? .speech : .paragraph, line: reader.line, inheriting: &context)
            return .speech
        }
        if name == names.speaker {
            speeches.startSpeaker()
            return .speaker
        }
        if name == names.stageDirection {
            if includeStageDirections {
                units.open(kind: .stageDirection, line: reader.line, inheriting: &context)
                return .line
            }
            skipDepth += 1
            return .skipped
        }
        if name == names.title {
            switch roles.last {
            case .play?, .act?, .scene?:
                titleOwner = roles.last
                titleText.reset()
                return .title
            default:
                skipDepth += 1
                return .skipped
            }
        }
        if name == names.scene {
            context["scene"] = nil
            context["sceneTitle"] = nil
            return .scene
        }
        if name == names.act {
            context["act"] = nil
            context["actTitle"] = nil
            context["scene"] = nil
            context["sceneTitle"] = nil
            return .act
        }
        if let part = names.parts[name] {
            let saved = context["part"]
            context["part"] = part
            return .part(saved: saved)
        }
        if name == names.play {
            playCount += 1
            documents.pending = DocumentInfo(
                identifier: "\(baseName(fileName))#\(playCount)", source: fileName,
                metadata: ["format": "bosak"])
            context.removeAll()
            speeches.startDocument()
            return .play
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
        case .play:
            documents.end(&events)
        case .act, .scene:
            break
        case .part(let saved):
            context["part"] = saved
        case .title:
            let title = titleText.take()
            switch titleOwner {
            case .play?:
                documents.pending?.title = title
            case .act?:
                context["actTitle"] = title
                context["act"] = Self.number(in: title, after: "ACT")
            case .scene?:
                context["sceneTitle"] = title
                context["scene"] = Self.number(in: title, after: "SCENE")
            default:
                break
            }
            titleOwner = nil
        case .speech:
            speeches.endSpeech(&units, &context)
            emitUnit(&events)
        case .speaker:
            speeches.endSpeaker(&context)
        case .line:
            emitUnit(&events)
        case .speechBreak:
            units.breakWord()
        case .skipped:
            skipDepth -= 1
        }
    }

    private mutating func emitUnit<Sink: CorpusEventSink>(_ events: inout Sink) {
        guard units.closeKeepingText() else { return }
        documents.start(&events)
        units.emitClosed(file: fileName, into: &events)
    }

    /// The number after `keyword` in a title, as arabic digits: "SCENE IV. A room" → "4"; nil when absent.
    static func number(in title: String, after keyword: String) -> String? {
        let words = title.split(whereSeparator: { $0 == " " || $0 == "." || $0 == "," || $0 == ":" })
        guard let index = words.firstIndex(where: { $0.uppercased() == keyword }), index + 1 < words.count else {
            return nil
        }
        let word = words[index + 1]
        if word.allSatisfy(\.isNumber) { return String(word) }
        return romanNumeralValue(word.uppercased()).map(String.init)
    }

    /// The value of a roman numeral (I, V, X, L, C, D, M with subtractive pairs); nil if it is not one.
    static func romanNumeralValue(_ numeral: String) -> Int? {
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
        var total = 0
        var previous = 0
        for character in numeral.reversed() {
            guard let value = values[character] else { return nil }
            if value < previous {
                total -= value
            } else {
                total += value
                previous = value
            }
        }
        return total > 0 ? total : nil
    }
}
