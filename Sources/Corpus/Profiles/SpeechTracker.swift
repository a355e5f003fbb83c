/// The speeches of a drama profile (TEI `sp`/`speaker`, Bosak `SPEECH`/`SPEAKER`): how many the document has had,
/// whether one is open, the speaker names being read (joined by "/" when a speech has several), and the open
/// speech's metadata, which it hands to the profile's `InheritedMetadata` for the units opened inside it.
struct SpeechTracker {
    /// Speeches started in the current document.
    private(set) var count = 0
    /// Open speeches (nested only in malformed markup, but counted).
    private(set) var depth = 0
    /// Whether the text being read is a speaker's name.
    private(set) var isCapturingSpeaker = false
    /// The open speech's `speech`, `who` and `speaker` (inactive outside a speech).
    private var metadata = SpeechMetadata()
    private var speakerText = TextAccumulator()
    /// Numbers the changes of `metadata` (its `version`).
    private var changes = 0

    /// Whether a speech is open.
    var isInSpeech: Bool { depth > 0 }

    /// A new document: speeches count from 1 again.
    mutating func startDocument() { count = 0 }

    /// A speech starts, identified by `identifier` (its `xml:id`) or else by its 1-based number in the document.
    mutating func startSpeech(identifier: String? = nil, who: String? = nil, _ inherited: inout InheritedMetadata) {
        count += 1
        depth += 1
        changes += 1
        metadata = SpeechMetadata(version: changes, number: count, identifier: identifier, who: who, speaker: nil)
        inherited.speech = metadata
    }

    /// The open speech ends: its unit (the innermost of `units`) gets the speaker(s), and units opened from now on
    /// have no speech metadata.
    mutating func endSpeech(_ units: inout UnitStack, _ inherited: inout InheritedMetadata) {
        if let speaker = metadata.speaker { units.setMetadata("speaker", speaker) }
        depth -= 1
        changes += 1
        metadata = SpeechMetadata(version: changes)
        inherited.speech = metadata
    }

    /// A speaker element starts.
    mutating func startSpeaker() {
        isCapturingSpeaker = true
        speakerText.reset()
    }

    /// Text inside the speaker element.
    mutating func appendSpeaker(_ bytes: UnsafeBufferPointer<UInt8>) { speakerText.append(bytes) }

    /// The speaker element ends: its name joins the speech's speakers ("HAMLET/HORATIO" for several).
    mutating func endSpeaker(_ inherited: inout InheritedMetadata) {
        isCapturingSpeaker = false
        let speaker = speakerText.take()
        guard !speaker.isEmpty else { return }
        metadata.speaker = metadata.speaker.map { $0 + "/" + speaker } ?? speaker
        changes += 1
        metadata.version = changes
        inherited.speech = metadata
    }
}
