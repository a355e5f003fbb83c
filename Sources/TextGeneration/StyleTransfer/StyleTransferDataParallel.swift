import Autodiff
import NeuralNet

/// Data-parallel pieces shared by ``CrossAlignedTraining`` and ``AdversarialStyleTraining``.
extension CrossAlignedTraining {
    /// This replica's batches: the batches of ``batches(_:batchSize:seed:)`` for the global batch size
    /// `batchSize × replicas` (the same on every replica), of which the replica keeps its ``DataShard/part(of:)`` of
    /// each style's sentences, so every replica trains on the same number of sentences of every style. A last
    /// batch with fewer sentences of a style than replicas joins the batch before it. With one replica, exactly
    /// ``batches(_:batchSize:seed:)``.
    static func replicaBatches(_ sentences: [[[Int]]], batchSize: Int, seed: UInt64, shard: DataShard)
        -> [[(ids: [Int], style: Int)]]
    {
        var global = batches(sentences, batchSize: batchSize * shard.count, seed: seed)
        guard shard.count > 1 else { return global }
        func fewest(_ batch: [(ids: [Int], style: Int)]) -> Int {
            (0..<sentences.count).map { style in batch.filter { $0.style == style }.count }.min() ?? 0
        }
        if global.count > 1, let last = global.last, fewest(last) < shard.count {
            global.removeLast()
            global[global.count - 1] += last
        }
        return global.map { batch in
            (0..<sentences.count).flatMap { style -> [(ids: [Int], style: Int)] in
                let rows = batch.filter { $0.style == style }
                return Array(rows[shard.part(of: rows.indices)])
            }
        }
    }

    /// The gradients of the two parameter groups averaged over the replicas in one exchange, weighted by the
    /// replica's `sentences` (unchanged without a synchronizer).
    static func averaged(
        _ first: [Tensor], _ second: [Tensor], sentences: Int, synchronizer: (any GradientSynchronizer)?
    ) throws -> ([Tensor], [Tensor]) {
        guard let synchronizer else { return (first, second) }
        let all = try synchronizer.averageGradients(first + second, weight: Double(sentences))
        return (Array(all[..<first.count]), Array(all[first.count...]))
    }
}
