import CLibXML2
import Foundation

/// A forward-only XML reader on libxml2's SAX2 push parser: it never builds a tree, so memory does not grow with the
/// file, and it reads gzip-, xz- and bzip2-compressed files transparently.
///
/// The file is fed to libxml2 in 64 KiB chunks (`xmlParseChunk`); the SAX2 callbacks record each chunk's nodes
/// (names as pointers into the parser's dictionary, text and attribute values copied into one reused byte arena),
/// and `read()` then steps through them. This is libxml2's own streaming parser without `xmlTextReader`'s node
/// objects, so it is faster than `xmllint --stream`, which uses the text reader.
///
/// Call `read()` until it returns false; after each call the properties describe the current node. Adjacent
/// character data (text, CDATA sections, expanded entities) is one text node, as in `xmlTextReader`. A file that is
/// not well-formed makes `read()` throw a `CorpusError` with libxml2's message and the line and column where
/// libxml2 stopped, once the nodes before the error have been delivered: nothing after it is. Element names can be
/// compared without allocating: `intern(_:)` a name once, then test `isCurrentElement(_:)` at each node (names are
/// interned in the parser's dictionary, so this is a pointer test).
///
/// Source: libxml2's SAX2 interface (`xmlSAXHandler`, `startElementNs`, `xmlCreatePushParserCtxt`,
/// `xmlParseChunk`). The reader is not thread-safe; use one per thread.
public final class XMLStreamReader {
    /// The kind of the current node.
    public enum NodeKind: Sendable, Hashable {
        /// A start tag (or an empty-element tag: see `isEmptyElement`).
        case element
        /// An end tag.
        case endElement
        /// Character data, including CDATA sections and expanded entities.
        case text
        /// Whitespace-only character data between elements.
        case whitespace
        /// A comment.
        case comment
        /// A processing instruction.
        case processingInstruction
        /// The document type declaration.
        case documentType
        /// Anything else.
        case other
    }

    /// The file name used in messages (as the user gave it).
    public let fileName: String
    /// Warnings libxml2 reported so far (for example an external entity that was not loaded).
    public var warnings: [CorpusError] { diagnostics.warnings }
    /// The kind of the current node (valid after `read()` returned true).
    @inline(__always)
    public var nodeKind: NodeKind { state.pointee.currentKind }

    /// Whether libxml2's document-wide ID table is off for this reader (so memory stays constant on files with
    /// millions of `xml:id`s). Always true: the SAX2 callbacks build no tree, so no ID is ever registered.
    public let skipsIDRegistration = true

    private let context: xmlParserCtxtPtr
    /// Holds the buffer of the node being delivered: this reader's own, or, inside an XInclude, the included
    /// reader's. A pointer in plain memory rather than a `var` property: reading a class's `var` costs an
    /// exclusivity check at every node, which the accessors would pay on the hot path.
    private let activeState: UnsafeMutablePointer<UnsafeMutablePointer<SAXEventBuffer>>

    /// The buffer of the node being delivered.
    @inline(__always)
    private var state: UnsafeMutablePointer<SAXEventBuffer> {
        get { activeState.pointee }
        set { activeState.pointee = newValue }
    }
    /// This reader's own event buffer.
    private let ownState: UnsafeMutablePointer<SAXEventBuffer>
    /// Whether `xi:include` elements are replaced by the documents they name.
    private let processesXInclude: Bool
    /// The reader of the document an `xi:include` brought in, while its nodes are delivered.
    private var inclusion: XMLStreamReader?
    /// While positive, this reader's own nodes are skipped up to the end of the `xi:include` element at depth
    /// `skippedIncludeDepth - 1` (its fallback).
    private var skippedIncludeDepth: Int32 = 0
    /// The interned name `include`.
    private var includeName: UnsafePointer<UInt8>?
    /// The files of the enclosing inclusions, outermost first (a file that includes itself is an error).
    private var inclusionChain: [String] = []
    private let options: XMLReadingOptions
    private let diagnostics: ParseDiagnostics
    private let source: ChunkSource
    private let chunk: UnsafeMutablePointer<CChar>
    private var finished = false
    /// The first error, thrown once the nodes before it have been delivered.
    private var pendingError: CorpusError?
    private var fed = 0
    private let maximumDecompressionRatio: Int
    private let expansionAllowance: Int
    private let xmlPrefix: UnsafePointer<UInt8>?

