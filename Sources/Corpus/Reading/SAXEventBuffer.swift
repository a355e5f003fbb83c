import CLibXML2

/// One node recorded by the SAX2 callbacks: names are pointers into the parser's dictionary (they live as long as the
/// parser), values are ranges of the buffer's byte arena.
struct SAXEvent {
    var kind: XMLStreamReader.NodeKind
    var isEmpty: Bool
    var depth: Int32
    var line: Int32
    var name: UnsafePointer<UInt8>?
    var namespace: UnsafePointer<UInt8>?
    var valueStart: Int32
    var valueCount: Int32
    var attributeStart: Int32
    var attributeCount: Int32
}

/// One attribute of a recorded start tag.
struct SAXAttribute {
    var name: UnsafePointer<UInt8>?
    var prefix: UnsafePointer<UInt8>?
    var valueStart: Int32
    var valueCount: Int32
    /// Supplied by a DTD's attribute-list declaration, not written in the tag.
    var isDefault: Bool
}

/// The nodes of one parsed chunk, as the SAX2 callbacks record them for `XMLStreamReader`.
///
/// Plain memory behind a pointer (the parser context's `_private`), not a class: the callbacks run once per node and
/// must cost no reference counting or exclusivity check. Storage grows to the largest chunk's needs and is reused.
struct SAXEventBuffer {
    private(set) var events: UnsafeMutablePointer<SAXEvent>
    private(set) var eventCount = 0
    private var eventCapacity = 4096
    private(set) var attributes: UnsafeMutablePointer<SAXAttribute>
    private var attributeCount = 0
    private var attributeCapacity = 4096
    private(set) var bytes: UnsafeMutablePointer<UInt8>
    private var byteCount = 0
    private var byteCapacity = 1 << 17
    /// Open elements.
    var depth: Int32 = 0
    /// The reader's current event (its cursor lives here, in plain memory, rather than in a class property).
    var cursor = -1
    /// How many of the recorded events may be delivered (the last text node waits for the next chunk, which may
    /// continue it).
    var deliverable = 0
    /// The kind of the current event.
    var currentKind: XMLStreamReader.NodeKind = .other
    /// How many events were recorded when libxml2 reported the first error (`Int.max` before).
    private(set) var eventsBeforeError = Int.max
    /// Whether DTD default attributes count as written ones (`XML_PARSE_DTDATTR`).
    var completeAttributes = false
    /// libxml2's own internal-subset callback (it declares the DTD so that entities resolve).
    var defaultInternalSubset: internalSubsetSAXFunc?
    let diagnostics: Unmanaged<ParseDiagnostics>

    init(diagnostics: Unmanaged<ParseDiagnostics>) {
        self.diagnostics = diagnostics
        events = .allocate(capacity: eventCapacity)
        attributes = .allocate(capacity: attributeCapacity)
        bytes = .allocate(capacity: byteCapacity)
    }

    /// Frees the storage (the reader calls this once, when it goes away).
    func deallocate() {
        events.deallocate()
        attributes.deallocate()
        bytes.deallocate()
    }

    /// The kind of event `index`, telling whitespace-only text from text.
    @inline(__always)
    func kind(at index: Int) -> XMLStreamReader.NodeKind {
        let event = events[index]
        guard event.kind == .text else { return event.kind }
        var position = bytes + Int(event.valueStart)
        let end = position + Int(event.valueCount)
        while position < end {
            let byte = position.pointee
            if !(byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D) { return .text }
            position += 1
        }
        return .whitespace
    }

    /// Whether event `index` is character data.
    func isText(at index: Int) -> Bool { events[index].kind == .text }

    /// Forgets the delivered events; the one left after `index` (a text node that may go on) moves to the front.
    mutating func keepOnly(from index: Int) {
        attributeCount = 0
        guard index < eventCount else {
            eventCount = 0
            byteCount = 0
            return
        }
        var kept = events[index]
        let count = Int(kept.valueCount)
        (bytes).update(from: bytes + Int(kept.valueStart), count: count)
        kept.valueStart = 0
        events[0] = kept
        eventCount = 1
        byteCount = count
    }

