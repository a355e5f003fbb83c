import Foundation

/// Where a rank of a data-parallel job writes an output that only rank 0 keeps: rank 0 writes to the path the user
/// gave; every other rank writes to a private scratch directory that ``removeScratch()`` deletes. Then the
/// user's output (model directory, metrics log) holds exactly one writer's files, on one machine or many, while
/// the library code that writes it stays the same for every rank.
public struct RankOutput: Sendable {
    /// The path this rank writes to.
    public let path: String
    /// The scratch directory of a rank other than 0, nil on rank 0.
    public let scratchDirectory: URL?

    /// `path` on rank 0; `<temporary directory>/montague-rank-<rank>-<unique>/<last component of path>` elsewhere.
    public init(path: String, group: ProcessGroup) {
        if group.isMainRank {
            self.path = path
            scratchDirectory = nil
        } else {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "montague-rank-\(group.rank)-\(UUID().uuidString)")
            scratchDirectory = scratch
            self.path = scratch.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
        }
    }

    /// Deletes the scratch directory (nothing on rank 0).
    public func removeScratch() {
        if let scratchDirectory { try? FileManager.default.removeItem(at: scratchDirectory) }
    }
}
