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
    /// Offsets and lengths are full-width: a chunk whose entities expand past 2 GiB must not wrap them (the
    /// reader's limits stop such input long before, but the arithmetic does not rely on that).
    var valueStart: Int
    var valueCount: Int
    var attributeStart: Int
    var attributeCount: Int
}

/// One attribute of a recorded start tag.
struct SAXAttribute {
    var name: UnsafePointer<UInt8>?
    var prefix: UnsafePointer<UInt8>?
    var valueStart: Int
    var valueCount: Int
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
    /// libxml2's own entity lookup (wrapped to warn about external entities that are not loaded).
    var defaultGetEntity: getEntitySAXFunc?
    let diagnostics: Unmanaged<ParseDiagnostics>
    /// The document's parser context. Entity content is parsed in contexts of its own that share this buffer; lines,
    /// columns and the stop request always refer to this one.
    let document: xmlParserCtxtPtr
    /// Set once a limit stopped the parser: the callbacks then record nothing more.
    private(set) var isStopped = false
    /// The deepest nesting accepted.
    let maximumDepth: Int32
    /// The longest text node accepted, in bytes.
    let maximumTextBytes: Int
    /// The amplification factor allowed past the allowance.
    let maximumAmplification: Int
    /// Whether external DTDs and entities are loaded (otherwise a referenced external entity is a warning).
    let loadsExternalResources: Bool
    /// Bytes of the document given to libxml2 so far (the reader updates it before each chunk).
    var inputBytes = 0
    /// Bytes recorded over the whole document (text, attribute values, comments).
    private var outputBytes = 0
    /// Recorded bytes beyond which the amplification check runs.
    private var outputCheckpoint: Int
    /// The output always allowed.
    private let expansionAllowance: Int
    /// The resolved directory external resources must lie in; nil when they may come from anywhere. (Kept by the
    /// diagnostics object: this struct holds no reference-counted field, so copying it costs no retain.)
    var resourceRoot: String? { diagnostics.takeUnretainedValue().resourceRoot }

    init(diagnostics: Unmanaged<ParseDiagnostics>, document: xmlParserCtxtPtr, options: XMLReadingOptions) {
        self.diagnostics = diagnostics
        self.document = document
        maximumDepth = Int32(clamping: options.maximumDepth)
        maximumTextBytes = options.maximumTextBytes
        maximumAmplification = options.maximumAmplification
        expansionAllowance = options.expansionAllowance
        outputCheckpoint = options.expansionAllowance
        loadsExternalResources = options.allowLocalExternalResources
        if !options.allowExternalResourcesAnywhere {
            let fileName = diagnostics.takeUnretainedValue().fileName
            let directory = options.externalResourceRoot ?? directoryName(fileName)
            // A root that does not resolve admits nothing: "/nonexistent" matches no existing file.
            diagnostics.takeUnretainedValue().resourceRoot =
                resolvedLocalPath(directory) ?? "/nonexistent-montague-root"
        }
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
        var position = bytes + event.valueStart
        let end = position + event.valueCount
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
        let count = kept.valueCount
        (bytes).update(from: bytes + kept.valueStart, count: count)
        kept.valueStart = 0
        events[0] = kept
        eventCount = 1
        byteCount = count
    }

    /// Copies `count` bytes into the arena and returns where they start.
    @inline(__always)
    mutating func appendBytes(_ source: UnsafePointer<UInt8>, _ count: Int) -> Int {
        if byteCount + count > byteCapacity { growBytes(byteCount + count) }
        (bytes + byteCount).update(from: source, count: count)
        let start = byteCount
        byteCount += count
        return start
    }

    /// Counts `count` more recorded bytes; false (and the parser stopped with a located error) when entity expansion
    /// has produced more than the allowed multiple of the input.
    @inline(__always)
    mutating func admit(_ count: Int) -> Bool {
        outputBytes += count
        if outputBytes <= outputCheckpoint { return true }
        return checkAmplification()
    }

    private mutating func checkAmplification() -> Bool {
        let product = maximumAmplification.multipliedReportingOverflow(by: max(inputBytes, 1))
        let sum = expansionAllowance.addingReportingOverflow(product.partialValue)
        let allowed = product.overflow || sum.overflow ? Int.max : sum.partialValue
        if outputBytes <= allowed {
            outputCheckpoint = allowed
            return true
        }
        stop(
            message: "entity expansion produced \(outputBytes) bytes from \(inputBytes) bytes of input, more than "
                + "\(maximumAmplification) times as much (a \"billion laughs\" file?); raise the limit with "
                + "--max-amplification if the file is trusted")
        return false
    }

