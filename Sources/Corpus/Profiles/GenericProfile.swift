/// What a user says about an XML format Montague does not know: which elements are documents, text units and
/// (optionally) tokens, and which attributes become labels or metadata. Loads any format without code, e.g. RTE:
/// `units: ["pair/t", "pair/h"]`, `labels: ["pair@entailment"]`, `metadata: ["pair@id"]`.
public struct GenericProfileSpecification: Sendable, Hashable {
    /// Elements that are documents; nil makes each file one document.
    public var documentPath: ElementPath?
    /// Elements that are text units (at least one).
    public var unitPaths: [ElementPath]
    /// Elements inside units that are tokens (their text is the form; `lemma`, `pos`, `ana` attributes are kept).
    public var tokenPath: ElementPath?
    /// Attributes that become labels.
    public var labels: [AttributeSelector]
    /// Attributes that become metadata.
    public var metadata: [AttributeSelector]

    /// Makes a specification.
    public init(
        documentPath: ElementPath? = nil, unitPaths: [ElementPath], tokenPath: ElementPath? = nil,
        labels: [AttributeSelector] = [], metadata: [AttributeSelector] = []
    ) {
        self.documentPath = documentPath
        self.unitPaths = unitPaths
        self.tokenPath = tokenPath
        self.labels = labels
        self.metadata = metadata
    }

    /// Parses the textual forms (as given on the command line).
    /// - Throws: `CorpusError.Kind.invalidSpecification` for a malformed path or selector, or no unit path.
    public init(
        document: String? = nil, units: [String], token: String? = nil, labels: [String] = [],
        metadata: [String] = []
    ) throws {
        guard !units.isEmpty else {
            throw CorpusError(.invalidSpecification, message: "a generic profile needs at least one unit path (--unit)")
        }
        self.init(
            documentPath: try document.map(ElementPath.init(parsing:)),
            unitPaths: try units.map(ElementPath.init(parsing:)),
            tokenPath: try token.map(ElementPath.init(parsing:)),
            labels: try labels.map(AttributeSelector.init(parsing:)),
            metadata: try metadata.map(AttributeSelector.init(parsing:)))
    }
}

/// Reads any XML through a `GenericProfileSpecification`: units are the elements its unit paths match (kind: the
/// element's local name), with the labels and metadata its selectors name, taken from the nearest of: the unit
/// element, its matching ancestors, a matching element before it under the same ancestor (a sibling such as
/// Senseval's `<answer senseid="…"/>` before the `<context>`, selected as `instance/answer@senseid`), or a matching
/// element inside it. A unit path or selector that matches nothing in a file is reported as a warning.
public struct GenericProfile: CorpusProfile {
    /// The specification this profile follows.
    public let specification: GenericProfileSpecification

    /// Makes a profile.
    public init(_ specification: GenericProfileSpecification) { self.specification = specification }

    /// `"generic"`.
    public var name: String { "generic" }

    private struct CompiledPath {
        let steps: [InternedName?]
        let isAbsolute: Bool

        init(_ path: ElementPath, _ reader: XMLStreamReader) {
            steps = path.steps.map { $0 == "*" ? nil : reader.intern($0) }
            isAbsolute = path.isAbsolute
        }

        func matches(_ stack: [InternedName]) -> Bool {
            if isAbsolute ? stack.count != steps.count : stack.count < steps.count { return false }
            var index = stack.count - 1
            for step in steps.reversed() {
                if let step, stack[index] != step { return false }
                index -= 1
            }
            return true
        }
    }

    /// A selector's value on an open element (or, once an element without units inside closes, on its parent).
    private struct ActiveValue {
        var depth: Int
        let value: String
        /// Units opened before the element: more at its end means it enclosed a unit.
        let unitsBefore: Int
        /// Whether the value has passed to the parent already (it then ends with the parent).
        var isOnParent = false
        /// The number of the element that carries the value.
        let origin: Int
    }

    private enum Role { case other, document, unit, token }

    private var documentPath: CompiledPath?
    private var unitPaths: [CompiledPath] = []
    private var tokenPath: CompiledPath?
    private var selectors: [(selector: AttributeSelector, path: CompiledPath?, isLabel: Bool)] = []
    private var stack: [InternedName] = []
    private var roles: [Role] = []
    /// Per selector, its values on the open elements, innermost last: a unit takes the last of each (its nearest
    /// matching ancestor), so opening a unit costs the number of selectors, not the depth.
    private var activeValues: [[ActiveValue]] = []
    /// Units opened so far.
    private var unitsOpened = 0
    /// Elements started so far (numbers the elements that carry labels).
    private var elementsStarted = 0
    /// Per unit path, whether it matched an element; per selector, whether it gave a value.
    private var unitPathMatched: [Bool] = []
    private var selectorMatched: [Bool] = []
    private var fileName = ""
    private var documentCount = 0
    private var documentOpen = false
    private var tokenText = TextAccumulator()
    private var openToken: MarkedToken?
    private var units = UnitStack()

    /// Compiles the paths against the reader's dictionary.
    public mutating func prepare(for reader: XMLStreamReader) {
        fileName = reader.fileName
        documentPath = specification.documentPath.map { CompiledPath($0, reader) }
        unitPaths = specification.unitPaths.map { CompiledPath($0, reader) }
        tokenPath = specification.tokenPath.map { CompiledPath($0, reader) }
        selectors =
            specification.labels.map { ($0, $0.element.map { CompiledPath($0, reader) }, true) }
            + specification.metadata.map { ($0, $0.element.map { CompiledPath($0, reader) }, false) }
        activeValues = Array(repeating: [], count: selectors.count)
        unitPathMatched = Array(repeating: false, count: unitPaths.count)
        selectorMatched = Array(repeating: false, count: selectors.count)
    }

