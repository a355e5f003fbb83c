import CLibXML2

/// How XML files are opened: safe by default.
///
/// Always on: no network access (`XML_PARSE_NONET`), libxml2's limits on entity expansion and node sizes (a
/// "billion laughs" file fails with libxml2's message instead of exhausting memory), internal entities expanded,
/// CDATA sections read as text, line numbers above 65535 kept. Off unless asked for: loading external DTDs and
/// external entities, and then only from local files.
public struct XMLReadingOptions: Sendable, Hashable {
    /// Loads DTDs and external entities that a document names, from local files only (never the network).
    ///
    /// Off by default: a DOCTYPE that names a DTD which is not there is normal in real corpora and is then simply
    /// not read, and an external entity (`<!ENTITY x SYSTEM "file">`) stays unexpanded (reported as a warning).
    public var allowLocalExternalResources: Bool
    /// The encoding to use instead of the declared one (an IANA name such as `"ISO-8859-1"`); nil keeps libxml2's
    /// detection from the byte-order mark and the XML declaration, which is right for every well-formed file.
    public var encodingOverride: String?

    /// Makes options; the defaults are the safe ones.
    public init(allowLocalExternalResources: Bool = false, encodingOverride: String? = nil) {
        self.allowLocalExternalResources = allowLocalExternalResources
        self.encodingOverride = encodingOverride
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
