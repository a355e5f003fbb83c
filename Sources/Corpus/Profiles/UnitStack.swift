/// The text units currently open while a profile reads, innermost last.
///
/// Nested units (a TEI `<s>` inside a `<p>`, a stage direction inside a line) each collect their own text: the inner
/// one is emitted when it closes, the outer one keeps only the text outside it, so nothing is lost or duplicated.
/// Text buffers are reused from unit to unit, so reading allocates only the finished units.
struct UnitStack {
    struct OpenUnit {
        var kind: UnitKind
        var line: Int
        var labels: [String: String]
        var metadata: UnitMetadata
        var tokens: [MarkedToken]?

        /// The finished unit with `text`.
        func makeTextUnit(text: String, file: String) -> TextUnit {
            TextUnit(
                text: text, kind: kind, tokens: tokens, labels: labels, storedMetadata: metadata,
                position: SourcePosition(file: file, line: line))
        }
    }

    private var units: [OpenUnit] = []
    private var texts: [TextAccumulator] = []

    var isEmpty: Bool { units.isEmpty }
    var count: Int { units.count }

    mutating func open(_ unit: OpenUnit) {
        if texts.count == units.count { texts.append(TextAccumulator()) }
        units.append(unit)
    }

    @inline(__always)
    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        guard !units.isEmpty else { return }
        texts[units.count - 1].append(text)
    }

    @inline(__always)
    mutating func breakWord() {
        guard !units.isEmpty else { return }
        texts[units.count - 1].breakWord()
    }

    /// Adds a marked-up token to the innermost unit.
    mutating func appendToken(_ token: MarkedToken) {
        guard !units.isEmpty else { return }
        if units[units.count - 1].tokens == nil { units[units.count - 1].tokens = [] }
        units[units.count - 1].tokens?.append(token)
    }

    /// Sets a metadata entry of the innermost unit.
    mutating func setMetadata(_ key: String, _ value: String) {
        guard !units.isEmpty else { return }
        units[units.count - 1].metadata.set(key, value)
    }

    /// Closes the innermost unit; returns it unless it has neither text nor tokens.
    mutating func close(file: String) -> TextUnit? {
        guard let unit = units.popLast() else { return nil }
        let text = texts[units.count].take()
        if text.isEmpty && (unit.tokens?.isEmpty ?? true) { return nil }
        return TextUnit(
            text: text, kind: unit.kind, tokens: unit.tokens, labels: unit.labels,
            storedMetadata: unit.metadata, position: SourcePosition(file: file, line: unit.line))
    }

    /// Closes the innermost unit; returns it unless it has neither text nor tokens. Its text stays in its buffer
    /// until `emit(_:file:into:)` hands it to a sink (nothing may be opened in between).
    mutating func closeKeepingText() -> OpenUnit? {
        guard let unit = units.popLast() else { return nil }
        if texts[units.count].isEmpty && (unit.tokens?.isEmpty ?? true) {
            texts[units.count].reset()
            return nil
        }
        return unit
    }

    /// Hands a unit `closeKeepingText()` returned to `sink`, with its text bytes, and clears its buffer.
    @inline(__always)
    mutating func emit<Sink: CorpusEventSink>(_ unit: OpenUnit, file: String, into sink: inout Sink) {
        let index = units.count
        texts[index].bytes.withUnsafeBufferPointer { sink.unit(unit, text: $0, file: file) }
        texts[index].reset()
    }
}
