/// The text units currently open while a profile reads, innermost last.
///
/// Nested units (a TEI `<s>` inside a `<p>`, a stage direction inside a line) each collect their own text: the inner
/// one is emitted when it closes, the outer one keeps only the text outside it, so nothing is lost or duplicated.
/// Units live in slots that are reused from unit to unit (a closed unit stays in its slot until the next one opens
/// there), and so do their text buffers: reading allocates only what the finished units keep, and a closed unit is
/// lent to a sink by address, never copied.
struct UnitStack {
    struct OpenUnit {
        var kind: UnitKind
        var line: Int
        var labels: [String: String]
        var metadata: UnitMetadata
        /// Marked-up tokens; empty when there are none (the unit's `tokens` is then nil).
        var markedTokens: [MarkedToken]
        /// For labels taken from an element other than the unit (an RTE `pair` labelling its `t` and `h`), a number
        /// of that element: statistics count such a label once per element, not once per unit.
        var labelOrigins: [String: Int] = [:]

        init(
            kind: UnitKind, line: Int, labels: [String: String], metadata: UnitMetadata, tokens: [MarkedToken]?
        ) {
            self.kind = kind
            self.line = line
            self.labels = labels
            self.metadata = metadata
            self.markedTokens = tokens ?? []
        }

        /// Tokens when the XML marks them up, nil otherwise.
        var tokens: [MarkedToken]? { markedTokens.isEmpty ? nil : markedTokens }

        /// The finished unit with `text`.
        func makeTextUnit(text: String, file: String) -> TextUnit {
            var unit = TextUnit(
                text: text, kind: kind, tokens: tokens, labels: labels, storedMetadata: metadata,
                position: SourcePosition(file: file, line: line))
            unit.labelOrigins = labelOrigins
            return unit
        }
    }

    /// Open units in `slots[0..<count]`; closed ones after them, kept for reuse.
    private var slots: [OpenUnit] = []
    private var texts: [TextAccumulator] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func open(_ unit: consuming OpenUnit) {
        if count == slots.count {
            slots.append(unit)
            texts.append(TextAccumulator())
        } else {
            slots[count] = unit
        }
        count += 1
    }

    /// Opens a unit of `kind` without labels, tokens or own metadata, inheriting `inherited`: the fast form of
    /// `open(_:)` for the built-in profiles, which overwrites only the fields of the reused slot that differ.
    @inline(__always)
    mutating func open(kind: UnitKind, line: Int, inheriting inherited: inout InheritedMetadata) {
        let context = inherited.context()
        if count == slots.count {
            open(
                OpenUnit(
                    kind: kind, line: line, labels: [:],
                    metadata: UnitMetadata(context: context, speech: inherited.speech), tokens: nil))
            return
        }
        let index = count
        let speechVersion = inherited.speech.version
        let speechChanged = slots.withUnsafeMutableBufferPointer { slots in
            let slot = slots.baseAddress! + index
            if slot.pointee.kind != kind { slot.pointee.kind = kind }
            slot.pointee.line = line
            if !slot.pointee.labels.isEmpty { slot.pointee.labels = [:] }
            if !slot.pointee.labelOrigins.isEmpty { slot.pointee.labelOrigins = [:] }
            if !slot.pointee.markedTokens.isEmpty { slot.pointee.markedTokens = [] }
            slot.pointee.metadata.reset(context: context)
            return slot.pointee.metadata.speech.version != speechVersion
        }
        // Most units reuse the slot of the previous unit of the same speech: its speech metadata stays as it is.
        if speechChanged { slots[index].metadata.speech = inherited.speech }
        count += 1
    }

    /// Sets the labels of the innermost unit.
    mutating func setLabels(_ labels: [String: String]) {
        guard count > 0 else { return }
        slots[count - 1].labels = labels
    }

    @inline(__always)
    mutating func append(_ text: UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        texts[count - 1].append(text)
    }

    /// Appends a tab to the innermost unit's text as content (not collapsed as whitespace).
    mutating func appendVerbatimTab() {
        guard count > 0 else { return }
        texts[count - 1].appendVerbatimTab()
    }

    @inline(__always)
    mutating func breakWord() {
        guard count > 0 else { return }
        texts[count - 1].breakWord()
    }

    /// Sets one label of the innermost unit.
    mutating func setLabel(_ name: String, _ value: String, origin: Int? = nil) {
        guard count > 0 else { return }
        slots[count - 1].labels[name] = value
        slots[count - 1].labelOrigins[name] = origin
    }

    /// Sets one metadata entry of the innermost unit by a run-time name (the slow path, for generic selectors; the
    /// built-in profiles use `setMetadata(_:_:)` with literal keys).
    mutating func setMetadataEntry(named name: String, _ value: String) {
        guard count > 0 else { return }
        var entries = slots[count - 1].metadata.dictionary
        entries[name] = value
        slots[count - 1].metadata = UnitMetadata(entries)
    }

    /// Adds a marked-up token to the innermost unit.
    mutating func appendToken(_ token: MarkedToken) {
        guard count > 0 else { return }
        slots[count - 1].markedTokens.append(token)
    }

    /// Sets a metadata entry of the innermost unit.
    mutating func setMetadata(_ key: StaticString, _ value: String) {
        guard count > 0 else { return }
        slots[count - 1].metadata.set(key, value)
    }

    /// Sets a metadata entry of the innermost unit from UTF-8 bytes (made a `String` only if someone reads it).
    @inline(__always)
    mutating func setMetadata(_ key: StaticString, utf8 value: UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        slots[count - 1].metadata.set(key, utf8: value)
    }

    /// Closes the innermost unit; returns it unless it has neither text nor tokens.
    mutating func close(file: String) -> TextUnit? {
        guard count > 0 else { return nil }
        count -= 1
        let text = texts[count].take()
        if text.isEmpty && slots[count].markedTokens.isEmpty { return nil }
        return slots[count].makeTextUnit(text: text, file: file)
    }

    /// Closes the innermost unit; true unless it has neither text nor tokens. Its text stays in its buffer until
    /// `emitClosed(file:into:)` hands the unit to a sink (nothing may be opened in between).
    mutating func closeKeepingText() -> Bool {
        guard count > 0 else { return false }
        count -= 1
        if texts[count].isEmpty && slots[count].markedTokens.isEmpty {
            texts[count].reset()
            return false
        }
        return true
    }

    /// Lends the unit `closeKeepingText()` just closed to `sink`, by address and with its text bytes, then clears
    /// its text buffer.
    @inline(__always)
    mutating func emitClosed<Sink: CorpusEventSink>(file: String, into sink: inout Sink) {
        let index = count
        slots.withUnsafeBufferPointer { units in
            texts[index].withBytes { sink.unit(units.baseAddress! + index, text: $0, file: file) }
        }
        texts[index].reset()
    }
}
