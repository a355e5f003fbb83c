import Autodiff
import Foundation
import NeuralNet

/// Synchronous data-parallel training over a ``ProcessGroup``: implements NeuralNet's ``GradientSynchronizer`` so a
/// ``TrainingLoop`` given it (its `synchronizer`) trains one model on every rank of an MPI job.
///
/// - Start: rank 0's checkpoint bytes (parameters, optimizer state, step, generator) are broadcast, so every rank
///   starts from rank 0's state — fresh or resumed, with the same or another number of ranks.
/// - Every step: each rank's gradients, scaled by its weight `w_r` (examples or tokens), are packed into fused
///   buckets of at most ``bucketCapacity`` floats, each bucket summed over the ranks by one `MPI_Allreduce`, and
///   unpacked divided by `Σ_r w_r`: the gradient of the mean loss over the whole global batch, identical on every
///   rank. Fusing many small tensors into few large messages pays the per-message latency once per bucket
///   (Sergeev & Del Balso 2018, "Horovod: fast and easy distributed deep learning in TensorFlow", tensor fusion;
///   Li et al. 2020, "PyTorch Distributed: Experiences on Accelerating Data Parallel Training", gradient buckets).
/// - Metrics are averaged with the same weights, so rank 0 logs the loss of the global batch.
///
/// ```swift
/// let world = try ProcessGroup.world()
/// loop.synchronizer = DataParallelSynchronizer(group: world)
/// ```
public final class DataParallelSynchronizer: GradientSynchronizer {
    /// The ranks that train together.
    public let group: ProcessGroup
    /// Floats per fused all-reduce message.
    public let bucketCapacity: Int
    /// What the gradient exchange has cost so far on this rank.
    public private(set) var statistics = ExchangeStatistics()
    private var bucket: [Float]

    /// What the gradient exchange cost: calls, bytes, and wall-clock seconds inside `MPI_Allreduce` (which include
    /// waiting for the slowest rank).
    public struct ExchangeStatistics: Sendable, Equatable {
        /// Gradient exchanges (steps).
        public var exchanges = 0
        /// All-reduce messages (fused buckets).
        public var messages = 0
        /// Bytes all-reduced by this rank.
        public var bytes = 0
        /// Wall-clock seconds spent packing, all-reducing and unpacking gradients.
        public var seconds = 0.0
    }

    /// A synchronizer over `group` with fused buckets of `bucketBytes` (default 8 MiB; Horovod's fusion threshold
    /// defaults to 64 MiB, PyTorch DDP's bucket to 25 MiB — our models are smaller).
    public init(group: ProcessGroup, bucketBytes: Int = 8 << 20) {
        precondition(bucketBytes >= 8, "DataParallelSynchronizer: bucketBytes \(bucketBytes) < 8")
        self.group = group
        self.bucketCapacity = bucketBytes / MemoryLayout<Float>.stride
        self.bucket = []
    }

    /// This rank as a replica: index `rank` of `size`.
    public var shard: DataShard { DataShard(index: group.rank, count: group.size) }

    /// Rank 0's bytes on every rank.
    public func broadcastFromFirstReplica(_ bytes: [UInt8]) throws -> [UInt8] {
        try group.broadcast(bytes: bytes, root: 0)
    }