    /// Copies `count` bytes into the arena and returns where they start.
    @inline(__always)
    mutating func appendBytes(_ source: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        if byteCount + count > byteCapacity { growBytes(byteCount + count) }
        (bytes + byteCount).update(from: source, count: count)
        let start = byteCount
        byteCount += count
        return Int32(truncatingIfNeeded: start)
    }

    private mutating func growBytes(_ needed: Int) {
        Self.grow(&bytes, count: byteCount, capacity: &byteCapacity, toHold: needed)
    }

    /// Moves the `count` elements of `storage` into a buffer at least twice as large that holds `needed`.
    private static func grow<Element>(
        _ storage: inout UnsafeMutablePointer<Element>, count: Int, capacity: inout Int, toHold needed: Int
    ) {
        var grownCapacity = capacity * 2
        while grownCapacity < needed { grownCapacity *= 2 }
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: grownCapacity)
        grown.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = grownCapacity
    }

    @inline(__always)
    mutating func append(_ event: SAXEvent) {
        if eventCount == eventCapacity {
            Self.grow(&events, count: eventCount, capacity: &eventCapacity, toHold: eventCount + 1)
        }
        (events + eventCount).initialize(to: event)
        eventCount += 1
    }

    @inline(__always)
    mutating func append(_ attribute: SAXAttribute) -> Int32 {
        if attributeCount == attributeCapacity {
            Self.grow(&attributes, count: attributeCount, capacity: &attributeCapacity, toHold: attributeCount + 1)
        }
        (attributes + attributeCount).initialize(to: attribute)
        attributeCount += 1
        return Int32(truncatingIfNeeded: attributeCount - 1)
    }

    /// Where the next attribute goes.
    var nextAttribute: Int32 { Int32(truncatingIfNeeded: attributeCount) }

    /// Appends character data, extending the last event when it is text that ends the arena.
    @inline(__always)
    mutating func appendText(_ source: UnsafePointer<UInt8>, _ count: Int, line: Int32) {
        if eventCount > 0 {
            let last = events + (eventCount - 1)
            if last.pointee.kind == .text, Int(last.pointee.valueStart) + Int(last.pointee.valueCount) == byteCount {
                _ = appendBytes(source, count)
                last.pointee.valueCount += Int32(truncatingIfNeeded: count)
                return
            }
        }
        let start = appendBytes(source, count)
        append(
            SAXEvent(
                kind: .text, isEmpty: false, depth: depth, line: line, name: nil, namespace: nil, valueStart: start,
                valueCount: Int32(truncatingIfNeeded: count), attributeStart: 0, attributeCount: 0))
    }

    /// Records the first error's position among the events.
    mutating func noteError() {
        if eventsBeforeError == Int.max { eventsBeforeError = eventCount }
    }

    /// Marks the last event empty (`<name/>`) when it is the start tag of `name` at the current depth.
    @inline(__always)
    mutating func closeEmptyElement(_ name: UnsafePointer<UInt8>?) -> Bool {
        guard eventCount > 0 else { return false }
        let last = events + (eventCount - 1)
        guard last.pointee.kind == .element, last.pointee.depth == depth, last.pointee.name == name else {
            return false
        }
        last.pointee.isEmpty = true
        return true
    }
}

// MARK: - The SAX2 callbacks (C function pointers: no captures; the buffer is the context's `_private`).

@inline(__always)
private func eventBuffer(_ context: UnsafeMutableRawPointer?) -> (
    xmlParserCtxtPtr, UnsafeMutablePointer<SAXEventBuffer>
)? {
    guard let parser = context?.assumingMemoryBound(to: xmlParserCtxt.self),
        let buffer = parser.pointee._private?.assumingMemoryBound(to: SAXEventBuffer.self)
    else { return nil }
    return (parser, buffer)
}

@inline(__always)
private func currentLine(_ parser: xmlParserCtxtPtr) -> Int32 { parser.pointee.input?.pointee.line ?? 0 }

@inline(__always)
private func length(_ text: UnsafePointer<UInt8>?) -> Int {
    guard let text else { return 0 }
    return Int(xmlStrlen(text))
}

