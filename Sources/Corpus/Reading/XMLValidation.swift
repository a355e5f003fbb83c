import CLibXML2
import Foundation
import Synchronization

/// What an XML file is validated against before it is read.
public enum XMLValidation: Sendable, Hashable {
    /// The DTD the document's DOCTYPE declares (internal subset and external DTD, loaded from the corpus directory
    /// only).
    case documentDTD
    /// A RELAX NG schema in XML syntax (a `.rng` file).
    case relaxNG(path: String)

    /// Checks `path` in one streaming pass of libxml2's text reader (which validates as it goes, DTDs as in
    /// `xmllint --valid --stream`, RELAX NG as in `xmllint --relaxng --stream`), before Montague's own reading.
    ///
    /// External DTDs and entities come from `options.externalResourceRoot` (or the file's directory) only, never
    /// from the network.
    /// - Throws: `CorpusError.Kind.invalidFile` with the first validity error's file, line and message, or the
    ///   file's well-formedness error; `.unreadable` when the file or schema cannot be read.
    /// - Returns: the validity warnings.
    @discardableResult
    public func validate(file path: String, options: XMLReadingOptions = XMLReadingOptions()) throws
        -> [CorpusError]
    {
        _ = restrictedEntityLoaderInstalled
        var flags = options.parserFlags | Int32(bitPattern: XML_PARSE_DTDLOAD.rawValue | XML_PARSE_DTDATTR.rawValue)
        if self == .documentDTD { flags |= Int32(bitPattern: XML_PARSE_DTDVALID.rawValue) }
        guard let reader = xmlReaderForFile(path, nil, flags) else {
            throw CorpusError(.unreadable, file: path, message: "libxml2 could not open the file for validation")
        }
        defer { xmlFreeTextReader(reader) }
        let collector = ValidationDiagnostics(fileName: path)
        let root =
            options.allowExternalResourcesAnywhere
            ? nil : (resolvedLocalPath(options.externalResourceRoot ?? directoryName(path)) ?? "/nonexistent")
        let address = UnsafeMutableRawPointer(reader)
        ValidatingReaders.insert(address, root: root)
        defer { ValidatingReaders.remove(address) }
        xmlTextReaderSetStructuredErrorHandler(
            reader, validationError, Unmanaged.passUnretained(collector).toOpaque())
        var compiled: xmlRelaxNGPtr?
        defer {
            if let compiled {
                // The reader uses the schema until it is told to stop (it is freed after this runs).
                xmlTextReaderRelaxNGSetSchema(reader, nil)
                xmlRelaxNGFree(compiled)
            }
        }
        if case .relaxNG(let schema) = self {
            // Compiled from memory: the schema is the user's own file, read directly, not through the entity loader
            // (which refuses everything outside a reader's corpus directory); `include`s in it are not followed.
            guard let bytes = FileManager.default.contents(atPath: schema) else {
                throw CorpusError(.unreadable, file: schema, message: "no such RELAX NG schema")
            }
            compiled = bytes.withUnsafeBytes { raw -> xmlRelaxNGPtr? in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self),
                    let parser = xmlRelaxNGNewMemParserCtxt(base, Int32(clamping: raw.count))
                else { return nil }
                defer { xmlRelaxNGFreeParserCtxt(parser) }
                xmlRelaxNGSetParserStructuredErrors(
                    parser, validationError, Unmanaged.passUnretained(collector).toOpaque())
                return xmlRelaxNGParse(parser)
            }
            guard let compiled, xmlTextReaderRelaxNGSetSchema(reader, compiled) == 0 else {
                throw CorpusError(
                    .invalidFile, file: schema,
                    message: "not a RELAX NG schema libxml2 can compile"
                        + (collector.firstError.map { ": " + $0.message } ?? ""))
            }
        }
        var status: Int32 = 1
        while status == 1 {
            status = xmlTextReaderRead(reader)
            if let error = collector.firstError { throw error }
        }
        if status < 0 {
            throw collector.firstError ?? CorpusError(.notWellFormed, file: path, message: "libxml2 stopped reading")
        }
        if xmlTextReaderIsValid(reader) == 0 {
            throw collector.firstError ?? CorpusError(.invalidFile, file: path, message: "the document is not valid")
        }
        return collector.warnings
    }
}

/// The errors of one validation pass.
private final class ValidationDiagnostics {
    let fileName: String
    var firstError: CorpusError?
    var warnings: [CorpusError] = []

    init(fileName: String) { self.fileName = fileName }

    func record(_ error: xmlError) {
        let message = error.message.map { String(cString: $0) } ?? "libxml2 error \(error.code)"
        let file = error.file.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? fileName
        let isValidity =
            error.domain == Int32(XML_FROM_VALID.rawValue) || error.domain == Int32(XML_FROM_RELAXNGV.rawValue)
            || error.domain == Int32(XML_FROM_RELAXNGP.rawValue)
        let diagnostic = CorpusError(
            isValidity ? .invalidFile : .notWellFormed, file: file, line: Int(error.line),
            column: Int(error.int2), message: (isValidity ? "not valid: " : "") + message)
        if error.level.rawValue >= XML_ERR_ERROR.rawValue {
            if firstError == nil { firstError = diagnostic }
        } else if warnings.count < 100 {
            warnings.append(diagnostic)
        }
    }
}

private func validationError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    Unmanaged<ValidationDiagnostics>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
}

/// The text readers of validation passes in progress (their addresses, which libxml2 stores as their parser
/// context's `_private`), with the directory their external resources may come from (nil: anywhere).
enum ValidatingReaders {
    private static let roots = Mutex<[Int: String?]>([:])

    static func insert(_ reader: UnsafeMutableRawPointer, root: String?) {
        roots.withLock { $0[Int(bitPattern: reader)] = .some(root) }
    }

    static func remove(_ reader: UnsafeMutableRawPointer) {
        _ = roots.withLock { $0.removeValue(forKey: Int(bitPattern: reader)) }
    }

    /// The root of a registered reader: nil when `reader` is not one, `.some(nil)` when it may read anywhere.
    static func root(of reader: UnsafeMutableRawPointer) -> String?? {
        roots.withLock { $0[Int(bitPattern: reader)] }
    }
}
