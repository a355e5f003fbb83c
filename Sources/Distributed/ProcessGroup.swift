import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ranks of a distributed job and the collective operations between them: barrier, broadcast, all-reduce and
/// gather, over Open MPI (The MPI Forum, *MPI: A Message-Passing Interface Standard*, version 3.1, chapter 5).
///
/// ``world(environment:)`` returns the job's group: when an MPI launcher (`mpirun`, `srun`) started the process it
/// initializes MPI once and reads the rank and size of `MPI_COMM_WORLD`; otherwise it returns a single-process group
/// whose operations are identities and which never loads an MPI library. Every MPI call runs with
/// `MPI_ERRORS_RETURN`, so a failing call throws ``DistributedError/mpi(operation:code:message:)`` with MPI's own
/// message instead of killing the process. Collective calls must be made by every rank in the same order with
/// agreeing sizes (MPI's rule); the typed wrappers check what they cheaply can and throw
/// ``DistributedError/mismatch(operation:detail:)``.
///
/// When `MONTAGUE_MPI_TIMEOUT` holds a number of seconds, a collective call still waiting for the other ranks after
/// that long prints which call and rank waited and ends the process (exit code 3); the launcher then stops the
/// whole job, so a rank that died or hung never leaves the others waiting forever.
///
/// ```swift
/// let world = try ProcessGroup.world()
/// var gradient: [Float] = [Float(world.rank), 1]
/// try world.allReduce(&gradient, .mean)   // every rank: [(size - 1) / 2, 1]
/// try world.finalize()
/// ```
/// Run with `mpirun -np 2 program` (see docs/distributed.md).
public final class ProcessGroup: @unchecked Sendable {
    /// This process's rank, `0..<size`.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    /// What carries the messages: `single process` or the MPI library's version text.
    public let backendDescription: String
    /// Seconds a collective call may wait before the process gives up (`MONTAGUE_MPI_TIMEOUT`); nil waits forever.
    public let collectiveTimeout: Double?

    let library: OpenMPILibrary?
    private let watchdog: CollectiveWatchdog?
    private var isFinalized = false

    /// Whether this is rank 0, the rank that alone writes files in data-parallel training.
    public var isMainRank: Bool { rank == 0 }

    /// A group of one process: every collective operation returns its input.
    public static func singleProcess() -> ProcessGroup {
        ProcessGroup(rank: 0, size: 1, library: nil, description: "single process", timeout: nil)
    }

