import Foundation

/// Writes files atomically: into a temporary file beside the destination, flushed to disk, then renamed over it, so
/// readers never see a half-written file and a failed write leaves the old file intact.
public enum AtomicFileWriter {
    /// Writes `data` to `path` atomically.
    /// - Throws: `CorpusError.Kind.writeFailed` with the path.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { handle in try handle.write(contentsOf: data) }
    }

    /// Streams output into `path` atomically: `body` writes to a handle on a temporary file, which replaces `path`
    /// only when `body` returns normally (on error it is removed).
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CorpusError(.writeFailed, file: path, message: "cannot create a file in the destination directory")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            do {
                try body(handle)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            try commit(temporary, to: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let error = error as? CorpusError { throw error }
            throw CorpusError(.writeFailed, file: path, message: "\(error.localizedDescription)")
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