    /// The size of the pieces the input is fed to libxml2 in.
    static let chunkSize = 1 << 16

    /// Opens a file (plain or gzip-compressed) for streaming.
    /// - Throws: `CorpusError.Kind.unreadable` when the file cannot be opened.
    public convenience init(contentsOfFile path: String, options: XMLReadingOptions = XMLReadingOptions()) throws {
        try self.init(contentsOfFile: path, options: options, includedBy: nil)
    }

    /// Opens a file; `includedBy` is the reader whose `xi:include` names it (the dictionary is shared, depths
    /// continue from the include element's).
    private convenience init(
        contentsOfFile path: String, options: XMLReadingOptions, includedBy parent: (XMLStreamReader, Int32)?
    ) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusError(.unreadable, file: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw CorpusError(.unreadable, file: path, message: "is a directory, not an XML file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CorpusError(.unreadable, file: path, message: "permission denied")
        }
        xmlInitParser()
        let compressedSize = Self.compressedSize(ofFile: path)
        if compressedSize?.isBzip2 == true {
            guard let handle = montague_bzip2_open(path) else {
                throw CorpusError(.unreadable, file: path, message: "not a readable bzip2 file")
            }
            try self.init(
                source: ChunkSource(bzip2: handle, compressedSize: compressedSize?.size), name: path,
                options: options, includedBy: parent)
            return
        }
        // libxml2's input layer decompresses gzip (and xz) files and reads plain ones as they are.
        guard let input = xmlParserInputBufferCreateFilename(path, XML_CHAR_ENCODING_NONE) else {
            throw CorpusError(.unreadable, file: path, message: "libxml2 could not open the file")
        }
        try self.init(
            source: ChunkSource(file: input, compressedSize: compressedSize?.size), name: path,
            options: options, includedBy: parent)
    }

