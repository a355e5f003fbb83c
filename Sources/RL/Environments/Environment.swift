import Autodiff

/// The actions an environment accepts: `n` discrete choices or a box of real vectors.
///
/// Mirrors Gymnasium's `Discrete(n)` and `Box(low, high)` spaces (https://gymnasium.farama.org/api/spaces/).
public enum ActionSpace: Equatable, Sendable {
    /// Actions `0..<n`.
    case discrete(Int)
    /// Real vectors with `low[i] ≤ a[i] ≤ high[i]`.
    case box(low: [Float], high: [Float])

    /// The number of discrete actions, or nil for a box.
    public var actionCount: Int? {
        if case .discrete(let n) = self { return n }
        return nil
    }

    /// The dimension of a box's vectors, or nil for discrete actions.
    public var dimension: Int? {
        if case .box(let low, _) = self { return low.count }
        return nil
    }
}

/// One action: a discrete index or a real vector.
public enum Action: Equatable, Sendable {
    /// The `index`-th of a discrete space's actions.
    case discrete(Int)
    /// A real vector of a box space.
    case continuous([Float])

    /// The index of a discrete action (0 for a continuous one).
    public var index: Int {
        if case .discrete(let index) = self { return index }
        return 0
    }

    /// The vector of a continuous action (empty for a discrete one).
    public var vector: [Float] {
        if case .continuous(let vector) = self { return vector }
        return []
    }
}

/// What `step` returns, as in Gymnasium's `(observation, reward, terminated, truncated, info)`.
public struct StepOutcome: Equatable, Sendable {
    /// The observation after the step.
    public var observation: [Float]
    /// The reward of the step.
    public var reward: Double
    /// The episode ended in a terminal state of the task (no bootstrapping past it).
    public var terminated: Bool
    /// The episode was cut by a time limit (bootstrapping past it is still valid).
    public var truncated: Bool

    /// Makes an outcome.
    public init(observation: [Float], reward: Double, terminated: Bool, truncated: Bool) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }

    /// Either way the episode is over.
    public var done: Bool { terminated || truncated }
}

/// An episodic environment with Gymnasium's API semantics (https://gymnasium.farama.org/api/env/):
/// `reset(seed:)` starts an episode (a seed re-seeds the environment's own generator, no seed continues it),
/// `step(_:)` returns observation, reward, `terminated` and `truncated`, and the time limit is part of the
/// environment (`truncated` once ``elapsedSteps`` reaches ``maxEpisodeSteps``, as Gymnasium's `TimeLimit`).
///
/// Environments are values: copying one copies its state and generator, which is how vectorized environments and
/// reverse curricula branch from a state.
public protocol Environment: Sendable {
    /// The length of observation vectors.
    var observationSize: Int { get }
    /// The actions `step` accepts.
    var actionSpace: ActionSpace { get }
    /// The time limit (steps per episode).
    var maxEpisodeSteps: Int { get set }
    /// Steps taken since the last reset.
    var elapsedSteps: Int { get }
    /// Starts an episode; with a seed, the environment's generator is re-seeded first.
    mutating func reset(seed: UInt64?) -> [Float]
    /// Advances one step. Precondition: an episode has been started with ``reset(seed:)``.
    mutating func step(_ action: Action) -> StepOutcome
}

extension Environment {
    /// Starts an episode continuing the environment's generator.
    public mutating func reset() -> [Float] { reset(seed: nil) }
}

/// The classic-control environments of Gymnasium 1.x and the grid world, by their registered names.
public enum EnvironmentName: String, CaseIterable, Sendable, Codable {
    case cartPole = "CartPole-v1"
    case mountainCar = "MountainCar-v0"
    case mountainCarContinuous = "MountainCarContinuous-v0"
    case acrobot = "Acrobot-v1"
    case pendulum = "Pendulum-v1"
    case keyDoor = "KeyDoor-v0"
    /// ``KeyDoorGridWorld/largeLayout`` with a 200-step limit.
    case keyDoorLarge = "KeyDoorLarge-v0"

    /// Whether this is a key-door grid world (where the tabular methods apply).
    public var isGridWorld: Bool { self == .keyDoor || self == .keyDoorLarge }

    /// A fresh environment of this name with its default time limit.
    public func make() -> any Environment {
        switch self {
        case .cartPole: CartPole()
        case .mountainCar: MountainCar()
        case .mountainCarContinuous: MountainCarContinuous()
        case .acrobot: Acrobot()
        case .pendulum: Pendulum()
        case .keyDoor: KeyDoorGridWorld()
        case .keyDoorLarge:
            // The large layout is valid by construction.
            (try? KeyDoorGridWorld(layout: KeyDoorGridWorld.largeLayout, maxEpisodeSteps: 200)) ?? KeyDoorGridWorld()
        }
    }
}

/// The generator an environment re-seeds on `reset(seed:)`.
extension RandomGenerator {
    /// A uniform `Double` in `[low, high)`.
    @inlinable
    public mutating func nextUniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnitDouble()
    }
}
