/// A path of element local names, matched against the innermost open elements: `pair/t` matches a `t` whose
/// parent is a `pair`, anywhere; a leading `/` anchors the path at the root (`/corpus/doc`); `*` matches any one
/// element. Namespaces are ignored (local names only), which is what users of element paths expect.
public struct ElementPath: Sendable, Hashable, CustomStringConvertible {
    /// The element names, outermost first; `"*"` matches any element.
    public var steps: [String]
    /// Whether the first step must be the root element.
    public var isAbsolute: Bool

    /// Makes a path from its steps.
    public init(steps: [String], isAbsolute: Bool = false) {
        self.steps = steps
        self.isAbsolute = isAbsolute
    }

    /// Parses `a/b/c` or `/a/b`.
    /// - Throws: `CorpusError.Kind.invalidSpecification` for an empty path or an empty step (`a//b`).
    public init(parsing text: String) throws {
        var body = Substring(text.trimmingWhitespace())
        let absolute = body.hasPrefix("/")
        if absolute { body = body.dropFirst() }
        let steps = body.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !body.isEmpty, steps.allSatisfy({ !$0.isEmpty && !$0.contains("@") && !$0.contains(" ") }) else {
            throw CorpusError(
                .invalidSpecification,
                message: "invalid element path '\(text)': expected names separated by '/', like 'pair/t'")
        }
        self.init(steps: steps, isAbsolute: absolute)
    }

    /// The path as written.
    public var description: String { (isAbsolute ? "/" : "") + steps.joined(separator: "/") }
}

/// Names an attribute whose value becomes a label or a metadata entry: `[name=][path]@attribute`.
///
/// `pair@entailment` takes `entailment` from the nearest enclosing (or the unit's own) `pair` element;
/// `@sentiment` from the unit element itself; `gold=pair@value` stores it under the name `gold`.
public struct AttributeSelector: Sendable, Hashable, CustomStringConvertible {
    /// The name the value is stored under.
    public var name: String
    /// The element that carries the attribute; nil for the unit element itself.
    public var element: ElementPath?
    /// The attribute's qualified name (`lang`, `xml:lang`).
    public var attribute: String

    /// Makes a selector.
    public init(name: String? = nil, element: ElementPath?, attribute: String) {
        self.name = name ?? attribute
        self.element = element
        self.attribute = attribute
    }

    /// Parses `[name=][path]@attribute`.
    /// - Throws: `CorpusError.Kind.invalidSpecification` when there is no `@attribute`.
    public init(parsing text: String) throws {
        var body = Substring(text.trimmingWhitespace())
        var name: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            body = body[body.index(after: equals)...]
        }
        guard let at = body.lastIndex(of: "@"), body.index(after: at) < body.endIndex, name?.isEmpty != true else {
            throw CorpusError(
                .invalidSpecification,
                message:
                    "invalid attribute selector '\(text)': expected [name=][element/path]@attribute, like 'pair@entailment'"
            )
        }
        let pathText = body[..<at]
        let element = pathText.isEmpty ? nil : try ElementPath(parsing: String(pathText))
        self.init(name: name, element: element, attribute: String(body[body.index(after: at)...]))
    }

    /// The selector as written.
    public var description: String {
        (name == attribute ? "" : name + "=") + (element?.description ?? "") + "@" + attribute
    }
}