    /// Handles one node.
    public mutating func process(_ reader: XMLStreamReader, into events: inout [CorpusEvent]) throws {
        switch reader.nodeKind {
        case .element:
            stack.append(reader.internedLocalName)
            let role = start(reader, &events)
            if reader.isEmptyElement { end(role, &events) } else { roles.append(role) }
        case .endElement:
            if let role = roles.popLast() { end(role, &events) }
            if roles.isEmpty { warnAboutUnmatchedPaths(reader) }
        case .text, .whitespace:
            guard !units.isEmpty else { return }
            reader.withValueBytes { bytes in
                units.append(bytes)
                if openToken != nil { tokenText.append(bytes) }
            }
        default:
            break
        }
    }

    /// Closes the file's document.
    public mutating func finish(into events: inout [CorpusEvent]) throws {
        if documentOpen { events.append(.endDocument) }
        documentOpen = false
    }

    private mutating func start(_ reader: XMLStreamReader, _ events: inout [CorpusEvent]) -> Role {
        let depth = stack.count
        elementsStarted += 1
        if depth == 1, documentPath == nil { openDocument(reader, &events) }
        var isUnit = false
        for (index, path) in unitPaths.enumerated() where path.matches(stack) {
            isUnit = true
            unitPathMatched[index] = true
        }
        for (index, (selector, path, isLabel)) in selectors.enumerated() {
            let applies = path.map { $0.matches(stack) } ?? isUnit
            if applies, let value = reader.attribute(selector.attribute) {
                selectorMatched[index] = true
                activeValues[index].append(
                    ActiveValue(depth: depth, value: value, unitsBefore: unitsOpened, origin: elementsStarted))
                // An element inside an open unit (a child carrying the unit's label) labels that unit.
                if path != nil, !isUnit, !units.isEmpty {
                    if isLabel {
                        units.setLabel(selector.name, value, origin: elementsStarted)
                    } else {
                        units.setMetadataEntry(named: selector.name, value)
                    }
                }
            }
        }
        if let documentPath, documentPath.matches(stack) {
            if documentOpen { events.append(.endDocument) }
            openDocument(reader, &events)
            return .document
        }
        if isUnit {
            var labels: [String: String] = [:]
            var origins: [String: Int] = [:]
            var metadata: [String: String] = [:]
            for (index, selector) in selectors.enumerated() {
                guard let value = activeValues[index].last else { continue }
                if selector.isLabel {
                    labels[selector.selector.name] = value.value
                    origins[selector.selector.name] = value.origin
                } else {
                    metadata[selector.selector.name] = value.value
                }
            }
            var unit = UnitStack.OpenUnit(
                kind: UnitKind(rawValue: stack[depth - 1].string), line: reader.line,
                labels: labels, metadata: UnitMetadata(metadata), tokens: nil)
            unit.labelOrigins = origins
            units.open(unit)
            unitsOpened += 1
            return .unit
        }
        if let tokenPath, !units.isEmpty, tokenPath.matches(stack) {
            tokenText.reset()
            openToken = MarkedToken(
                form: "", lemma: reader.attribute("lemma"), partOfSpeech: reader.attribute("pos"),
                analysis: reader.attribute("ana"))
            return .token
        }
        return .other
    }

    private mutating func end(_ role: Role, _ events: inout [CorpusEvent]) {
        let depth = stack.count
        switch role {
        case .other:
            break
        case .document:
            if documentOpen { events.append(.endDocument) }
            documentOpen = false
        case .unit:
            if let unit = units.close(file: fileName) {
                if !documentOpen { openDocument(nil, &events) }
                events.append(.unit(unit))
            }
        case .token:
            if var token = openToken {
                token.form = tokenText.take()
                if !token.form.isEmpty { units.appendToken(token) }
            }
            openToken = nil
        }
        for index in activeValues.indices {
            while let last = activeValues[index].last, last.depth >= depth {
                // An element that enclosed no unit (Senseval's <answer> before the <context>) passes its value to
                // its parent, for the units that follow it there.
                if last.depth == depth, !last.isOnParent, last.unitsBefore == unitsOpened, depth > 1 {
                    activeValues[index][activeValues[index].count - 1].depth = depth - 1
                    activeValues[index][activeValues[index].count - 1].isOnParent = true
                    break
                }
                activeValues[index].removeLast()
            }
        }
        stack.removeLast()
    }

    /// Warns (once per file, when the root element closes) about unit paths that matched no element and selectors
    /// that gave no value.
    private func warnAboutUnmatchedPaths(_ reader: XMLStreamReader) {
        for (index, path) in specification.unitPaths.enumerated() where !unitPathMatched[index] {
            reader.warn("the unit path '\(path)' matched no element")
        }
        for (index, (selector, _, isLabel)) in selectors.enumerated() where !selectorMatched[index] {
            reader.warn("the \(isLabel ? "label" : "metadata") selector '\(selector)' matched no attribute")
        }
    }

    private mutating func openDocument(_ reader: XMLStreamReader?, _ events: inout [CorpusEvent]) {
        documentCount += 1
        var metadata = ["format": "generic"]
        let identifier = reader?.attribute("id") ?? reader?.attribute("xml:id")
        if let reader, documentPath != nil {
            for (selector, path, isLabel) in selectors where !isLabel && path?.matches(stack) == true {
                metadata[selector.name] = reader.attribute(selector.attribute)
            }
        }
        events.append(
            .startDocument(
                DocumentInfo(
                    identifier: identifier ?? "\(baseName(fileName))#\(documentCount)",
                    source: fileName, metadata: metadata)))
        documentOpen = true
    }
}
