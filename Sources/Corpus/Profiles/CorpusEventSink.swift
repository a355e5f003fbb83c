/// Where the built-in profiles put what they read: an array of `CorpusEvent`s (the public `CorpusProfile` API), or
/// a borrowing sink that hands each unit's text bytes straight to a callback (`XMLCorpusReader.forEachBorrowedUnit`)
/// without making a `String`, a `TextUnit` or an event.
protocol CorpusEventSink {
    /// A document begins.
    mutating func startDocument(_ info: DocumentInfo)
    /// The current document ends.
    mutating func endDocument()
    /// A unit closed: `unit` (the profile's slot) and `text` (its whitespace-normalized UTF-8 text) are valid only
    /// during the call.
    mutating func unit(_ unit: UnsafePointer<UnitStack.OpenUnit>, text: UnsafeBufferPointer<UInt8>, file: String)
}

extension Array: CorpusEventSink where Element == CorpusEvent {
    mutating func startDocument(_ info: DocumentInfo) { append(.startDocument(info)) }

    mutating func endDocument() { append(.endDocument) }

    mutating func unit(_ unit: UnsafePointer<UnitStack.OpenUnit>, text: UnsafeBufferPointer<UInt8>, file: String) {
        append(.unit(unit.pointee.makeTextUnit(text: String(decoding: text, as: UTF8.self), file: file)))
    }
}

/// A profile whose node handling is generic over the sink (the built-in TEI and Bosak profiles): the borrowed fast
/// path drives it directly with a `BorrowingUnitSink`.
protocol SinkDrivenProfile: CorpusProfile {
    /// `process(_:into:)` for any sink.
    mutating func process<Sink: CorpusEventSink>(_ reader: XMLStreamReader, sink: inout Sink) throws
    /// `finish(into:)` for any sink.
    mutating func finish<Sink: CorpusEventSink>(sink: inout Sink) throws
}

/// The sink of `XMLCorpusReader.forEachBorrowedUnit`: calls `body` with every unit as a `BorrowedTextUnit` whose text
/// points into the profile's buffer. An error thrown by `body` is kept (later events are dropped) and rethrown by
/// the reader after the node that produced it.
struct BorrowingUnitSink: CorpusEventSink {
    let body: (DocumentInfo, BorrowedTextUnit) throws -> Void
    /// Called at every document start (also for documents without units).
    let onDocument: ((DocumentInfo) throws -> Void)?
    var document: DocumentInfo
    var error: (any Error)?

    mutating func startDocument(_ info: DocumentInfo) {
        document = info
        guard error == nil, let onDocument else { return }
        do {
            try onDocument(info)
        } catch {
            self.error = error
        }
    }

    mutating func endDocument() {}

    mutating func unit(_ unit: UnsafePointer<UnitStack.OpenUnit>, text: UnsafeBufferPointer<UInt8>, file: String) {
        guard error == nil else { return }
        // The unit is lent by address: no retain or release of its strings and dictionaries per unit.
        do {
            try body(document, BorrowedTextUnit(utf8Text: text, unit: unit, file: file))
        } catch {
            self.error = error
        }
    }

    /// Hands an already built unit on (events queued before the fast path took over, custom profiles).
    mutating func unit(_ unit: TextUnit) {
        guard error == nil else { return }
        do {
            try BorrowedTextUnit.lending(unit) { try body(document, $0) }
        } catch {
            self.error = error
        }
    }

    /// Hands an event on.
    mutating func event(_ event: CorpusEvent) {
        switch event {
        case .startDocument(let info): startDocument(info)
        case .unit(let unit): self.unit(unit)
        case .endDocument: endDocument()
        }
    }

    /// Rethrows the error `body` threw, if any.
    func check() throws {
        if let error { throw error }
    }
}
