/// Reads TMX 1.1–1.4 translation memories: one document per file (metadata `srclang`, `version`), one unit per
/// `tuv`'s `seg`, with metadata `language` (from `xml:lang`, or `lang` in TMX 1.1), `tu` (the unit's `tuid`, or
/// its 1-based index) and the `prop`s of the `tu` and `tuv` (`prop type="x"` → `x`). Inline native codes (`bpt`,
/// `ept`, `it`, `ph`, `ut`) are left out of the text; highlighted text (`hi`) is kept. Whitespace is collapsed
/// except tabs, which are segment content. Language tags compare case-insensitively (BCP 47).
///
/// `TranslationPairs` groups the units back into aligned pairs per language.
///
/// Source: LISA, "TMX 1.4b Specification" (2004), and TMX 1.1 (1998).
public struct TMXProfile: CorpusProfile {
    /// Makes a TMX profile.
    public init() {}

    /// `"tmx"`.
    public var name: String { "tmx" }

    private enum Role { case other, header, translationUnit, variant, segment, property, skipped }

    private struct Names {
        let header, body, tu, tuv, seg, prop: InternedName
        let nativeCodes: Set<InternedName>
        init(_ reader: XMLStreamReader) {
            header = reader.intern("header")
            body = reader.intern("body")
            tu = reader.intern("tu")
            tuv = reader.intern("tuv")
            seg = reader.intern("seg")
            prop = reader.intern("prop")
            nativeCodes = Set(["bpt", "ept", "it", "ph", "ut", "note"].map(reader.intern))
        }
    }

    private var names: Names?
    private var roles: [Role] = []
    private var fileName = ""
    private var documents = DocumentBoundary()
    private var skipDepth = 0
    private var unitCount = 0
    private var unitContext: [String: String] = [:]
    private var variantContext: [String: String] = [:]
    private var propertyName: String?
    private var propertyText = TextAccumulator()
    private var units = UnitStack()

    /// Interns the element names and reads the root's version.
    public mutating func prepare(for reader: XMLStreamReader) {
        names = Names(reader)
        fileName = reader.fileName
    }

    /// Handles one node.
    public mutating func process(_ reader: XMLStreamReader, into events: inout [CorpusEvent]) throws {
        guard let names else { return }
        switch reader.nodeKind {
        case .element:
            if reader.depth == 0 {
                var metadata = ["format": "tmx"]
                metadata["version"] = reader.attribute("version")
                documents.pending = DocumentInfo(
                    identifier: baseName(fileName), source: fileName, metadata: metadata)
                return
            }
            let role = start(reader, names)
            if reader.isEmptyElement { end(role, &events) } else { roles.append(role) }
        case .endElement:
            if let role = roles.popLast() { end(role, &events) }
        case .text, .whitespace:
            guard skipDepth == 0 else { return }
            reader.withValueBytes { bytes in
                if propertyName != nil {
                    propertyText.append(bytes)
                } else {
                    appendSegmentText(bytes)
                }
            }
        default:
            break
        }
    }

    /// Appends segment text, keeping its tabs: translation tools write a tab in a segment (usually as `&#9;`) as
    /// content, so it is not collapsed like other whitespace.
    private mutating func appendSegmentText(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        for index in bytes.indices where bytes[index] == 0x09 {
            units.append(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            units.appendVerbatimTab()
            start = index + 1
        }
        units.append(UnsafeBufferPointer(rebasing: bytes[start...]))
    }

    /// Emits the document (also when the body is empty).
    public mutating func finish(into events: inout [CorpusEvent]) throws {
        documents.end(&events)
    }

    private mutating func start(_ reader: XMLStreamReader, _ names: Names) -> Role {
        if skipDepth > 0 { return .other }
        let name = reader.internedLocalName
        if name == names.seg {
            var metadata = unitContext
            for (key, value) in variantContext { metadata[key] = value }
            units.open(
                UnitStack.OpenUnit(
                    kind: .segment, line: reader.line, labels: [:], metadata: UnitMetadata(metadata),
                    tokens: nil))
            return .segment
        }
        if name == names.tuv {
            variantContext = [:]
            variantContext["language"] = reader.attribute("xml:lang") ?? reader.attribute("lang")
            return .variant
        }
        if name == names.tu {
            unitCount += 1
            unitContext = ["tu": reader.attribute("tuid") ?? String(unitCount)]
            return .translationUnit
        }
        if name == names.prop, roles.last == .translationUnit || roles.last == .variant {
            propertyName = reader.attribute("type") ?? "prop"
            propertyText.reset()
            return .property
        }
        if name == names.header {
            documents.pending?.metadata["srclang"] = reader.attribute("srclang")
            return .header
        }
        if names.nativeCodes.contains(name) {
            skipDepth += 1
            return .skipped
        }
        return .other
    }

    private mutating func end(_ role: Role, _ events: inout [CorpusEvent]) {
        switch role {
        case .other, .header:
            break
        case .translationUnit:
            unitContext = [:]
        case .variant:
            variantContext = [:]
        case .property:
            if let propertyName {
                let value = propertyText.take()
                if roles.last == .variant {
                    variantContext[propertyName] = value
                } else {
                    unitContext[propertyName] = value
                }
            }
            propertyName = nil
        case .segment:
            guard let unit = units.close(file: fileName) else { return }
            documents.start(&events)
            events.append(.unit(unit))
        case .skipped:
            skipDepth -= 1
        }
    }
}