    /// Stops the parser because a limit was exceeded, recording `message` at the document's current position (or,
    /// inside an entity, at the reference to it).
    mutating func stop(message: String) {
        guard !isStopped else { return }
        isStopped = true
        let input = document.pointee.input
        diagnostics.takeUnretainedValue().recordLimit(
            message: message, line: Int(input?.pointee.line ?? 0), column: Int(input?.pointee.col ?? 0))
        noteError()
        xmlStopParser(document)
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
    mutating func append(_ attribute: SAXAttribute) -> Int {
        if attributeCount == attributeCapacity {
            Self.grow(&attributes, count: attributeCount, capacity: &attributeCapacity, toHold: attributeCount + 1)
        }
        (attributes + attributeCount).initialize(to: attribute)
        attributeCount += 1
        return attributeCount - 1
    }

    /// Where the next attribute goes.
    var nextAttribute: Int { attributeCount }

    /// Appends character data, extending the last event when it is text that ends the arena.
    @inline(__always)
    mutating func appendText(_ source: UnsafePointer<UInt8>, _ count: Int, line: Int32) {
        guard admit(count) else { return }
        if eventCount > 0 {
            let last = events + (eventCount - 1)
            if last.pointee.kind == .text, last.pointee.valueStart + last.pointee.valueCount == byteCount {
                guard last.pointee.valueCount + count <= maximumTextBytes else {
                    stopForLongText()
                    return
                }
                _ = appendBytes(source, count)
                last.pointee.valueCount += count
                return
            }
        }
        guard count <= maximumTextBytes else {
            stopForLongText()
            return
        }
        let start = appendBytes(source, count)
        append(
            SAXEvent(
                kind: .text, isEmpty: false, depth: depth, line: line, name: nil, namespace: nil, valueStart: start,
                valueCount: count, attributeStart: 0, attributeCount: 0))
    }

    private mutating func stopForLongText() {
        stop(
            message: "a text node longer than \(maximumTextBytes) bytes (entities expanded); raise the limit with "
                + "--max-text-bytes if the file is trusted")
    }

    /// Reports an external resource refused because it lies outside the resource root (once per resource).
    mutating func refuseResource(_ reference: String, root: String) {
        guard diagnostics.takeUnretainedValue().reportedEntities.insert("\u{0}" + reference).inserted else { return }
        let input = document.pointee.input
        diagnostics.takeUnretainedValue().recordWarning(
            message: "external resource '\(reference)' not loaded: it lies outside \(root); "
                + "--allow-entities-anywhere reads local files anywhere",
            line: Int(input?.pointee.line ?? 0), column: Int(input?.pointee.col ?? 0))
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

/// The line the document's parser is on (inside an entity, the line of the reference to it).
@inline(__always)
private func currentLine(_ buffer: UnsafeMutablePointer<SAXEventBuffer>) -> Int32 {
    buffer.pointee.document.pointee.input?.pointee.line ?? 0
}

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
    guard let (_, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
    if buffer.pointee.depth >= buffer.pointee.maximumDepth {
        buffer.pointee.stop(
            message: "elements nested deeper than \(buffer.pointee.maximumDepth) levels; raise the limit with "
                + "--max-depth if the file is trusted")
        return
    }
    let firstAttribute = buffer.pointee.nextAttribute
    let count = Int(attributeCount)
    if count > 0, let attributes {
        let firstDefault = count - Int(defaultedCount)
        for index in 0..<count {
            let fields = attributes + 5 * index
            var start = 0
            var valueCount = 0
            if let value = fields[3], let end = fields[4] {
                valueCount = end - value
                guard buffer.pointee.admit(valueCount) else { return }
                start = buffer.pointee.appendBytes(value, valueCount)
            }
            _ = buffer.pointee.append(
                SAXAttribute(
                    name: fields[0], prefix: fields[1], valueStart: start, valueCount: valueCount,
                    isDefault: index >= firstDefault))
        }
    }
    buffer.pointee.append(
        SAXEvent(
            kind: .element, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(buffer), name: localName,
            namespace: uri, valueStart: 0, valueCount: 0, attributeStart: firstAttribute, attributeCount: count))
    buffer.pointee.depth += 1
}

func saxEndElement(
    _ context: UnsafeMutableRawPointer?, _ localName: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?,
    _ uri: UnsafePointer<UInt8>?
) {
    guard let (parser, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
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
            kind: .endElement, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(buffer), name: localName,
            namespace: uri, valueStart: 0, valueCount: 0, attributeStart: 0, attributeCount: 0))
}

func saxCharacters(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<UInt8>?, _ count: Int32) {
    guard count > 0, let text, let (_, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
    buffer.pointee.appendText(text, Int(count), line: currentLine(buffer))
}

func saxComment(_ context: UnsafeMutableRawPointer?, _ text: UnsafePointer<UInt8>?) {
    guard let (_, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
    let count = length(text)
    guard buffer.pointee.admit(count) else { return }
    let start = text.map { buffer.pointee.appendBytes($0, count) } ?? 0
    buffer.pointee.append(
        SAXEvent(
            kind: .comment, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(buffer), name: nil,
            namespace: nil, valueStart: start, valueCount: count, attributeStart: 0,
            attributeCount: 0))
}

func saxProcessingInstruction(
    _ context: UnsafeMutableRawPointer?, _ target: UnsafePointer<UInt8>?, _ data: UnsafePointer<UInt8>?
) {
    guard let (_, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
    let count = length(data)
    guard buffer.pointee.admit(count) else { return }
    let start = data.map { buffer.pointee.appendBytes($0, count) } ?? 0
    buffer.pointee.append(
        SAXEvent(
            kind: .processingInstruction, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(buffer),
            name: target, namespace: nil, valueStart: start, valueCount: count,
            attributeStart: 0, attributeCount: 0))
}

func saxInternalSubset(
    _ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<UInt8>?, _ externalID: UnsafePointer<UInt8>?,
    _ systemID: UnsafePointer<UInt8>?
) {
    guard let (_, buffer) = eventBuffer(context) else { return }
    buffer.pointee.defaultInternalSubset?(context, name, externalID, systemID)
    buffer.pointee.append(
        SAXEvent(
            kind: .documentType, isEmpty: false, depth: buffer.pointee.depth, line: currentLine(buffer), name: name,
            namespace: nil, valueStart: 0, valueCount: 0, attributeStart: 0, attributeCount: 0))
}

func saxError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let (parser, buffer) = eventBuffer(context), !buffer.pointee.isStopped else { return }
    let diagnostics = buffer.pointee.diagnostics.takeUnretainedValue()
    let document = buffer.pointee.document
    if parser != document, error.pointee.file == nil {
        // Inside an entity's replacement text: libxml2's line and column count from the start of that text. Point at
        // the reference instead (the document's parser stands just after it) and name the entity.
        diagnostics.record(
            error.pointee, line: Int(document.pointee.input?.pointee.line ?? 0),
            column: Int(document.pointee.input?.pointee.col ?? 0), entity: referencedEntityName(document))
    } else {
        diagnostics.record(error.pointee)
    }
    if error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue { buffer.pointee.noteError() }
}

/// The name of the entity reference that ends just before the document parser's position (`&name;`), if any.
private func referencedEntityName(_ document: xmlParserCtxtPtr) -> String? {
    guard let input = document.pointee.input, let cursor = input.pointee.cur, let base = input.pointee.base,
        cursor - base >= 3, cursor[-1] == UInt8(ascii: ";")
    else { return nil }
    var start = cursor - 2
    let lowest = max(base, cursor - 256)
    while start > lowest, start.pointee != UInt8(ascii: "&") { start -= 1 }
    guard start.pointee == UInt8(ascii: "&") else { return nil }
    return String(decoding: UnsafeBufferPointer(start: start + 1, count: cursor - 2 - start), as: UTF8.self)
}

/// libxml2's entity lookup, reporting once per entity and file an external entity that is referenced but not
/// loaded (external resources are off).
func saxGetEntity(_ context: UnsafeMutableRawPointer?, _ name: UnsafePointer<UInt8>?) -> xmlEntityPtr? {
    guard let (_, buffer) = eventBuffer(context) else { return nil }
    let entity = buffer.pointee.defaultGetEntity?(context, name)
    if let entity, !buffer.pointee.loadsExternalResources,
        entity.pointee.etype == XML_EXTERNAL_GENERAL_PARSED_ENTITY
    {
        let entityName = name.map { String(cString: $0) } ?? ""
        if buffer.pointee.diagnostics.takeUnretainedValue().reportedEntities.insert(entityName).inserted {
            let system = entity.pointee.SystemID.map { " (\"" + String(cString: $0) + "\")" } ?? ""
            let input = buffer.pointee.document.pointee.input
            buffer.pointee.diagnostics.takeUnretainedValue().recordWarning(
                message: "external entity '\(entityName)'\(system) not loaded: its references are left out; "
                    + "--allow-local-entities reads it from the corpus directory",
                line: Int(input?.pointee.line ?? 0), column: Int(input?.pointee.col ?? 0))
        }
    }
    return entity
}
