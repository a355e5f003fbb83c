import Autodiff

/// What a ``TrainingLoop`` hands to its step closure: which step this is, and the run's random generator.
///
/// Everything a step draws at random must come from ``generator`` (or from ``epochOrder(count:)``), so a run
/// resumed from a checkpoint repeats exactly the same steps.
public struct TrainingStep {
    /// 0-based index of this step (the number of steps done before it).
    public let index: Int
    /// 0-based epoch of this step (`index / stepsPerEpoch`; 0 when the loop has no epochs).
    public let epoch: Int
    /// 0-based position of this step in its epoch.
    public let indexInEpoch: Int
    /// The run's generator; what the step consumes is saved in checkpoints.
    public var generator: RandomGenerator
    /// The run's seed.
    public let seed: UInt64
    /// This replica's part of each global batch in data-parallel training (``DataShard/whole`` otherwise).
    public let shard: DataShard
    /// The weight this step passed to ``averageAcrossReplicas(_:weight:)``, nil before it was called.
    public private(set) var replicaWeight: Double?
    let synchronizer: (any GradientSynchronizer)?

    /// A step context (the loop makes these; public for tests and custom loops).
    public init(index: Int, epoch: Int, indexInEpoch: Int, generator: RandomGenerator, seed: UInt64) {
        self.init(
            index: index, epoch: epoch, indexInEpoch: indexInEpoch, generator: generator, seed: seed,
            synchronizer: nil)
    }

    init(
        index: Int, epoch: Int, indexInEpoch: Int, generator: RandomGenerator, seed: UInt64,
        synchronizer: (any GradientSynchronizer)?
    ) {
        self.index = index
        self.epoch = epoch
        self.indexInEpoch = indexInEpoch
        self.generator = generator
        self.seed = seed
        self.shard = synchronizer?.shard ?? .whole
        self.synchronizer = synchronizer
    }

    /// The gradients averaged over the replicas of a data-parallel run, weighted by each replica's `weight` (the
    /// number of examples or tokens its mean loss averaged over); `gradients` unchanged when the run is not
    /// data-parallel. Call it between backward and clipping or the optimizer step; the loop also averages the
    /// step's metrics with this weight. See ``GradientSynchronizer``.
    public mutating func averageAcrossReplicas(_ gradients: [Tensor], weight: Double = 1) throws -> [Tensor] {
        replicaWeight = weight
        guard let synchronizer else { return gradients }
        return try synchronizer.averageGradients(gradients, weight: weight)
    }

    /// A permutation of `0..<count` that depends only on the run's seed and this step's epoch: the order in which
    /// to visit examples or batches during this epoch (batch `order[indexInEpoch]`). It does not consume
    /// ``generator``, so resuming in the middle of an epoch continues the same order.
    public func epochOrder(count: Int) -> [Int] { Self.epochOrder(count: count, epoch: epoch, seed: seed) }

    /// The Fisher–Yates permutation of `0..<count` drawn from a generator seeded by `seed` and `epoch`.
    public static func epochOrder(count: Int, epoch: Int, seed: UInt64) -> [Int] {
        precondition(count >= 0, "TrainingStep.epochOrder: count \(count) must not be negative")
        var generator = RandomGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &+ 1) &* 0x9E37_79B9_7F4A_7C15)
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, generator.nextInt(below: i + 1))
            i -= 1
        }
        return order
    }
}