    /// The size on disk of a gzip-, xz- or bzip2-compressed file (by its magic bytes), nil for other files.
    private static func compressedSize(ofFile path: String) -> (size: Int, isBzip2: Bool)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 6)) ?? Data())
        let isGzip = head.starts(with: [0x1F, 0x8B])
        let isXZ = head.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
        let isBzip2 = head.count >= 4 && head.starts(with: Array("BZh".utf8)) && head[3] &- 0x31 < 9
        guard isGzip || isXZ || isBzip2 else { return nil }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return (size, isBzip2)
    }

    /// Reads XML from bytes in memory; `name` is used in messages and as the base for relative references.
    public convenience init(
        bytes: some Collection<UInt8>, name: String, options: XMLReadingOptions = XMLReadingOptions()
    )
        throws
    {
        try self.init(source: ChunkSource(bytes: Array(bytes)), name: name, options: options, includedBy: nil)
    }

    private init(
        source: ChunkSource, name: String, options: XMLReadingOptions, includedBy parent: (XMLStreamReader, Int32)?
    ) throws {
        _ = restrictedEntityLoaderInstalled
        guard let context = xmlCreatePushParserCtxt(nil, nil, nil, 0, name) else {
            throw CorpusError(.unreadable, file: name, message: "libxml2 could not make a parser")
        }
        if let (parent, _) = parent, let shared = parent.context.pointee.dict {
            // An included document interns its names in the including one's dictionary, so that names compare by
            // pointer across both (as libxml2's own XInclude does); the context's cached names move with it.
            let own = context.pointee.dict
            context.pointee.dict = shared
            xmlDictReference(shared)
            context.pointee.str_xml = xmlDictLookup(shared, "xml", 3)
            context.pointee.str_xmlns = xmlDictLookup(shared, "xmlns", 5)
            context.pointee.str_xml_ns = xmlDictLookup(shared, "http://www.w3.org/XML/1998/namespace", 36)
            if let own { xmlDictFree(own) }
        }
        self.fileName = name
        self.context = context
        self.source = source
        self.diagnostics = ParseDiagnostics(fileName: name)
        self.chunk = UnsafeMutablePointer<CChar>.allocate(capacity: Self.chunkSize)
        self.ownState = UnsafeMutablePointer<SAXEventBuffer>.allocate(capacity: 1)
        self.activeState = .allocate(capacity: 1)
        activeState.initialize(to: ownState)
        self.options = options
        self.processesXInclude = options.processesXInclude
        ownState.initialize(
            to: SAXEventBuffer(
                diagnostics: Unmanaged.passUnretained(diagnostics), document: context, options: options))
        if let (parent, depth) = parent {
            ownState.pointee.depth = depth
            inclusionChain = parent.inclusionChain + [parent.fileName]
        }
        includeName = options.processesXInclude ? xmlDictLookup(context.pointee.dict, "include", 7) : nil
        maximumDecompressionRatio = options.maximumDecompressionRatio
        expansionAllowance = options.expansionAllowance
        xmlPrefix = xmlDictLookup(context.pointee.dict, "xml", 3)
        xmlCtxtUseOptions(context, options.parserFlags)
        state.pointee.completeAttributes = context.pointee.loadsubset & XML_COMPLETE_ATTRS != 0
        context.pointee._private = UnsafeMutableRawPointer(state)
        LiveReaders.insert(UnsafeMutableRawPointer(state))
        installHandlers()
        if let encoding = options.encodingOverride {
            guard let handler = xmlFindCharEncodingHandler(encoding) else {
                throw CorpusError(.unreadable, file: name, message: "unknown encoding '\(encoding)'")
            }
            xmlSwitchToEncoding(context, handler)
        }
    }

    deinit {
        LiveReaders.remove(UnsafeMutableRawPointer(ownState))
        if let document = context.pointee.myDoc {
            xmlFreeDoc(document)
            context.pointee.myDoc = nil
        }
        xmlFreeParserCtxt(context)
        ownState.pointee.deallocate()
        ownState.deinitialize(count: 1)
        ownState.deallocate()
        activeState.deallocate()
        chunk.deallocate()
    }

    /// Replaces the tree-building callbacks of the context's default SAX2 handler by ones that record events;
    /// the DTD callbacks (entity and attribute-list declarations) stay libxml2's, so entities expand as before.
    private func installHandlers() {
        guard let sax = context.pointee.sax else { return }
        sax.pointee.startElement = nil
        sax.pointee.endElement = nil
        sax.pointee.startElementNs = saxStartElement
        sax.pointee.endElementNs = saxEndElement
        sax.pointee.characters = saxCharacters
        sax.pointee.ignorableWhitespace = saxCharacters
        if sax.pointee.cdataBlock != nil { sax.pointee.cdataBlock = saxCharacters }
        sax.pointee.comment = saxComment
        sax.pointee.processingInstruction = saxProcessingInstruction
        state.pointee.defaultInternalSubset = sax.pointee.internalSubset
        sax.pointee.internalSubset = saxInternalSubset
        state.pointee.defaultGetEntity = sax.pointee.getEntity
        sax.pointee.getEntity = saxGetEntity
        sax.pointee.reference = nil
        sax.pointee.warning = nil
        sax.pointee.error = nil
        sax.pointee.serror = saxError
        sax.pointee.initialized = UInt32(XML_SAX2_MAGIC)
    }

    /// Moves to the next node; returns false at the end of the document.
    /// - Throws: `CorpusError.Kind.notWellFormed` with libxml2's message, line and column, when the document is not
    ///   well-formed (or exceeds libxml2's entity-expansion limits).
    @inline(__always)
    public func read() throws -> Bool {
        // The cursor lives in `state` (plain memory): no exclusivity check per node, as a stored property would cost.
        let state = self.state
        state.pointee.cursor += 1
        if state.pointee.cursor < state.pointee.deliverable {
            state.pointee.currentKind = state.pointee.kind(at: state.pointee.cursor)
            if processesXInclude { return try arrived() }
            return true
        }
        return try refill()
    }

    /// Moves on when the buffer of the current node is used up: to the included document's next node, back to this
    /// document after an inclusion, or to this document's next chunk.
    private func refill() throws -> Bool {
        guard processesXInclude else { return try refillOwn() }
        if let included = inclusion {
            if try included.refill() {
                state = included.state
                return true
            }
            diagnostics.adopt(included.warnings)
            inclusion = nil
            state = ownState
            return try read()
        }
        guard try refillOwn() else { return false }
        return try arrived()
    }

    /// Called on every new node when XInclude is on: skips an include element's fallback, and replaces an include
    /// element by the document it names.
    private func arrived() throws -> Bool {
        if let included = inclusion {
            let moved = try included.arrived()
            state = included.state
            return moved
        }
        let event = ownState.pointee.events[ownState.pointee.cursor]
        if skippedIncludeDepth > 0 {
            if event.kind == .endElement, event.depth == skippedIncludeDepth - 1 { skippedIncludeDepth = 0 }
            return try read()
        }
        guard event.kind == .element, event.name == includeName, let namespace = event.namespace else { return true }
        let uri = String(cString: namespace)
        guard uri == "http://www.w3.org/2001/XInclude" || uri == "http://www.w3.org/2003/XInclude" else {
            return true
        }
        try include(at: event)
        return try read()
    }

    /// Opens the document an `xi:include` names (a local file, resolved against this document's directory and
    /// confined like external entities) and makes it deliver its nodes.
    private func include(at event: SAXEvent) throws {
        let line = Int(event.line)
        func failure(_ message: String) -> CorpusError {
            CorpusError(.unreadable, file: fileName, line: line, message: "XInclude: " + message)
        }
        guard let href = attribute("href"), !href.isEmpty else { throw failure("an include without href") }
        let parse = attribute("parse") ?? "xml"
        guard parse == "xml" else { throw failure("parse=\"\(parse)\" is not supported (only parse=\"xml\")") }
        guard attribute("xpointer") == nil else { throw failure("xpointer is not supported") }
        let reference = href.hasPrefix("/") || href.contains(":") ? href : directoryName(fileName) + "/" + href
        guard let resolved = resolvedLocalPath(reference) else {
            throw failure("'\(href)' is not a local file that exists (nothing is fetched from the network)")
        }
        if let root = ownState.pointee.resourceRoot, resolved != root, !resolved.hasPrefix(root + "/") {
            throw failure("'\(href)' lies outside \(root); --allow-entities-anywhere reads local files anywhere")
        }
        let chain = inclusionChain + [fileName]
        guard !chain.compactMap(resolvedLocalPath).contains(resolved), chain.count < 32 else {
            throw failure("'\(href)' includes itself")
        }
        var childOptions = options
        childOptions.externalResourceRoot = ownState.pointee.resourceRoot
        let included = try XMLStreamReader(
            contentsOfFile: resolved, options: childOptions, includedBy: (self, event.depth))
        if !event.isEmpty { skippedIncludeDepth = event.depth + 1 }
        inclusion = included
        // `read()` goes on with the included reader: make its first read start from its beginning.
        included.state.pointee.cursor = -1
        state = included.state
    }

    /// Parses chunks until there is a node to deliver or the input ends. After an error, the nodes libxml2 reported
    /// before it are still delivered; the next call throws.
    private func refillOwn() throws -> Bool {
        if let error = pendingError { throw error }
        let buffer = ownState
        buffer.pointee.keepOnly(from: buffer.pointee.deliverable)
        buffer.pointee.cursor = 0
        buffer.pointee.deliverable = 0
        while buffer.pointee.deliverable == 0 {
            if finished { return false }
            let count: Int
            do {
                count = try capturingContextlessErrors { () throws(ChunkSource.Failure) -> Int in
                    try source.read(into: chunk, capacity: Self.chunkSize)
                }
            } catch {
                throw located(.unreadable, error.message)
            }
            fed += count
            if let compressed = source.compressedSize, fed > expansionAllowance,
                fed / max(compressed, 1) >= maximumDecompressionRatio
            {
                throw located(
                    .resourceLimit,
                    "the compressed file expands to more than \(maximumDecompressionRatio) times its \(compressed) "
                        + "bytes (a compression bomb?); raise the limit with --max-decompression-ratio if the file "
                        + "is trusted")
            }
            buffer.pointee.inputBytes = fed
            if count == 0 { finished = true }
            let status = capturingContextlessErrors {
                xmlParseChunk(context, chunk, Int32(count), finished ? 1 : 0)
            }
            if diagnostics.errorFlag.pointee, let error = diagnostics.firstError {
                pendingError = error
                buffer.pointee.deliverable = min(buffer.pointee.eventsBeforeError, buffer.pointee.eventCount)
                if buffer.pointee.deliverable == 0 { throw error }
                break
            }
            if status != 0 || (finished && context.pointee.wellFormed == 0) {
                throw located(.notWellFormed, describe(libxml2Error: status))
            }
            let recorded = buffer.pointee.eventCount
            // A text node at the end of a chunk may go on in the next one.
            buffer.pointee.deliverable =
                !finished && recorded > 0 && buffer.pointee.isText(at: recorded - 1) ? recorded - 1 : recorded
        }
        buffer.pointee.currentKind = buffer.pointee.kind(at: 0)
        return true
    }

    /// Runs `body` (reading or parsing a chunk) with the errors libxml2 raises without a parser context (a failed
    /// encoding conversion, an I/O or decompression error) collected for the message instead of printed: they go to
    /// the thread's structured-error and generic handlers rather than the SAX2 one.
    private func capturingContextlessErrors<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let handler = __xmlStructuredError()
        let handlerContext = __xmlStructuredErrorContext()
        let savedHandler = handler?.pointee
        let savedContext = handlerContext?.pointee
        var savedGenericContext: UnsafeMutableRawPointer?
        let savedGeneric = montague_silenceGenericErrors(&savedGenericContext)
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(diagnostics).toOpaque(), contextlessError)
        defer {
            handler?.pointee = savedHandler
            handlerContext?.pointee = savedContext
            montague_restoreGenericErrors(savedGeneric, savedGenericContext)
        }
        return try body()
    }

    /// An error at libxml2's current position in the document.
    private func located(_ kind: CorpusError.Kind, _ message: String) -> CorpusError {
        let input = context.pointee.input
        return CorpusError(
            kind, file: fileName, line: Int(input?.pointee.line ?? 0), column: Int(input?.pointee.col ?? 0),
            message: message)
    }

    /// libxml2's reason for stopping in words: its last error's message when it has one (errors such as a failed
    /// encoding conversion reach only the global error state, not the structured-error callback), else a
    /// description of the error code.
    func describe(libxml2Error status: Int32) -> String {
        let code = status != 0 ? status : context.pointee.errNo
        if let detail = diagnostics.contextlessErrors.first {
            let reason =
                code == XML_ERR_INVALID_ENCODING.rawValue || code == XML_ERR_INVALID_CHAR.rawValue
                ? "the bytes are not valid in the document's encoding: " : ""
            return reason + detail
        }
        if context.pointee.lastError.code != 0, let message = context.pointee.lastError.message {
            return String(cString: message).trimmingWhitespace()
        }
        if let last = xmlGetLastError(), last.pointee.code == code, let message = last.pointee.message {
            return String(cString: message).trimmingWhitespace()
        }
        switch xmlParserErrors(rawValue: UInt32(bitPattern: code)) {
        case XML_ERR_INVALID_ENCODING, XML_ERR_INVALID_CHAR:
            return "the bytes are not valid in the document's encoding (conversion to UTF-8 failed)"
        case XML_ERR_UNSUPPORTED_ENCODING, XML_ERR_UNKNOWN_ENCODING:
            return "the document's encoding is not supported"
        case XML_ERR_DOCUMENT_EMPTY:
            return "the document is empty"
        case XML_ERR_DOCUMENT_END:
            return "extra content at the end of the document"
        case XML_ERR_ENTITY_LOOP:
            return "entity references loop or expand too much"
        default:
            return "libxml2 stopped reading (error \(code))"
        }
    }

    @inline(__always)
    private var event: SAXEvent { state.pointee.events[state.pointee.cursor] }

    /// Depth of the current node (the root element is at depth 0).
    public var depth: Int { Int(event.depth) }

    /// Whether the current element is written `<name/>` (no end-element node follows it).
    public var isEmptyElement: Bool { event.isEmpty }

    /// The local name of the current element (without prefix), or a processing instruction's target; empty for
    /// nodes without a name.
    public var localName: String { event.name.map { String(cString: $0) } ?? "" }

    /// The namespace URI of the current element, if it has one.
    public var namespaceURI: String? { event.namespace.map { String(cString: $0) } }

    /// The text of the current text, comment or processing-instruction node (empty for other nodes).
    public var value: String { withValueBytes { String(decoding: $0, as: UTF8.self) } }

    /// Calls `body` with the UTF-8 bytes of the current node's value (text nodes), without copying them.
    @inline(__always)
    public func withValueBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let event = self.event
        return try body(
            UnsafeBufferPointer(start: state.pointee.bytes + event.valueStart, count: event.valueCount))
    }

    /// The value of an attribute of the current element by qualified name (`"n"`, `"xml:lang"`), or nil.
    public func attribute(_ qualifiedName: String) -> String? {
        let parts = qualifiedName.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let local = String(parts.last ?? "")
        guard let name = xmlDictExists(context.pointee.dict, local, Int32(local.utf8.count)) else { return nil }
        var prefix: UnsafePointer<UInt8>?
        if parts.count == 2 {
            let written = String(parts[0])
            guard let interned = xmlDictExists(context.pointee.dict, written, Int32(written.utf8.count)) else {
                return nil
            }
            prefix = interned
        }
        return attributeValue(name: name, prefix: prefix)
    }

    /// The value of the current element's attribute named `name` (interned with `intern(_:)`), without a namespace,
    /// or in the XML namespace (`xml:id`, `xml:lang`) when `inXMLNamespace` is true; nil when the element has no
    /// such attribute.
    ///
    /// One pass over the element's attributes comparing interned names: the fast form of `attribute(_:)` for hot
    /// paths. Attributes a DTD declares with a default value count, as in libxml2's own lookup.
    @inline(__always)
    public func attribute(_ name: InternedName, inXMLNamespace: Bool = false) -> String? {
        attributeBytes(name, inXMLNamespace: inXMLNamespace).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The UTF-8 bytes of the current element's attribute `name` (as `attribute(_:inXMLNamespace:)` finds it), or
    /// nil: no `String` is made. The bytes are the reader's and valid only until the next `read()`.
    @inline(__always)
    func attributeBytes(_ name: InternedName, inXMLNamespace: Bool = false) -> UnsafeBufferPointer<UInt8>? {
        guard let wanted = name.pointer else { return nil }
        return attributeBytes(name: wanted, prefix: inXMLNamespace ? xmlPrefix : nil)
    }

    @inline(__always)
    private func attributeValue(name: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?) -> String? {
        attributeBytes(name: name, prefix: prefix).map { String(decoding: $0, as: UTF8.self) }
    }

    /// One pass over the current element's attributes comparing interned names (all names come from the parser's
    /// dictionary: equal names are equal pointers).
    @inline(__always)
    private func attributeBytes(name: UnsafePointer<UInt8>, prefix: UnsafePointer<UInt8>?)
        -> UnsafeBufferPointer<UInt8>?
    {
        let buffer = state
        let event = buffer.pointee.events[buffer.pointee.cursor]
        guard event.kind == .element else { return nil }
        let end = event.attributeStart + event.attributeCount
        var position = event.attributeStart
        let attributes = buffer.pointee.attributes
        while position < end {
            let attribute = attributes[position]
            position += 1
            guard attribute.name == name, attribute.prefix == prefix else { continue }
            return UnsafeBufferPointer(
                start: buffer.pointee.bytes + attribute.valueStart, count: attribute.valueCount)
        }
        return nil
    }

    /// All attributes of the current element as (qualified name, value), in document order (namespace
    /// declarations excluded; DTD defaults only when local DTDs are loaded).
    public func attributes() -> [(name: String, value: String)] {
        let event = self.event
        guard event.kind == .element else { return [] }
        let buffer = state
        var result: [(name: String, value: String)] = []
        for position in event.attributeStart..<event.attributeStart + event.attributeCount {
            let attribute = buffer.pointee.attributes[position]
            if attribute.isDefault && !buffer.pointee.completeAttributes { continue }
            let local = attribute.name.map { String(cString: $0) } ?? ""
            let name = attribute.prefix.map { String(cString: $0) + ":" + local } ?? local
            let value = String(
                decoding: UnsafeBufferPointer(
                    start: buffer.pointee.bytes + attribute.valueStart, count: attribute.valueCount),
                as: UTF8.self)
            result.append((name, value))
        }
        return result
    }

    /// Adds a warning of a profile at the current node's line (reported with libxml2's warnings).
    func warn(_ message: String) {
        diagnostics.recordWarning(message: message, line: line, column: 0)
    }

    /// The 1-based line on which libxml2 was when it reported the current node (for an element, the line of the end
    /// of its start tag, as in `xmlTextReader`); 0 when unknown.
    public var line: Int { max(0, Int(event.line)) }

    /// How many bytes of the (decompressed) input have been given to libxml2 so far: for progress reports.
    public var bytesConsumed: Int { fed }

    /// The encoding libxml2 detected or was told (nil before it knows).
    public var encoding: String? {
        if let name = context.pointee.input?.pointee.encoding { return String(cString: name) }
        if let name = context.pointee.encoding { return String(cString: name) }
        return nil
    }

    /// Interns `name` in the parser's dictionary, for allocation-free comparisons with `isCurrentElement(_:)`.
    public func intern(_ name: String) -> InternedName {
        // The dictionary keeps the string for the reader's whole life.
        InternedName(pointer: xmlDictLookup(context.pointee.dict, name, Int32(name.utf8.count)))
    }

    /// The current node's local name as an interned name (pointer identity with `intern(_:)` results).
    @inline(__always)
    public var internedLocalName: InternedName { InternedName(pointer: event.name) }

    /// The current node's namespace URI as an interned name, or nil.
    @inline(__always)
    public var internedNamespaceURI: InternedName? { event.namespace.map { InternedName(pointer: $0) } }

    /// Whether the current node's local name is `name` (a pointer comparison: names live in one dictionary).
    @inline(__always)
    public func isCurrentElement(_ name: InternedName) -> Bool { event.name == name.pointer }
}

