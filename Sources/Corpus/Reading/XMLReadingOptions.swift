import CLibXML2

/// How XML files are opened: safe by default.
///
/// Always on: no network access (`XML_PARSE_NONET`), internal entities expanded, CDATA sections read as text, line
/// numbers above 65535 kept. Montague feeds libxml2's SAX2 push parser without building a tree, and libxml2 2.9 keeps
/// several of its resource limits in the tree builder (the depth limit in `nodePush`, the text-node limit in
/// `xmlSAX2Characters`, the cumulative entity-copy check in the entity-to-tree path), so the reader enforces its own
/// equivalents: the limits below, each failing with a located error instead of exhausting memory. Off unless asked
/// for: loading external DTDs and external entities, and then only from local files inside `externalResourceRoot`.
public struct XMLReadingOptions: Sendable, Hashable {
    /// Loads DTDs and external entities that a document names, from local files only (never the network), and only
    /// from inside `externalResourceRoot` unless `allowExternalResourcesAnywhere` is set.
    ///
    /// Off by default: a DOCTYPE that names a DTD which is not there is normal in real corpora and is then simply
    /// not read, and an external entity (`<!ENTITY x SYSTEM "file">`) stays unexpanded (reported as a warning).
    public var allowLocalExternalResources: Bool
    /// The directory whose tree external DTDs and entities may come from; nil means the directory of the file being
    /// read.
    public var externalResourceRoot: String?
    /// Lets `allowLocalExternalResources` read local files anywhere (any absolute path a document names).
    public var allowExternalResourcesAnywhere: Bool
    /// Replaces each XInclude element (`<xi:include href="part.xml"/>`, as TEI corpora split a text into files) by
    /// the document it names: local files only, inside `externalResourceRoot` like external entities, whole
    /// documents (`parse="xml"`, no `xpointer`). Off by default: the include elements are then ordinary elements.
    ///
    /// Source: W3C, "XML Inclusions (XInclude) Version 1.0 (Second Edition)" (2006).
    public var processesXInclude: Bool
    /// The encoding to use instead of the declared one (an IANA name such as `"ISO-8859-1"`); nil keeps libxml2's
    /// detection from the byte-order mark and the XML declaration, which is right for every well-formed file.
    public var encodingOverride: String?
    /// The deepest element nesting accepted (the root element is at depth 1); 256, as `xmllint` without `--huge`.
    public var maximumDepth: Int
    /// The longest run of character data (one text node, entities expanded) accepted, in UTF-8 bytes; libxml2's own
    /// limit without `XML_PARSE_HUGE` is 10,000,000 bytes.
    public var maximumTextBytes: Int
    /// How many times more bytes entity expansion (and DTD default attributes) may produce than the document holds,
    /// once the output exceeds `expansionAllowance`: the "billion laughs" defence.
    public var maximumAmplification: Int
    /// How many times larger than the compressed file its decompressed content may be, once it exceeds
    /// `expansionAllowance`: the defence against compression bombs.
    public var maximumDecompressionRatio: Int

    /// The bytes that entity expansion and decompression may always produce, whatever the ratio (16 MiB by
    /// default).
    public var expansionAllowance: Int

    /// Makes options; the defaults are the safe ones.
    public init(
        allowLocalExternalResources: Bool = false, externalResourceRoot: String? = nil,
        allowExternalResourcesAnywhere: Bool = false, encodingOverride: String? = nil, maximumDepth: Int = 256,
        maximumTextBytes: Int = 10_000_000, maximumAmplification: Int = 10, maximumDecompressionRatio: Int = 100,
        expansionAllowance: Int = 1 << 24, processesXInclude: Bool = false
    ) {
        self.processesXInclude = processesXInclude
        self.allowLocalExternalResources = allowLocalExternalResources
        self.externalResourceRoot = externalResourceRoot
        self.allowExternalResourcesAnywhere = allowExternalResourcesAnywhere
        self.encodingOverride = encodingOverride
        self.maximumDepth = maximumDepth
        self.maximumTextBytes = maximumTextBytes
        self.maximumAmplification = maximumAmplification
        self.maximumDecompressionRatio = maximumDecompressionRatio
        self.expansionAllowance = expansionAllowance
    }

    /// The libxml2 parser flags these options stand for.
    var parserFlags: Int32 {
        var flags =
            XML_PARSE_NONET.rawValue | XML_PARSE_NOENT.rawValue | XML_PARSE_NOCDATA.rawValue
            | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue
        if allowLocalExternalResources {
            flags |= XML_PARSE_DTDLOAD.rawValue | XML_PARSE_DTDATTR.rawValue
        }
        return Int32(bitPattern: flags)
    }
}