    /// `Σ_r w_r g_r / Σ_r w_r` for each gradient, exchanged in fused buckets (the first element of the stream is
    /// the weight itself, so its sum arrives with the first bucket).
    ///
    /// - Throws: ``DistributedError`` when a call fails or the ranks' gradient sizes differ.
    public func averageGradients(_ gradients: [Tensor], weight: Double) throws -> [Tensor] {
        guard group.size > 1 else { return gradients }
        let start = ProcessInfo.processInfo.systemUptime
        let total = 1 + gradients.reduce(0) { $0 + $1.count }
        try group.agreeOnCount(total, "averageGradients")
        let capacity = min(bucketCapacity, total)
        if bucket.count < capacity { bucket = [Float](repeating: 0, count: capacity) }
        var outputs = gradients.map { [Float](repeating: 0, count: $0.count) }
        let scale = Float(weight)
        var inverseTotalWeight: Float = 0
        var streamStart = 0
        while streamStart < total {
            let streamEnd = min(streamStart + capacity, total)
            let length = streamEnd - streamStart
            try bucket.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                // Pack: stream position 0 is the weight, then the gradients one after another.
                forEachSegment(gradients, streamStart, streamEnd) { tensor, tensorRange, bucketOffset in
                    gradients[tensor].scalars.withUnsafeBufferPointer { source in
                        for (slot, index) in tensorRange.enumerated() {
                            base[bucketOffset + slot] = scale * source[index]
                        }
                    }
                }
                if streamStart == 0 { base[0] = scale }
                try group.allReduce(UnsafeMutableBufferPointer(start: base, count: length), .sum)
                if streamStart == 0 { inverseTotalWeight = base[0] > 0 ? 1 / base[0] : 0 }
                // Unpack divided by the total weight.
                let factor = inverseTotalWeight
                forEachSegment(gradients, streamStart, streamEnd) { tensor, tensorRange, bucketOffset in
                    outputs[tensor].withUnsafeMutableBufferPointer { target in
                        for (slot, index) in tensorRange.enumerated() {
                            target[index] = factor * base[bucketOffset + slot]
                        }
                    }
                }
            }
            statistics.messages += 1
            statistics.bytes += length * MemoryLayout<Float>.stride
            streamStart = streamEnd
        }
        statistics.exchanges += 1
        statistics.seconds += ProcessInfo.processInfo.systemUptime - start
        return zip(gradients, outputs).map { Tensor(shape: $0.shape, scalars: $1) }
    }

    /// The weighted mean over ranks of each metric; throws when the ranks report different metric names.
    public func averageMetrics(_ metrics: [String: Double], weight: Double) throws -> [String: Double] {
        guard group.size > 1 else { return metrics }
        let names = metrics.keys.sorted()
        let fingerprint = Double(Self.fingerprint(of: names))
        let agreement = try group.range(of: fingerprint)
        guard agreement.lowerBound == agreement.upperBound else {
            throw DistributedError.mismatch(
                operation: "averageMetrics", detail: "rank \(group.rank) reports metrics \(names), another rank others")
        }
        var values = names.map { weight * (metrics[$0] ?? 0) } + [weight]
        try group.allReduce(&values, .sum)
        let totalWeight = values[names.count]
        var averaged: [String: Double] = [:]
        for (index, name) in names.enumerated() { averaged[name] = totalWeight > 0 ? values[index] / totalWeight : 0 }
        return averaged
    }

    /// Calls `body(tensor, indices in that tensor, offset in the bucket)` for each gradient overlapping the stream
    /// positions `streamStart..<streamEnd` (stream position 0 is the weight; tensor data starts at 1).
    private func forEachSegment(
        _ gradients: [Tensor], _ streamStart: Int, _ streamEnd: Int, _ body: (Int, Range<Int>, Int) -> Void
    ) {
        var tensorStart = 1
        for (tensor, gradient) in gradients.enumerated() {
            let tensorEnd = tensorStart + gradient.count
            let lower = max(tensorStart, streamStart)
            let upper = min(tensorEnd, streamEnd)
            if lower < upper { body(tensor, (lower - tensorStart)..<(upper - tensorStart), lower - streamStart) }
            if tensorEnd >= streamEnd { break }
            tensorStart = tensorEnd
        }
    }

    /// A 40-bit FNV-1a hash of the names (exact in a `Double`), equal on ranks reporting the same names.
    static func fingerprint(of names: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in names.joined(separator: "\u{1F}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash & 0xFF_FFFF_FFFF
    }
}