/// A name interned in one `XMLStreamReader`'s dictionary: equal names have equal pointers within that reader.
/// Valid only while the reader that made it is alive.
public struct InternedName: Hashable {
    let pointer: UnsafePointer<UInt8>?

    /// The name as a string.
    public var string: String { pointer.map { String(cString: $0) } ?? "" }
}

/// Where the reader's bytes come from: libxml2's input layer on a file (it decompresses gzip), or a copy of bytes
/// given in memory.
private final class ChunkSource {
    /// A read that failed, with the reason in words.
    struct Failure: Error {
        let message: String
    }

    private let input: xmlParserInputBufferPtr?
    private let bzip2: UnsafeMutableRawPointer?
    private let bytes: [UInt8]
    private var offset = 0
    /// The size of the file on disk when it is compressed (gzip or xz), nil otherwise.
    let compressedSize: Int?

    init(file input: xmlParserInputBufferPtr, compressedSize: Int?) {
        self.input = input
        self.bzip2 = nil
        self.bytes = []
        self.compressedSize = compressedSize
    }

    init(bzip2 handle: UnsafeMutableRawPointer, compressedSize: Int?) {
        self.input = nil
        self.bzip2 = handle
        self.bytes = []
        self.compressedSize = compressedSize
    }

    init(bytes: [UInt8]) {
        self.input = nil
        self.bzip2 = nil
        self.bytes = bytes
        self.compressedSize = nil
    }

