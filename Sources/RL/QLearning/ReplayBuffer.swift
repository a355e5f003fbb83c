import Autodiff

/// One stored transition: `(s, a, R, s′, terminated, γ^k)` where `R` is the (possibly multi-step) discounted reward
/// and `γ^k` the discount of the bootstrap after `k` steps.
public struct Transition: Equatable, Sendable {
    public var observation: [Float]
    public var action: Action
    public var reward: Double
    public var nextObservation: [Float]
    public var terminated: Bool
    public var bootstrapDiscount: Double

    /// Makes a transition.
    public init(
        observation: [Float], action: Action, reward: Double, nextObservation: [Float], terminated: Bool,
        bootstrapDiscount: Double
    ) {
        self.observation = observation
        self.action = action
        self.reward = reward
        self.nextObservation = nextObservation
        self.terminated = terminated
        self.bootstrapDiscount = bootstrapDiscount
    }
}

/// A ring buffer of the latest `capacity` transitions, sampled uniformly (the replay memory of Mnih et al., "Human-
/// level control through deep reinforcement learning", Nature 2015).
public struct ReplayBuffer: Sendable {
    /// Most transitions kept.
    public let capacity: Int
    /// The stored transitions (at most `capacity`; the oldest is overwritten first).
    public private(set) var transitions: [Transition] = []
    /// Where the next transition goes once full.
    public private(set) var nextIndex = 0

    /// An empty buffer.
    public init(capacity: Int) {
        precondition(capacity > 0, "ReplayBuffer: capacity must be positive, got \(capacity)")
        self.capacity = capacity
    }

    /// Transitions stored.
    public var count: Int { transitions.count }

    /// Stores a transition; returns its slot.
    @discardableResult
    public mutating func append(_ transition: Transition) -> Int {
        let slot = nextIndex
        if transitions.count < capacity {
            transitions.append(transition)
        } else {
            transitions[slot] = transition
        }
        nextIndex = (nextIndex + 1) % capacity
        return slot
    }

    /// `batchSize` slots drawn uniformly with replacement.
    public func sampleIndices(_ batchSize: Int, using generator: inout RandomGenerator) -> [Int] {
        precondition(!transitions.isEmpty, "ReplayBuffer.sample: the buffer is empty")
        return (0..<batchSize).map { _ in generator.nextInt(below: transitions.count) }
    }
}

/// Turns one-step experience into `n`-step transitions `(s_t, a_t, Σ_{k<n} γ^k r_{t+k}, s_{t+n})` (Sutton 1988;
/// the multi-step returns of Rainbow, Hessel et al. 2018). Episode ends flush the pending steps with shorter sums.
public struct NStepAccumulator: Sendable {
    /// `n`.
    public let steps: Int
    /// γ.
    public let discount: Double
    private var pending: [(observation: [Float], action: Action, reward: Double)] = []

    /// An accumulator of `steps`-step returns.
    public init(steps: Int, discount: Double) {
        precondition(steps >= 1, "NStepAccumulator: steps must be ≥ 1, got \(steps)")
        self.steps = steps
        self.discount = discount
    }

    /// Adds one step; returns the transitions that are complete.
    public mutating func add(
        observation: [Float], action: Action, reward: Double, nextObservation: [Float], terminated: Bool,
        episodeEnded: Bool
    ) -> [Transition] {
        pending.append((observation, action, reward))
        var ready: [Transition] = []
        if pending.count == steps || episodeEnded {
            while !pending.isEmpty {
                var total = 0.0
                var scale = 1.0
                for step in pending {
                    total += scale * step.reward
                    scale *= discount
                }
                ready.append(
                    Transition(
                        observation: pending[0].observation, action: pending[0].action, reward: total,
                        nextObservation: nextObservation, terminated: terminated, bootstrapDiscount: scale))
                pending.removeFirst()
                if !episodeEnded { break }
            }
        }
        return ready
    }
}
