import Autodiff
import Foundation

/// A binary tree whose leaves hold priorities and whose inner nodes hold the sums of their children: O(log n)
/// updates and O(log n) lookup of the leaf where a prefix sum falls (Schaul et al., "Prioritized experience replay",
/// ICLR 2016, appendix B.2.1).
public struct SumTree: Sendable {
    /// Leaves (a power of two ≥ capacity).
    public let leafCount: Int
    private var nodes: [Double]

    /// A tree of zero priorities for `capacity` leaves.
    public init(capacity: Int) {
        precondition(capacity > 0, "SumTree: capacity must be positive, got \(capacity)")
        var leaves = 1
        while leaves < capacity { leaves *= 2 }
        leafCount = leaves
        nodes = [Double](repeating: 0, count: 2 * leaves)
    }

    /// The sum of all priorities.
    public var total: Double { nodes[1] }

    /// The priority of leaf `index`.
    public subscript(index: Int) -> Double { nodes[leafCount + index] }

    /// Sets leaf `index` to `priority` and updates the sums above it.
    public mutating func update(_ index: Int, priority: Double) {
        precondition(priority >= 0 && priority.isFinite, "SumTree.update: priority \(priority) must be finite, ≥ 0")
        var node = leafCount + index
        nodes[node] = priority
        node /= 2
        while node >= 1 {
            nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
            node /= 2
        }
    }

    /// The leaf where the running sum of priorities first exceeds `prefix` (0 ≤ prefix < total).
    public func leaf(forPrefixSum prefix: Double) -> Int {
        var node = 1
        var remaining = prefix
        while node < leafCount {
            let left = 2 * node
            if remaining < nodes[left] || nodes[left + 1] == 0 {
                node = left
            } else {
                remaining -= nodes[left]
                node = left + 1
            }
        }
        return node - leafCount
    }
}

/// Proportional prioritized replay (Schaul et al. 2016): transition `i` is sampled with probability
/// `P(i) = p_i^α / Σ_k p_k^α`, `p_i = |δ_i| + ε`, and weighted by `w_i = (N·P(i))^{−β} / max_j w_j` (the maximum
/// over the batch) to correct the bias; new transitions get the largest priority seen so far.
public struct PrioritizedReplayBuffer: Sendable {
    /// The transitions.
    public private(set) var storage: ReplayBuffer
    /// Priorities `p^α`.
    public private(set) var tree: SumTree
    /// α.
    public let alpha: Double
    /// Added to |δ| so no transition has zero probability.
    public let epsilon: Double
    /// The largest priority given so far (before the exponent).
    public private(set) var maxPriority = 1.0

    /// An empty buffer.
    public init(capacity: Int, alpha: Double = 0.6, epsilon: Double = 1e-6) {
        storage = ReplayBuffer(capacity: capacity)
        tree = SumTree(capacity: capacity)
        self.alpha = alpha
        self.epsilon = epsilon
    }

    /// Transitions stored.
    public var count: Int { storage.count }

    /// Stores a transition with the largest priority so far.
    public mutating func append(_ transition: Transition) {
        let slot = storage.append(transition)
        tree.update(slot, priority: Foundation.pow(maxPriority, alpha))
    }

    /// A stratified proportional sample: one index from each of `batchSize` equal slices of the total priority,
    /// with importance weights for exponent `beta`.
    public func sample(_ batchSize: Int, beta: Double, using generator: inout RandomGenerator) -> (
        indices: [Int], weights: [Double]
    ) {
        precondition(count > 0, "PrioritizedReplayBuffer.sample: the buffer is empty")
        let total = tree.total
        let segment = total / Double(batchSize)
        var indices: [Int] = []
        var weights: [Double] = []
        for slice in 0..<batchSize {
            let prefix = min((Double(slice) + generator.nextUnitDouble()) * segment, total.nextDown)
            let index = min(tree.leaf(forPrefixSum: prefix), count - 1)
            indices.append(index)
            weights.append(Foundation.pow(Double(count) * tree[index] / total, -beta))
        }
        let largest = weights.max() ?? 1
        return (indices, weights.map { $0 / largest })
    }

    /// Sets the priorities of sampled transitions from their TD errors.
    public mutating func updatePriorities(_ indices: [Int], errors: [Double]) {
        for (index, error) in zip(indices, errors) {
            let priority = abs(error) + epsilon
            maxPriority = max(maxPriority, priority)
            tree.update(index, priority: Foundation.pow(priority, alpha))
        }
    }
}
