import Autodiff
import Foundation

/// How a ``TrainingLoop`` takes part in synchronous data-parallel training: every replica holds the whole model,
/// computes gradients on its own part of each global batch, and all replicas apply the same averaged gradient, so
/// their parameters stay identical (Dean et al. 2012, "Large Scale Distributed Deep Networks", synchronous variant;
/// Goyal et al. 2017, "Accurate, Large Minibatch SGD"). The `Distributed` module implements it over MPI.
///
/// The loop calls ``broadcastFromFirstReplica(_:)`` once before the first step (parameters, optimizer state and
/// training state of replica 0 — fresh or resumed — go to every replica) and ``averageMetrics(_:weight:)`` after
/// every step; the step closure calls ``TrainingStep/averageAcrossReplicas(_:weight:)`` between backward and the
/// optimizer update.
public protocol GradientSynchronizer: AnyObject {
    /// This replica's position among the replicas.
    var shard: DataShard { get }
    /// Replica 0's `bytes` on every replica (the other replicas' argument is ignored).
    func broadcastFromFirstReplica(_ bytes: [UInt8]) throws -> [UInt8]
    /// The weighted mean over replicas, `Σ_r w_r g_r / Σ_r w_r`, of each gradient; identical on every replica.
    /// With `w_r` the number of examples (or tokens) that replica `r`'s mean loss averaged over, this is the
    /// gradient of the mean loss over the whole global batch.
    func averageGradients(_ gradients: [Tensor], weight: Double) throws -> [Tensor]
    /// The weighted mean over replicas of each metric (every replica passes the same names).
    func averageMetrics(_ metrics: [String: Double], weight: Double) throws -> [String: Double]
}

/// Replica `index` of `count`: which part of each global batch this process trains on.
///
/// A global batch of `m` examples is split into `count` contiguous parts whose sizes differ by at most one; part
/// `index` is this replica's. Together the parts cover each example of the batch exactly once.
public struct DataShard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based replica index (the MPI rank).
    public let index: Int
    /// Number of replicas (the MPI world size).
    public let count: Int

    /// Replica `index` of `count` (precondition: `0 ≤ index < count`).
    public init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "DataShard: index \(index) outside 0..<\(count)")
        self.index = index
        self.count = count
    }

    /// The single replica of a run that is not data-parallel.
    public static let whole = DataShard(index: 0, count: 1)

    /// `replica 1 of 2` style.
    public var description: String { "replica \(index) of \(count)" }

    /// This replica's contiguous part of `batch`: sizes `⌊m / count⌋` or one more, the first `m mod count` parts
    /// the larger.
    public func part(of batch: Range<Int>) -> Range<Int> {
        let base = batch.count / count
        let extra = batch.count % count
        let start = batch.lowerBound + index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// The global batches of a data set of `exampleCount` examples when each replica takes `batchSizePerReplica`
    /// of every batch: consecutive ranges of `count · batchSizePerReplica` examples; a last range too small to give
    /// every replica an example joins the one before it, so no example is dropped and no part is empty.
    /// With one replica these are the plain consecutive batches of `batchSizePerReplica`.
    ///
    /// - Throws: ``TrainingError/tooFewExamples(examples:replicas:)`` when `exampleCount < count`.
    public func globalBatches(exampleCount: Int, batchSizePerReplica: Int) throws(TrainingError) -> [Range<Int>] {
        precondition(batchSizePerReplica > 0, "DataShard.globalBatches: batch size \(batchSizePerReplica) ≤ 0")
        guard exampleCount >= count else { throw .tooFewExamples(examples: exampleCount, replicas: count) }
        let size = batchSizePerReplica * count
        var batches = stride(from: 0, to: exampleCount, by: size).map { $0..<min($0 + size, exampleCount) }
        if batches.count > 1, let last = batches.last, last.count < count {
            batches.removeLast()
            batches[batches.count - 1] = batches[batches.count - 1].lowerBound..<last.upperBound
        }
        return batches
    }

    /// The examples this replica visits in `epoch`, step by step: the seeded permutation of
    /// ``TrainingStep/epochOrder(count:epoch:seed:)`` (the same on every replica) cut into global batches of
    /// `count · batchSizePerReplica` examples, of which this replica takes its ``part(of:)``. Over the replicas,
    /// every example appears exactly once per epoch (the distributed sampler of data-parallel training).
    public func epochBatches(
        exampleCount: Int, batchSizePerReplica: Int, epoch: Int, seed: UInt64
    ) throws(TrainingError) -> [[Int]] {
        let order = TrainingStep.epochOrder(count: exampleCount, epoch: epoch, seed: seed)
        return try globalBatches(exampleCount: exampleCount, batchSizePerReplica: batchSizePerReplica).map {
            Array(order[part(of: $0)])
        }
    }
}

