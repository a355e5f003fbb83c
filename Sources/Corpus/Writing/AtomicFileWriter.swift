import Foundation
import MontagueSupport

/// Writes files atomically: into a temporary file beside the destination, flushed to disk, then renamed over it, so
/// readers never see a half-written file and a failed write leaves the old file intact.
public enum AtomicFileWriter {
    /// Writes `data` to `path` atomically (through MontagueSupport's `AtomicFile`).
    /// - Throws: `CorpusError.Kind.writeFailed` with the path.
    public static func write(_ data: Data, to path: String) throws {
        do {
            try AtomicFile.write(data, to: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError(.writeFailed, file: path, message: error.reason)
        }
    }

    /// Streams output into `path` atomically: `body` writes to a handle on a temporary file, which replaces `path`
    /// only when `body` returns normally (on error it is removed and the error rethrown).
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        var bodyError: (any Error)?
        do {
            try AtomicFile.write(to: URL(fileURLWithPath: path)) { descriptor throws(FileWriteError) in
                let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
                do {
                    try body(handle)
                } catch {
                    bodyError = error
                    throw FileWriteError(path: path, reason: "\(error)")
                }
            }
        } catch {
            if let corpusError = bodyError as? CorpusError { throw corpusError }
            if let bodyError {
                throw CorpusError(.writeFailed, file: path, message: "\(bodyError.localizedDescription)")
            }
            throw CorpusError(.writeFailed, file: path, message: error.reason)
        }
    }

    /// A temporary file name in the destination's directory (renames are atomic only within one file system).
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
    }

    /// Renames a finished temporary file over the destination.
    static func commit(_ temporary: String, to path: String) throws {
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw CorpusError(.writeFailed, file: path, message: reason)
        }
    }
}