    deinit { close() }

    /// Reads up to `capacity` bytes; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) throws(Failure) -> Int {
        if let input {
            guard let read = input.pointee.readcallback else { return 0 }
            let count = read(input.pointee.context, buffer, Int32(capacity))
            guard count >= 0 else {
                throw Failure(
                    message: compressedSize == nil
                        ? "the file could not be read to its end"
                        : "the compressed data is truncated or corrupt (decompression failed)")
            }
            return Int(count)
        }
        if let bzip2 {
            let count = montague_bzip2_read(bzip2, buffer, Int32(capacity))
            guard count >= 0 else {
                throw Failure(message: "the compressed data is truncated or corrupt (bzip2 decompression failed)")
            }
            return Int(count)
        }
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress {
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: count)
            }
        }
        offset += count
        return count
    }

    private func close() {
        if let input { xmlFreeParserInputBuffer(input) }
        if let bzip2 { montague_bzip2_close(bzip2) }
    }
}

/// The thread's structured-error handler while a reader parses a chunk: `context` is the reader's diagnostics.
private func contextlessError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    Unmanaged<ParseDiagnostics>.fromOpaque(context).takeUnretainedValue().recordContextless(error.pointee)
}

/// Collects libxml2's structured errors for one reader.
final class ParseDiagnostics {
    let fileName: String
    /// External entities and resources already reported (once each per file).
    var reportedEntities: Set<String> = []
    /// The resolved directory external resources must lie in; nil when they may come from anywhere.
    var resourceRoot: String?
    private(set) var firstError: CorpusError?
    private(set) var warnings: [CorpusError] = []
    /// True once `firstError` is set.
    let errorFlag: UnsafeMutablePointer<Bool>

