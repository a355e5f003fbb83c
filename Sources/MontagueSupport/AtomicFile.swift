import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An error writing a file: the path and the system's reason.
public struct FileWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The destination path.
    public let path: String
    /// What went wrong, in words (`strerror`'s text or a description).
    public let reason: String

    /// Makes an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: error: cannot write: reason`, the located form every Montague command prints.
    public var description: String { "\(path): error: cannot write: \(reason)" }
}

/// Writes files atomically: into a temporary file beside the destination, flushed to disk, then renamed over it, so
/// a reader sees the old file or the new one — never a partial file — and a failed write leaves the old file intact.
public enum AtomicFile {
    /// Writes `data` to `url` atomically.
    ///
    /// - Throws: ``FileWriteError`` naming the destination.
    public static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        try write(to: url) { descriptor throws(FileWriteError) in
            var failure: FileWriteError?
            data.withUnsafeBytes { buffer in
                do throws(FileWriteError) { try writeAll(descriptor, buffer, path: url.path) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Writes the UTF-8 of `text` to `url` atomically.
    public static func write(_ text: String, to url: URL) throws(FileWriteError) {
        try write(Data(text.utf8), to: url)
    }

    /// Streams output into `url` atomically: `body` writes to a file descriptor of a temporary file, which replaces
    /// `url` only when `body` returns normally (on error the temporary file is removed and the error rethrown).
    public static func write(
        to url: URL, _ body: (Int32) throws(FileWriteError) -> Void
    ) throws(FileWriteError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileWriteError(path: url.path, reason: "cannot create a temporary file beside it: \(errnoText())")
        }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(descriptor) }
            if !renamed { unlink(temporary.path) }
        }
        try body(descriptor)
        guard fsync(descriptor) == 0 else { throw FileWriteError(path: url.path, reason: "fsync: \(errnoText())") }
        closed = true
        guard close(descriptor) == 0 else { throw FileWriteError(path: url.path, reason: "close: \(errnoText())") }
        guard rename(temporary.path, url.path) == 0 else {
            throw FileWriteError(path: url.path, reason: errnoText())
        }
        renamed = true
        let directoryDescriptor = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Writes all of `buffer` to `descriptor`, retrying on `EINTR` and short writes.
    public static func writeAll(
        _ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, path: String
    ) throws(FileWriteError) {
        guard let base = buffer.baseAddress else { return }
        var written = 0
        while written < buffer.count {
            let result = systemWrite(descriptor, base + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw FileWriteError(path: path, reason: errnoText())
            }
            written += result
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// POSIX `write(2)`.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