    private init(rank: Int, size: Int, library: OpenMPILibrary?, description: String, timeout: Double?) {
        self.rank = rank
        self.size = size
        self.library = library
        self.backendDescription = description
        self.collectiveTimeout = timeout
        self.watchdog = timeout.map { CollectiveWatchdog(rank: rank, timeout: $0) }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var sharedWorld: ProcessGroup?

    /// The job's world: all ranks started by the MPI launcher, or a single-process group when no launcher started
    /// this process (see ``LaunchEnvironment``). MPI is initialized on the first call; later calls return the same
    /// group.
    ///
    /// - Throws: ``DistributedError`` when a launcher started the process but the MPI library cannot be loaded or
    ///   initialized.
    public static func world(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ProcessGroup {
        let launch = LaunchEnvironment(environment)
        guard launch.isLaunchedByMPI else { return singleProcess() }
        lock.lock()
        defer { lock.unlock() }
        if let sharedWorld { return sharedWorld }
        let library = try OpenMPILibrary(candidates: OpenMPILibrary.candidates(override: launch.libraryOverride))
        var flag: Int32 = 0
        try library.check(library.initialized(&flag), "MPI_Initialized")
        if flag == 0 { try library.check(library.initialize(nil, nil), "MPI_Init") }
        try library.check(
            library.commSetErrorHandler(library.commWorld, library.errorsReturn), "MPI_Comm_set_errhandler")
        var rank: Int32 = 0
        var size: Int32 = 0
        try library.check(library.commRank(library.commWorld, &rank), "MPI_Comm_rank")
        try library.check(library.commSize(library.commWorld, &size), "MPI_Comm_size")
        let timeout = environment["MONTAGUE_MPI_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil }
        let group = ProcessGroup(
            rank: Int(rank), size: Int(size), library: library, description: library.versionText, timeout: timeout)
        sharedWorld = group
        return group
    }

    // MARK: - Collective operations

    /// Waits until every rank has called `barrier()` (`MPI_Barrier`).
    public func barrier() throws {
        guard let library, size > 1 else { return }
        try collective("MPI_Barrier") { library.barrier(library.commWorld) }
    }

    /// Replaces `buffer` on every rank by `root`'s (`MPI_Bcast`); every rank must pass the same count.
    public func broadcast(_ buffer: inout [Float], root: Int = 0) throws {
        try checkRoot(root, "broadcast")
        guard let library, size > 1 else { return }
        try agreeOnCount(buffer.count, "broadcast")
        try buffer.withUnsafeMutableBytes { raw in
            try broadcastRaw(raw, library: library, root: root)
        }
    }

    /// `root`'s bytes on every rank, whatever the other ranks pass (their length need not agree: the length is
    /// broadcast first). Used to send a checkpoint from rank 0.
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        try checkRoot(root, "broadcast")
        guard let library, size > 1 else { return bytes }
        var length = [Double(bytes.count)]
        try length.withUnsafeMutableBytes { raw in
            try collective("MPI_Bcast") {
                library.broadcast(raw.baseAddress, 1, library.double, Int32(root), library.commWorld)
            }
        }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try result.withUnsafeMutableBytes { raw in
            try broadcastRaw(raw, library: library, root: root)
        }
        return result
    }

    /// Combines `buffer` element by element over all ranks, in place on every rank (`MPI_Allreduce` with
    /// `MPI_IN_PLACE`); every rank must pass the same count.
    public func allReduce(_ buffer: inout [Float], _ operation: ReductionOperation = .sum) throws {
        try buffer.withUnsafeMutableBufferPointer { pointer in
            try allReduce(pointer, operation)
        }
    }

    /// ``allReduce(_:_:)`` on memory the caller owns (the fused gradient buckets of data-parallel training).
    public func allReduce(
        _ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReductionOperation = .sum
    ) throws {
        guard let library, size > 1, let base = buffer.baseAddress, buffer.count > 0 else { return }
        guard buffer.count <= Int(Int32.max) else {
            throw DistributedError.invalidArgument(
                operation: "allReduce", detail: "\(buffer.count) elements exceed MPI's int count")
        }
        let op = operation == .maximum ? library.maximum : library.sum
        try collective("MPI_Allreduce") {
            library.allreduce(
                OpenMPILibrary.inPlace, base, Int32(buffer.count), library.float, op, library.commWorld)
        }
        if operation == .mean {
            let scale = 1 / Float(size)
            for index in 0..<buffer.count { base[index] *= scale }
        }
    }

    /// ``allReduce(_:_:)`` of `Double` values (metrics, counts).
    public func allReduce(_ values: inout [Double], _ operation: ReductionOperation = .sum) throws {
        guard let library, size > 1, !values.isEmpty else { return }
        let op = operation == .maximum ? library.maximum : library.sum
        let count = Int32(values.count)
        try values.withUnsafeMutableBytes { raw in
            try collective("MPI_Allreduce") {
                library.allreduce(OpenMPILibrary.inPlace, raw.baseAddress, count, library.double, op, library.commWorld)
            }
        }
        if operation == .mean { values = values.map { $0 / Double(size) } }
    }

    /// Every rank's `value` at `root`, in rank order (nil on the other ranks): `MPI_Gather` of the encoded lengths,
    /// then `MPI_Gatherv` of the JSON encodings, so ranks may send values of different sizes (metrics dictionaries).
    ///
    /// - Throws: ``DistributedError`` for a failed call or a value that does not encode or decode.
    public func gather<Value: Codable>(_ value: Value, root: Int = 0) throws -> [Value]? {
        try checkRoot(root, "gather")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(value)) } catch {
            throw DistributedError.invalidArgument(operation: "gather", detail: "cannot encode the value: \(error)")
        }
        let pieces = try gather(bytes: bytes, root: root)
        guard let pieces else { return nil }
        var values: [Value] = []
        for piece in pieces {
            do { values.append(try JSONDecoder().decode(Value.self, from: Data(piece))) } catch {
                throw DistributedError.mismatch(
                    operation: "gather", detail: "a rank sent a value of another type: \(error)")
            }
        }
        return values
    }