    init(fileName: String) {
        self.fileName = fileName
        errorFlag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        errorFlag.initialize(to: false)
    }

    deinit { errorFlag.deallocate() }

    func record(_ error: xmlError, line: Int? = nil, column: Int? = nil, entity: String? = nil) {
        var message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error (code \(error.code))"
        message = message.trimmingWhitespace()
        if let entity {
            message += " (in the replacement text of entity '\(entity)')"
        } else if line != nil {
            message += " (in an entity's replacement text)"
        }
        let level = error.level.rawValue
        // Errors in an external entity or DTD name that file; everything else is the user's file.
        var file = fileName
        if let errorFile = error.file.map({ String(cString: $0) }), !errorFile.isEmpty,
            !errorFile.hasSuffix(fileName), !fileName.hasSuffix(errorFile)
        {
            file = errorFile
        }
        let diagnostic = CorpusError(
            .notWellFormed, file: file, line: line ?? Int(error.line), column: column ?? Int(error.int2),
            message: message)
        if level >= XML_ERR_ERROR.rawValue {
            recordError(diagnostic)
        } else {
            recordWarning(diagnostic)
        }
    }

    /// Messages of errors libxml2 raised without a parser context (encoding conversion, I/O), first ones first.
    private(set) var contextlessErrors: [String] = []

    /// Keeps the message of an error raised without a parser context.
    func recordContextless(_ error: xmlError) {
        guard contextlessErrors.count < 4, let message = error.message else { return }
        contextlessErrors.append(String(cString: message).trimmingWhitespace())
    }

    /// Records a limit the reader enforces (depth, text length, amplification) as the error.
    func recordLimit(message: String, line: Int, column: Int) {
        recordError(CorpusError(.resourceLimit, file: fileName, line: line, column: column, message: message))
    }

    /// Records a warning of the reader's own at a position of the document.
    func recordWarning(message: String, line: Int, column: Int) {
        recordWarning(CorpusError(.notWellFormed, file: fileName, line: line, column: column, message: message))
    }

    private func recordError(_ diagnostic: CorpusError) {
        if firstError == nil {
            firstError = diagnostic
            errorFlag.pointee = true
        }
    }

    /// Takes over the warnings of an included document's reader.
    func adopt(_ included: [CorpusError]) {
        for warning in included { recordWarning(warning) }
    }

    private func recordWarning(_ diagnostic: CorpusError) {
        if warnings.count < 100 { warnings.append(diagnostic) }
    }
}
