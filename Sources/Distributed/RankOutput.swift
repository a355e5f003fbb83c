import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a rank of a data-parallel job writes an output that only rank 0 keeps: rank 0 writes to the path the user
/// gave; every other rank writes to a private scratch directory that ``removeScratch()`` deletes. Then the
/// user's output (model directory, metrics log) holds exactly one writer's files, on one machine or many, while
/// the library code that writes it stays the same for every rank.
///
/// A rank stopped by `MPI_Abort` (another rank failed) cannot delete its scratch directory. Scratch directories are
/// therefore named after the process that owns them, `montague-rank-<rank>-<pid>-<unique>`, and every new
/// ``RankOutput`` on the machine first deletes those whose process no longer runs (``removeStaleScratch(in:)``).
public struct RankOutput: Sendable {
    /// The path this rank writes to.
    public let path: String
    /// The scratch directory of a rank other than 0, nil on rank 0.
    public let scratchDirectory: URL?

    /// The prefix of every scratch directory's name.
    public static let scratchPrefix = "montague-rank-"

    /// `path` on rank 0; `<temporary directory>/montague-rank-<rank>-<pid>-<unique>/<last component of path>`
    /// elsewhere. Deletes stale scratch directories of earlier, aborted jobs first.
    public init(path: String, group: ProcessGroup) {
        Self.removeStaleScratch()
        if group.isMainRank {
            self.path = path
            scratchDirectory = nil
        } else {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "\(Self.scratchPrefix)\(group.rank)-\(getpid())-\(UUID().uuidString)")
            scratchDirectory = scratch
            self.path = scratch.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
        }
    }

    /// Deletes the scratch directory (nothing on rank 0).
    public func removeScratch() {
        if let scratchDirectory { try? FileManager.default.removeItem(at: scratchDirectory) }
    }

    /// Deletes the scratch directories in `directory` (the temporary directory by default) whose owning process
    /// has ended — left behind by ranks that `MPI_Abort` stopped. Directories of running processes, and names
    /// that do not carry a process id, are kept. Returns the names deleted.
    @discardableResult
    public static func removeStaleScratch(in directory: URL = FileManager.default.temporaryDirectory) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var removed: [String] = []
        for name in names where name.hasPrefix(scratchPrefix) {
            let fields = name.dropFirst(scratchPrefix.count).split(separator: "-", maxSplits: 2)
            guard fields.count == 3, Int(fields[0]) != nil, let pid = Int32(fields[1]), pid > 0 else { continue }
            guard kill(pid, 0) != 0 && errno == ESRCH else { continue }  // still running (or not ours to ask)
            if (try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))) != nil {
                removed.append(name)
            }
        }
        return removed
    }
}
