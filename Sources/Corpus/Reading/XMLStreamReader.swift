import CLibXML2
import Foundation

/// A forward-only XML reader on libxml2's `xmlTextReader`: it never builds the whole tree, so memory does not grow
/// with the file, and it reads gzip-compressed files transparently.
///
/// Call `read()` until it returns false; after each call the properties describe the current node. A file that is
/// not well-formed makes `read()` throw a `CorpusError` with libxml2's message and the line and column where
/// libxml2 stopped. Element names can be compared without allocating: `intern(_:)` a name once, then test
/// `isCurrentElement(_:)` at each node (names are interned in the reader's dictionary, so this is a pointer test).
///
/// The reader is not thread-safe; use one per thread.
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
        /// Anything else (entity boundaries, the XML declaration).
        case other
    }

    /// The file name used in messages (as the user gave it).
    public let fileName: String
    /// Warnings libxml2 reported so far (for example an external entity that was not loaded).
    public var warnings: [CorpusError] { diagnostics.warnings }
    /// The kind of the current node (valid after `read()` returned true).
    public private(set) var nodeKind: NodeKind = .other

    /// Whether libxml2's document-wide ID table is off for this reader (so memory stays constant on files with
    /// millions of `xml:id`s); false only with a libxml2 whose reader layout Montague does not recognise.
    public private(set) var skipsIDRegistration = false

    let reader: xmlTextReaderPtr
    private let diagnostics: ParseDiagnostics
    private var memoryBuffer: UnsafeMutableBufferPointer<CChar>?

    /// Opens a file (plain or gzip-compressed) for streaming.
    /// - Throws: `CorpusError.Kind.unreadable` when the file cannot be opened.
    public init(contentsOfFile path: String, options: XMLReadingOptions = XMLReadingOptions()) throws {
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
        montague_installRestrictedEntityLoader()
        guard let reader = xmlReaderForFile(path, options.encodingOverride, options.parserFlags) else {
            throw CorpusError(.unreadable, file: path, message: "libxml2 could not open the file")
        }
        self.fileName = path
        self.reader = reader
        self.diagnostics = ParseDiagnostics(fileName: path)
        installErrorHandler()
        skipsIDRegistration = montague_readerSkipIDs(reader) == 1
    }

    /// Reads XML from bytes in memory; `name` is used in messages and as the base for relative references.
    public init(bytes: some Collection<UInt8>, name: String, options: XMLReadingOptions = XMLReadingOptions()) throws {
        montague_installRestrictedEntityLoader()
        // libxml2 reads the buffer lazily, so the reader owns a copy for its whole life.
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(bytes.count, 1))
        var index = 0
        for byte in bytes {
            buffer[index] = CChar(bitPattern: byte)
            index += 1
        }
        guard
            let reader = xmlReaderForMemory(
                buffer.baseAddress, Int32(bytes.count), name,
                options.encodingOverride, options.parserFlags)
        else {
            buffer.deallocate()
            throw CorpusError(.unreadable, file: name, message: "libxml2 could not read the buffer")
        }
        self.fileName = name
        self.reader = reader
        self.memoryBuffer = buffer
        self.diagnostics = ParseDiagnostics(fileName: name)
        installErrorHandler()
        skipsIDRegistration = montague_readerSkipIDs(reader) == 1
    }

    deinit {
        xmlFreeTextReader(reader)
        memoryBuffer?.deallocate()
    }

    private func installErrorHandler() {
        let context = Unmanaged.passUnretained(diagnostics).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { context, error in
                guard let context, let error else { return }
                Unmanaged<ParseDiagnostics>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
            }, context)
    }

    /// Moves to the next node; returns false at the end of the document.
    /// - Throws: `CorpusError.Kind.notWellFormed` with libxml2's message, line and column, when the document is not
    ///   well-formed (or exceeds libxml2's entity-expansion limits). Nothing read after the error is delivered.
    @inline(__always)
    public func read() throws -> Bool {
        let status = xmlTextReaderRead(reader)
        // A plain memory flag, not a stored property: no exclusivity check on the hot path.
        if diagnostics.errorFlag.pointee, let error = diagnostics.firstError { throw error }
        if status == 1 {
            nodeKind = Self.kind(of: xmlTextReaderNodeType(reader))
            return true
        }
        if status == 0 { return false }
        throw CorpusError(.notWellFormed, file: fileName, message: "libxml2 stopped reading without a message")
    }

    @inline(__always)
    private static func kind(of type: Int32) -> NodeKind {
        switch UInt32(bitPattern: type) {
        case XML_READER_TYPE_ELEMENT.rawValue: return .element
        case XML_READER_TYPE_END_ELEMENT.rawValue: return .endElement
        case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue: return .text
        case XML_READER_TYPE_WHITESPACE.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue: return .whitespace
        case XML_READER_TYPE_COMMENT.rawValue: return .comment
        case XML_READER_TYPE_PROCESSING_INSTRUCTION.rawValue: return .processingInstruction
        case XML_READER_TYPE_DOCUMENT_TYPE.rawValue: return .documentType
        default: return .other
        }
    }

    /// Depth of the current node (the root element is at depth 0).
    public var depth: Int { Int(xmlTextReaderDepth(reader)) }

    /// Whether the current element is written `<name/>` (no end-element node follows it).
    public var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// The local name of the current element (without prefix); empty for nodes without a name.
    public var localName: String {
        guard let name = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: name)
    }

    /// The namespace URI of the current element, if it has one.
    public var namespaceURI: String? {
        guard let uri = xmlTextReaderConstNamespaceUri(reader) else { return nil }
        return String(cString: uri)
    }

    /// The text of the current text node (empty for other nodes).
    public var value: String {
        guard let text = xmlTextReaderConstValue(reader) else { return "" }
        return String(cString: text)
    }

    /// Calls `body` with the UTF-8 bytes of the current node's value (text nodes), without copying them.
    @inline(__always)
    public func withValueBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard let text = xmlTextReaderConstValue(reader) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return try body(
            UnsafeBufferPointer(start: text, count: strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))))
    }

    /// The value of an attribute of the current element by qualified name (`"n"`, `"xml:lang"`), or nil.
    public func attribute(_ qualifiedName: String) -> String? {
        guard let value = xmlTextReaderGetAttribute(reader, qualifiedName) else { return nil }
        defer { montague_xmlFree(value) }
        return String(cString: value)
    }

    /// The value of the current element's attribute named `name` (interned with `intern(_:)`), without a namespace,
    /// or in the XML namespace (`xml:id`, `xml:lang`) when `inXMLNamespace` is true; nil when the element has no
    /// such attribute.
    ///
    /// One pass over the element's attributes, comparing interned names, with no libxml2 allocation: the fast form
    /// of `attribute(_:)` for hot paths. Values made of several nodes (entity references) fall back to libxml2.
    @inline(__always)
    public func attribute(_ name: InternedName, inXMLNamespace: Bool = false) -> String? {
        guard let node = xmlTextReaderCurrentNode(reader), node.pointee.type == XML_ELEMENT_NODE,
            let wanted = name.pointer
        else { return nil }
        var property = node.pointee.properties
        while let attribute = property {
            property = attribute.pointee.next
            guard let attributeName = attribute.pointee.name else { continue }
            if attributeName != wanted {
                // Names are interned in the reader's dictionary; compare the bytes only if the first one matches.
                guard attributeName.pointee == wanted.pointee, xmlStrEqual(attributeName, wanted) == 1 else { continue }
            }
            if let namespace = attribute.pointee.ns {
                guard inXMLNamespace, let prefix = namespace.pointee.prefix, prefix[0] == 0x78, prefix[1] == 0x6D,
                    prefix[2] == 0x6C, prefix[3] == 0
                else { continue }
            } else if inXMLNamespace {
                continue
            }
            guard let child = attribute.pointee.children else { return "" }
            if child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE, let content = child.pointee.content {
                return String(cString: content)
            }
            guard let value = xmlNodeListGetString(node.pointee.doc, child, 1) else { return "" }
            defer { montague_xmlFree(value) }
            return String(cString: value)
        }
        // libxml2's own lookup also finds attributes a DTD declares with a default value: defer to it when the
        // document declares any attribute list.
        if let document = node.pointee.doc,
            document.pointee.intSubset?.pointee.attributes != nil
                || document.pointee.extSubset?.pointee.attributes != nil
        {
            return attribute(inXMLNamespace ? "xml:" + name.string : name.string)
        }
        return nil
    }

    /// All attributes of the current element as (qualified name, value), in document order (namespace
    /// declarations excluded).
    public func attributes() -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        guard xmlTextReaderHasAttributes(reader) == 1 else { return result }
        var status = xmlTextReaderMoveToFirstAttribute(reader)
        while status == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) != 1,
                let name = xmlTextReaderConstName(reader)
            {
                let value = xmlTextReaderConstValue(reader).map { String(cString: $0) } ?? ""
                result.append((String(cString: name), value))
            }
            status = xmlTextReaderMoveToNextAttribute(reader)
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    /// The 1-based line on which the current node starts (0 when libxml2 does not know).
    public var line: Int {
        guard let node = xmlTextReaderCurrentNode(reader) else { return 0 }
        return max(0, Int(xmlGetLineNo(node)))
    }

    /// How many bytes of the (decompressed) input libxml2 has consumed so far: for progress reports.
    public var bytesConsumed: Int { max(0, Int(xmlTextReaderByteConsumed(reader))) }

    /// The encoding libxml2 detected or was told (nil before it knows).
    public var encoding: String? {
        guard let name = xmlTextReaderConstEncoding(reader) else { return nil }
        return String(cString: name)
    }

    /// Interns `name` in the reader's dictionary, for allocation-free comparisons with `isCurrentElement(_:)`.
    public func intern(_ name: String) -> InternedName {
        // The dictionary keeps the string for the reader's whole life.
        InternedName(pointer: xmlTextReaderConstString(reader, name))
    }

    /// The current node's local name as an interned name (pointer identity with `intern(_:)` results).
    @inline(__always)
    public var internedLocalName: InternedName { InternedName(pointer: xmlTextReaderConstLocalName(reader)) }

    /// The current node's namespace URI as an interned name, or nil.
    @inline(__always)
    public var internedNamespaceURI: InternedName? {
        guard let uri = xmlTextReaderConstNamespaceUri(reader) else { return nil }
        return InternedName(pointer: uri)
    }

    /// Whether the current node's local name is `name` (a pointer comparison: names live in one dictionary).
    @inline(__always)
    public func isCurrentElement(_ name: InternedName) -> Bool {
        xmlTextReaderConstLocalName(reader) == name.pointer
    }
}

/// A name interned in one `XMLStreamReader`'s dictionary: equal names have equal pointers within that reader.
/// Valid only while the reader that made it is alive.
public struct InternedName: Hashable {
    let pointer: UnsafePointer<UInt8>?

    /// The name as a string.
    public var string: String { pointer.map { String(cString: $0) } ?? "" }
}

/// Collects libxml2's structured errors for one reader.
final class ParseDiagnostics {
    let fileName: String
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

    func record(_ error: xmlError) {
        let message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error (code \(error.code))"
        let level = error.level.rawValue
        // Errors in an external entity or DTD name that file; everything else is the user's file.
        var file = fileName
        if let errorFile = error.file.map({ String(cString: $0) }), !errorFile.isEmpty,
            !errorFile.hasSuffix(fileName), !fileName.hasSuffix(errorFile)
        {
            file = errorFile
        }
        let diagnostic = CorpusError(
            .notWellFormed, file: file, line: Int(error.line), column: Int(error.int2),
            message: message)
        if level >= XML_ERR_ERROR.rawValue {
            if firstError == nil {
                firstError = diagnostic
                errorFlag.pointee = true
            }
        } else if warnings.count < 100 {
            warnings.append(diagnostic)
        }
    }
}
