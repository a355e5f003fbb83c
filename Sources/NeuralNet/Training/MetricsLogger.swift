import Foundation

/// Appends ``MetricsRecord``s to a JSON Lines file, one object per line, each line written (and so visible to
/// readers such as `tail -f` or `montague plot`) as soon as it is logged.
///
/// ```swift
/// let logger = try MetricsLogger(url: URL(fileURLWithPath: "run.jsonl"))
/// try logger.log(MetricsRecord(phase: "train", step: 1, epoch: 0, wallTime: 0.1, metrics: ["loss": 0.7]))
/// ```
///
/// When a run resumes from a checkpoint taken at step `s`, open the log with `keepingRecordsThrough: s`: records
/// of later steps (written by the interrupted run after its last checkpoint) are dropped, so the file reads as one
/// uninterrupted run.
public final class MetricsLogger {
    /// The file written.
    public let url: URL
    private let handle: FileHandle

    /// Opens `url` for writing. A new run (`keepingRecordsThrough` nil) starts an empty file; a resumed run keeps
    /// the existing lines whose `step` is at most the given step and appends after them.
    public init(url: URL, keepingRecordsThrough step: Int? = nil) throws(TrainingError) {
        self.url = url
        let fileManager = FileManager.default
        var kept = Data()
        if let step, let existing = fileManager.contents(atPath: url.path) {
            for line in existing.split(separator: UInt8(ascii: "\n")) where Self.step(ofLine: Data(line)) ?? 0 <= step {
                kept.append(contentsOf: line)
                kept.append(UInt8(ascii: "\n"))
            }
        }
        do {
            try kept.write(to: url, options: .atomic)
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            self.handle = handle
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    deinit { try? handle.close() }

    /// Writes `record` as one line.
    public func log(_ record: MetricsRecord) throws(TrainingError) {
        do {
            try handle.write(contentsOf: Data((record.jsonLine + "\n").utf8))
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The `step` of a JSON line, or nil when the line is not such a record.
    private static func step(ofLine line: Data) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else { return nil }
        return (object["step"] as? NSNumber)?.intValue
    }
}
