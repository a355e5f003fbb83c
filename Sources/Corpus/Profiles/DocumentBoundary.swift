/// Where a profile is between documents: one announced but not started yet, one open, or none.
///
/// A document is announced at its start tag and started (its `startDocument` event emitted) only at its first unit
/// or at its end, so that what the profile reads in between (a title in a header, metadata) still makes it into the
/// event. Shared by the built-in profiles, which all bracket their units this way.
struct DocumentBoundary {
    /// The announced document, not started yet; profiles fill in its title and metadata until it starts.
    var pending: DocumentInfo?
    /// Whether a document has started and not ended.
    private(set) var isOpen = false

    /// Whether a document is announced or open.
    var isActive: Bool { pending != nil || isOpen }

    /// Emits the announced document's start, if there is one.
    mutating func start<Sink: CorpusEventSink>(_ events: inout Sink) {
        guard let document = pending else { return }
        events.startDocument(document)
        pending = nil
        isOpen = true
    }

    /// Starts the announced document if need be, then ends the open one (nothing when there is none).
    mutating func end<Sink: CorpusEventSink>(_ events: inout Sink) {
        start(&events)
        if isOpen { events.endDocument() }
        isOpen = false
    }
}