    /// Every rank's bytes at `root`, in rank order (nil on the other ranks).
    public func gather(bytes: [UInt8], root: Int = 0) throws -> [[UInt8]]? {
        try checkRoot(root, "gather")
        guard let library, size > 1 else { return [bytes] }
        guard bytes.count <= Int(Int32.max) else {
            throw DistributedError.invalidArgument(
                operation: "gather", detail: "\(bytes.count) bytes exceed MPI's int count")
        }
        var count = Int32(bytes.count)
        var counts = [Int32](repeating: 0, count: rank == root ? size : 1)
        try withUnsafeMutableBytes(of: &count) { send in
            try counts.withUnsafeMutableBytes { receive in
                try collective("MPI_Gather") {
                    library.gather(
                        send.baseAddress, 1, library.int, receive.baseAddress, 1, library.int, Int32(root),
                        library.commWorld)
                }
            }
        }
        var offsets = [Int32](repeating: 0, count: counts.count)
        var total = 0
        for index in counts.indices {
            guard total <= Int(Int32.max) else {
                throw DistributedError.invalidArgument(
                    operation: "gather", detail: "\(total) bytes in all exceed MPI's int count")
            }
            offsets[index] = Int32(total)
            total += Int(counts[index])
        }
        var received = [UInt8](repeating: 0, count: rank == root ? max(total, 1) : 1)
        try bytes.withUnsafeBytes { send in
            try received.withUnsafeMutableBytes { receive in
                try counts.withUnsafeBufferPointer { countPointer in
                    try offsets.withUnsafeBufferPointer { offsetPointer in
                        try collective("MPI_Gatherv") {
                            library.gatherv(
                                send.baseAddress ?? UnsafeRawPointer(receive.baseAddress), Int32(bytes.count),
                                library.byte, receive.baseAddress, countPointer.baseAddress,
                                offsetPointer.baseAddress, library.byte, Int32(root), library.commWorld)
                        }
                    }
                }
            }
        }
        guard rank == root else { return nil }
        return counts.indices.map { index in
            let start = Int(offsets[index])
            return Array(received[start..<start + Int(counts[index])])
        }
    }

    // MARK: - Ending the job

    /// Ends MPI for this process (`MPI_Finalize`); call once on every rank after the last collective call.
    /// A single-process group does nothing.
    public func finalize() throws {
        guard let library, !isFinalized else { return }
        isFinalized = true
        watchdog?.stop()
        var flag: Int32 = 0
        try library.check(library.finalized(&flag), "MPI_Finalized")
        if flag == 0 { try library.check(library.finalize(), "MPI_Finalize") }
    }

    /// Stops every rank of the job (`MPI_Abort`) after printing `message` prefixed with this rank to standard
    /// error: what a rank must do when it fails while the others may be waiting in a collective call. A
    /// single-process group exits with `code` after printing.
    public func abortJob(message: String, code: Int32 = 2) -> Never {
        let prefix = size > 1 ? "rank \(rank) of \(size): " : ""
        FileHandle.standardError.write(Data("\(prefix)\(message)\n".utf8))
        if let library, size > 1 { _ = library.abort(library.commWorld, code) }
        exit(code)
    }

    /// `MPI_Bcast` of `count` floats from rank 0 without any check of Montague's own, so tests can make MPI
    /// itself report an error (a negative count) and see it thrown with MPI's message.
    package func broadcastWithCount(_ count: Int32) throws {
        guard let library, size > 1 else { return }
        var buffer: [Float] = [0]
        try buffer.withUnsafeMutableBytes { raw in
            try collective("MPI_Bcast") {
                library.broadcast(raw.baseAddress, count, library.float, 0, library.commWorld)
            }
        }
    }

    // MARK: - Internals

    private func checkRoot(_ root: Int, _ operation: String) throws {
        guard (0..<size).contains(root) else {
            throw DistributedError.invalidArgument(
                operation: operation, detail: "root \(root) is not a rank of a world of \(size)")
        }
    }

    /// Throws on every rank when the ranks pass different element counts (a cheap check before a collective whose
    /// counts MPI requires to agree).
    func agreeOnCount(_ count: Int, _ operation: String) throws {
        let bounds = try range(of: Double(count))
        if bounds.lowerBound != bounds.upperBound {
            throw DistributedError.mismatch(
                operation: operation,
                detail: "element counts range from \(Int(bounds.lowerBound)) to \(Int(bounds.upperBound))")
        }
    }

    /// The smallest and largest `value` over the ranks (one maximum all-reduce of `value` and `-value`).
    func range(of value: Double) throws -> ClosedRange<Double> {
        var bounds = [value, -value]
        try allReduce(&bounds, .maximum)
        return -bounds[1]...bounds[0]
    }

    private func broadcastRaw(
        _ raw: UnsafeMutableRawBufferPointer, library: OpenMPILibrary, root: Int
    ) throws {
        var offset = 0
        let chunk = Int(Int32.max)
        while offset < raw.count {
            let count = min(chunk, raw.count - offset)
            let base = raw.baseAddress.map { $0 + offset }
            try collective("MPI_Bcast") {
                library.broadcast(base, Int32(count), library.byte, Int32(root), library.commWorld)
            }
            offset += count
        }
    }

    /// Runs one MPI collective call under the watchdog and turns its return code into a thrown error.
    private func collective(_ operation: String, _ call: () -> Int32) throws {
        guard let library else { return }
        watchdog?.begin(operation)
        let code = call()
        watchdog?.end()
        try library.check(code, operation)
    }
}
