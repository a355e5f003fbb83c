/// `N` copies of an environment stepped together, each resetting itself when its episode ends (the vectorized
/// environments of Gymnasium and Stable-Baselines3).
///
/// Reset is same-step, as in Stable-Baselines3's `VecEnv`: when copy `i` ends an episode, `step` returns the first
/// observation of its next episode and keeps the last one in ``finalObservations``, so algorithms can bootstrap
/// truncated episodes from it.
public struct VectorEnvironment<Base: Environment>: Sendable {
    /// The copies.
    public private(set) var environments: [Base]
    /// For each copy, the last observation of the episode that ended on the latest step (nil otherwise).
    public private(set) var finalObservations: [[Float]?]

    /// `count` copies of `environment`.
    public init(_ environment: Base, count: Int) {
        precondition(count > 0, "VectorEnvironment: count must be positive, got \(count)")
        environments = Array(repeating: environment, count: count)
        finalObservations = Array(repeating: nil, count: count)
    }

    /// The number of copies.
    public var count: Int { environments.count }

    /// Resets every copy; copy `i` is seeded with `seed + i`.
    public mutating func reset(seed: UInt64) -> [[Float]] {
        (0..<count).map { environments[$0].reset(seed: seed &+ UInt64($0)) }
    }

    /// Steps every copy with its action; finished copies start their next episode at once.
    public mutating func step(_ actions: [Action]) -> [StepOutcome] {
        precondition(actions.count == count, "VectorEnvironment.step: \(actions.count) actions for \(count) copies")
        var outcomes: [StepOutcome] = []
        outcomes.reserveCapacity(count)
        for index in 0..<count {
            var outcome = environments[index].step(actions[index])
            if outcome.done {
                finalObservations[index] = outcome.observation
                outcome.observation = environments[index].reset(seed: nil)
            } else {
                finalObservations[index] = nil
            }
            outcomes.append(outcome)
        }
        return outcomes
    }
}
