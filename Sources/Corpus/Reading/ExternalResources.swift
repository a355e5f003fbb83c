import CLibXML2
import Foundation
import Synchronization

/// libxml2's external-entity loader for the whole process, installed by the first reader: DTDs and external entities
/// are refused unless the parse was opened with `XML_PARSE_DTDLOAD` (which Montague sets only when the user asks for
/// local DTDs and entities); even then nothing comes from the network, and a Montague reader's parse reads only files
/// inside its resource root (the corpus directory) unless it was told to read anywhere. Parser contexts that belong
/// to no live Montague reader load nothing. Without this loader, `XML_PARSE_NOENT` would let a document read any
/// file an entity names (XXE).
let restrictedEntityLoaderInstalled: Void = {
    xmlInitParser()
    xmlSetExternalEntityLoader(restrictedEntityLoader)
}()

private func restrictedEntityLoader(
    _ url: UnsafePointer<CChar>?, _ identifier: UnsafePointer<CChar>?, _ context: xmlParserCtxtPtr?
) -> xmlParserInputPtr? {
    guard let context, context.pointee.options & Int32(bitPattern: XML_PARSE_DTDLOAD.rawValue) != 0 else {
        return nil
    }
    // libxml2 parses external entities in contexts of their own that share the document's `_private` (the reader's
    // event buffer, or a validation pass's text reader): that pointer identifies the reader, and its root.
    guard let state = context.pointee._private, let url else { return nil }
    let requested = String(cString: url)
    let root: String?
    var buffer: UnsafeMutablePointer<SAXEventBuffer>?
    if LiveReaders.contains(state) {
        buffer = state.assumingMemoryBound(to: SAXEventBuffer.self)
        root = buffer?.pointee.resourceRoot
    } else if let validating = ValidatingReaders.root(of: state) {
        root = validating
    } else {
        return nil
    }
    if let root {
        guard let resolved = resolvedLocalPath(requested), resolved == root || resolved.hasPrefix(root + "/") else {
            buffer?.pointee.refuseResource(requested, root: root)
            return nil
        }
    }
    return xmlNoNetExternalEntityLoader(url, identifier, context)
}

/// The event buffers of the readers alive in the process (their addresses), for the entity loader.
enum LiveReaders {
    private static let addresses = Mutex<Set<Int>>([])

    static func insert(_ state: UnsafeMutableRawPointer) {
        _ = addresses.withLock { $0.insert(Int(bitPattern: state)) }
    }

    static func remove(_ state: UnsafeMutableRawPointer) {
        _ = addresses.withLock { $0.remove(Int(bitPattern: state)) }
    }

    static func contains(_ state: UnsafeMutableRawPointer) -> Bool {
        addresses.withLock { $0.contains(Int(bitPattern: state)) }
    }
}

/// The absolute path without symbolic links of a local file named by a path or a `file:` URL; nil for other URLs or
/// files that do not exist.
func resolvedLocalPath(_ reference: String) -> String? {
    var path = reference
    if path.hasPrefix("file://") {
        path = String(path.dropFirst("file://".count))
        if !path.hasPrefix("/") { return nil }  // file://host/...
        path = path.removingPercentEncoding ?? path
    } else if path.contains("://") {
        return nil
    }
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// The directory part of a path ("." for a bare file name).
func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