func saxStartElement(
    _ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?,
    _ uri: UnsafePointer<UInt8>?, _ namespaceCount: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<UInt8>?>?, _ attributeCount: Int32, _ defaultedCount: Int32,
    _ attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
) {
    guard let (parser, buffer) = eventBuffer(context) else { return }
    let firstAttribute = buffer.pointee.nextAttribute
    let count = Int(attributeCount)
    if count > 0, let attributes {
        let firstDefault = count - Int(defaultedCount)
        for index in 0..<count {
            let fields = attributes + 5 * index
            var start: Int32 = 0
            var valueCount = 0
            if let value = fields[3], let end = fields[4] {
                valueCount = end - value
                start = buffer.pointee.appendBytes(value, valueCount)
            }
            _ = buffer.pointee.append(
                SAXAttribute(
                    name: fields[0], prefix: fields[1], valueStart: start,
                    valueCount: Int32(truncatingIfNeeded: valueCount), isDefault: index >= firstDefault))
        }
    }
    buffer.pointee.append(
        SAXEvent(
            kind: .element, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(parser), name: localName,
            namespace: uri, valueStart: 0, valueCount: 0, attributeStart: firstAttribute,
            attributeCount: Int32(truncatingIfNeeded: count)))
    buffer.pointee.depth += 1
}

func saxEndElement(
    _ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?,
    _ uri: UnsafePointer<UInt8>?
) {
    guard let (parser, buffer) = eventBuffer(context) else { return }
    buffer.pointee.depth -= 1
    // An empty-element tag: libxml2 reports its end right after skipping the "/>" that ends the start tag.
    if let input = parser.pointee.input, let cursor = input.pointee.cur, let base = input.pointee.base,
        cursor - base >= 2, cursor[-1] == UInt8(ascii: ">"), cursor[-2] == UInt8(ascii: "/"),
        buffer.pointee.closeEmptyElement(localName)
    {
        return
    }
    buffer.pointee.append(
        SAXEvent(
            kind: .endElement, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(parser), name: localName,
            namespace: uri, valueStart: 0, valueCount: 0, attributeStart: 0, attributeCount: 0))
}

func saxCharacters(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<UInt8>?, _ count: Int32) {
    guard count > 0, let text, let (parser, buffer) = eventBuffer(context) else { return }
    buffer.pointee.appendText(text, Int(count), line: currentLine(parser))
}

func saxComment(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<UInt8>?) {
    guard let (parser, buffer) = eventBuffer(context) else { return }
    let count = length(text)
    let start = text.map { buffer.pointee.appendBytes($0, count) } ?? 0
    buffer.pointee.append(
        SAXEvent(
            kind: .comment, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(parser), name: nil,
            namespace: nil, valueStart: start, valueCount: Int32(truncatingIfNeeded: count), attributeStart: 0,
            attributeCount: 0))
}

func saxProcessingInstruction(
    _ context: UnsafeMutableRawPointer?, _ target: UnsafePointer<UInt8>?, _ data: UnsafePointer<UInt8>?
) {
    guard let (parser, buffer) = eventBuffer(context) else { return }
    let count = length(data)
    let start = data.map { buffer.pointee.appendBytes($0, count) } ?? 0
    buffer.pointee.append(
        SAXEvent(
            kind: .processingInstruction, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(parser),
            name: target, namespace: nil, valueStart: start, valueCount: Int32(truncatingIfNeeded: count),
            attributeStart: 0, attributeCount: 0))
}

func saxInternalSubset(
    _ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<UInt8>?, _ externalID: UnsafePointer<UInt8>?,
    _ systemID: UnsafePointer<UInt8>?
) {
    guard let (parser, buffer) = eventBuffer(context) else { return }
    buffer.pointee.defaultInternalSubset?(context, name, externalID, systemID)
    buffer.pointee.append(
        SAXEvent(
            kind: .documentType, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(parser), name: name,
            namespace: nil, valueStart: 0, valueCount: 0, attributeStart: 0, attributeCount: 0))
}

func saxError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let (_, buffer) = eventBuffer(context) else { return }
    buffer.pointee.diagnostics.takeUnretainedValue().record(error.pointee)
    if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue { buffer.pointee.noteError() }
}
