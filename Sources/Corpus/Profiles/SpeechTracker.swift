/// The speeches of a drama profile (TEI `sp`/`speaker`, Bosak `SPEECH`/`SPEAKER`): how many the document has had,
/// whether one is open, and the speaker names being read, joined by "/" when a speech has several.
struct SpeechTracker {
    /// Speeches started in the current document.
    private(set) var count = 0
    /// Open speeches (nested only in malformed markup, but counted).
    private(set) var depth = 0
    /// Whether the text being read is a speaker's name.
    private(set) var isCapturingSpeaker = false
    private var speakerText = TextAccumulator()

    /// Whether a speech is open.
    var isInSpeech: Bool { depth > 0 }

    /// A new document: speeches count from 1 again.
    mutating func startDocument() { count = 0 }

    /// A speech starts; returns its 1-based number in the document.
    mutating func startSpeech() -> Int {
        count += 1
        depth += 1
        return count
    }

    /// The open speech ends: its unit gets the speaker(s) from `context`.
    mutating func endSpeech(_ context: [String: String], _ units: inout UnitStack) {
        if let speaker = context["speaker"] { units.setMetadata("speaker", speaker) }
        depth -= 1
    }

    /// A speaker element starts.
    mutating func startSpeaker() {
        isCapturingSpeaker = true
        speakerText.reset()
    }

    /// Text inside the speaker element.
    mutating func appendSpeaker(_ bytes: UnsafeBufferPointer<UInt8>) { speakerText.append(bytes) }

    /// The speaker element ends: its name joins `context["speaker"]` ("HAMLET/HORATIO" for several).
    mutating func endSpeaker(_ context: inout [String: String]) {
        isCapturingSpeaker = false
        let speaker = speakerText.take()
        if !speaker.isEmpty { context["speaker"] = context["speaker"].map { $0 + "/" + speaker } ?? speaker }
    }
}
