/// The format profiles Montague knows, by name (the names `--profile` takes).
public enum ProfileKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Detect from the root element and namespace.
    case automatic = "auto"
    /// TEI P5 (`TEIProfile`).
    case tei
    /// Bosak's Shakespeare plays (`BosakPlayProfile`).
    case bosak
    /// TMX translation memories (`TMXProfile`).
    case tmx
    /// A user's element-path mapping (`GenericProfile`).
    case generic
    /// Montague's own XML form, as `CorpusWriter` writes it (`MontagueXMLProfile`).
    case montague

    /// The profile for a root element, or nil when the root is not one Montague recognises:
    /// `TEI`, `teiCorpus` (or P4's `TEI.2`) → TEI; `PLAY` → Bosak; `tmx` → TMX; `corpus` in Montague's namespace →
    /// Montague.
    public static func detect(rootElement: String, namespaceURI: String?) -> ProfileKind? {
        switch (rootElement, namespaceURI) {
        case ("TEI", _), ("teiCorpus", _), ("TEI.2", nil): return .tei
        case ("PLAY", nil): return .bosak
        case ("tmx", _): return .tmx
        case ("corpus", MontagueXMLProfile.namespace?): return .montague
        default: return nil
        }
    }
}

/// Which profile reads a file, and the options of the built-in profiles.
public struct ProfileConfiguration: Sendable, Hashable {
    /// The profile, or `.automatic` to detect it per file.
    public var kind: ProfileKind
    /// Units of drama profiles (TEI, Bosak): lines/paragraphs or whole speeches.
    public var granularity: UnitGranularity
    /// Read stage directions as units (TEI, Bosak).
    public var includeStageDirections: Bool
    /// Read headings as units (TEI).
    public var includeHeadings: Bool
    /// The element-path mapping for `.generic`; with `.automatic`, giving one selects the generic profile for every
    /// file (the user described the format explicitly).
    public var generic: GenericProfileSpecification?

    /// Makes a configuration; the default detects the profile.
    public init(
        kind: ProfileKind = .automatic, granularity: UnitGranularity = .block,
        includeStageDirections: Bool = false, includeHeadings: Bool = false,
        generic: GenericProfileSpecification? = nil
    ) {
        self.kind = kind
        self.granularity = granularity
        self.includeStageDirections = includeStageDirections
        self.includeHeadings = includeHeadings
        self.generic = generic
    }

    /// Makes the profile that reads a file whose root element is `rootElement`.
    /// - Throws: `CorpusError.Kind.unexpectedStructure` when detection fails, `.invalidSpecification` when the
    ///   generic profile is chosen without a specification.
    public func makeProfile(rootElement: String, namespaceURI: String?, file: String, line: Int = 0) throws
        -> any CorpusProfile
    {
        var kind = self.kind
        if kind == .automatic {
            if generic != nil {
                kind = .generic
            } else if let detected = ProfileKind.detect(rootElement: rootElement, namespaceURI: namespaceURI) {
                kind = detected
            } else {
                let namespace = namespaceURI.map { " in namespace \($0)" } ?? ""
                throw CorpusError(
                    .unexpectedStructure, file: file, line: line,
                    message:
                        "unknown format: root element <\(rootElement)>\(namespace) is not TEI, a Bosak play or TMX; describe it with --unit PATH [--document PATH] [--label PATH@ATTRIBUTE]"
                )
            }
        }
        switch kind {
        case .automatic, .generic:
            guard let generic else {
                throw CorpusError(
                    .invalidSpecification, file: file,
                    message: "the generic profile needs at least one unit path (--unit)")
            }
            return GenericProfile(generic)
        case .tei:
            return TEIProfile(
                granularity: granularity, includeStageDirections: includeStageDirections,
                includeHeadings: includeHeadings)
        case .bosak:
            return BosakPlayProfile(granularity: granularity, includeStageDirections: includeStageDirections)
        case .tmx:
            return TMXProfile()
        case .montague:
            return MontagueXMLProfile()
        }
    }
}