extension GradientSynchronizer {
    /// Whether this replica writes outputs (checkpoints, metrics, model directories): replica 0 only.
    public var isWritingReplica: Bool { shard.index == 0 }

    /// Replica 0's training-state archive (parameters, optimizer moments, counters, generators) on every
    /// replica: how trainers with their own loops start every replica from replica 0's fresh or resumed state.
    public func broadcastFromFirstReplica(_ archive: TrainingStateArchive) throws -> TrainingStateArchive {
        let bytes =
            shard.index == 0
            ? [UInt8](SafetensorsFile.encode(tensors: archive.tensors, metadata: archive.metadata)) : []
        let received = try broadcastFromFirstReplica(bytes)
        guard shard.index != 0 else { return archive }
        let file = try SafetensorsFile(bytes: Data(received))
        return TrainingStateArchive(tensors: try file.tensors(), metadata: file.metadata, path: "replica 0's state")
    }

    /// Replica 0's metrics on every replica, bit for bit (also non-finite values): evaluation runs on replica 0
    /// alone and the others receive its result.
    public func broadcastFromFirstReplica(_ metrics: [String: Double]) throws -> [String: Double] {
        var bytes: [UInt8] = []
        if shard.index == 0 {
            for name in metrics.keys.sorted() {
                let utf8 = Array(name.utf8)
                bytes += Self.littleEndian(UInt64(utf8.count)) + utf8
                bytes += Self.littleEndian(metrics[name]?.bitPattern ?? 0)
            }
        }
        let received = try broadcastFromFirstReplica(bytes)
        guard shard.index != 0 else { return metrics }
        var result: [String: Double] = [:]
        var offset = 0
        func word() -> UInt64? {
            guard offset + 8 <= received.count else { return nil }
            defer { offset += 8 }
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(received[offset + $1]) << (8 * UInt64($1)) }
        }
        while let length = word(), offset + Int(length) <= received.count {
            let name = String(decoding: received[offset..<(offset + Int(length))], as: UTF8.self)
            offset += Int(length)
            guard let bits = word() else { break }
            result[name] = Double(bitPattern: bits)
        }
        return result
    }

    /// Replica 0's `decision` on every replica: decisions that depend on a clock or a signal (time limits, Ctrl-C)
    /// must be the same on every replica, or the others would wait forever in the next exchange.
    public func firstReplicaDecides(_ decision: Bool) throws -> Bool {
        try broadcastFromFirstReplica([decision ? 1 : 0]).first == 1
    }

    /// Checks that every replica holds bit-identical `parameters` (a 40-bit FNV-1a hash of their bits, averaged
    /// over the replicas, must equal each replica's own): the invariant of synchronous data parallelism, checked at
    /// the end of a run so that a divergence never goes unnoticed.
    ///
    /// - Throws: ``ReplicaDivergenceError`` on a replica whose parameters differ from the mean.
    public func verifyIdenticalParameters(_ parameters: [Tensor]) throws {
        guard shard.count > 1 else { return }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for tensor in parameters {
            tensor.scalars.withUnsafeBufferPointer { buffer in
                for value in buffer {
                    hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
                }
            }
        }
        let own = Double(hash & 0xFF_FFFF_FFFF)
        let mean = try averageMetrics(["parameter_hash": own], weight: 1)["parameter_hash"] ?? .nan
        guard mean == own else { throw ReplicaDivergenceError(replica: shard.index, replicas: shard.count) }
    }

    private static func littleEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}

/// The parameters of a data-parallel run differ between replicas (they must stay identical: every replica applies
/// the same averaged gradient from the same start).
public struct ReplicaDivergenceError: Error, Equatable, CustomStringConvertible {
    /// The replica that noticed.
    public let replica: Int
    /// The number of replicas.
    public let replicas: Int

    /// A one-line message.
    public var description: String {
        "the parameters of replica \(replica) of \(replicas) differ from the other replicas' after training"
    }
}
