import Foundation

/// An environment that wraps another and changes some of what passes through: the protocol extension forwards the
/// spaces, the time limit, `reset` and `step` to ``base``, and a wrapper implements only the hooks it needs
/// (``wrapReset(_:)`` and ``wrapStep(_:action:)``, identity by default) — as Gymnasium's `Wrapper`,
/// `ObservationWrapper` and `RewardWrapper` do.
public protocol EnvironmentWrapper: Environment {
    /// The type of the wrapped environment.
    associatedtype Base: Environment
    /// The wrapped environment.
    var base: Base { get set }
    /// What `reset` returns, given the observation the wrapped environment returned.
    mutating func wrapReset(_ observation: [Float]) -> [Float]
    /// What `step` returns, given the wrapped environment's outcome of `action`.
    mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome
}

extension EnvironmentWrapper {
    public var observationSize: Int { base.observationSize }
    public var actionSpace: ActionSpace { base.actionSpace }
    public var maxEpisodeSteps: Int {
        get { base.maxEpisodeSteps }
        set { base.maxEpisodeSteps = newValue }
    }
    public var elapsedSteps: Int { base.elapsedSteps }

    public mutating func wrapReset(_ observation: [Float]) -> [Float] { observation }
    public mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome { outcome }

    public mutating func reset(seed: UInt64?) -> [Float] { wrapReset(base.reset(seed: seed)) }
    public mutating func step(_ action: Action) -> StepOutcome { wrapStep(base.step(action), action: action) }
}

/// Records the return and length of every finished episode (Gymnasium's `RecordEpisodeStatistics`).
public struct EpisodeStatistics<Base: Environment>: EnvironmentWrapper {
    /// The wrapped environment.
    public var base: Base
    /// Returns of the finished episodes, in order.
    public private(set) var episodeReturns: [Double] = []
    /// Lengths of the finished episodes.
    public private(set) var episodeLengths: [Int] = []
    private var runningReturn = 0.0

    /// Wraps `base`.
    public init(_ base: Base) { self.base = base }

    public mutating func wrapReset(_ observation: [Float]) -> [Float] {
        runningReturn = 0
        return observation
    }

    public mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome {
        runningReturn += outcome.reward
        if outcome.done {
            episodeReturns.append(runningReturn)
            episodeLengths.append(base.elapsedSteps)
            runningReturn = 0
        }
        return outcome
    }
}

/// Adds a shaping term to every reward: `r' = r + F(s, a, s′)`. Potential-based shaping
/// `F = γ·Φ(s′) − Φ(s)` keeps the optimal policies (Ng, Harada & Russell, "Policy invariance under reward
/// transformations", ICML 1999); see ``RewardShaping/potentialBased(_:potential:discount:)``.
public struct RewardShaping<Base: Environment>: EnvironmentWrapper {
    /// The wrapped environment.
    public var base: Base
    /// `F(observation, action, next observation)`.
    public let shaping: @Sendable ([Float], Action, [Float]) -> Double
    private var lastObservation: [Float] = []

    /// Wraps `base` with the shaping term `shaping`.
    public init(_ base: Base, shaping: @escaping @Sendable ([Float], Action, [Float]) -> Double) {
        self.base = base
        self.shaping = shaping
    }

    /// Potential-based shaping `γ·Φ(s′) − Φ(s)` (0 for `Φ(s′)` of a terminal step).
    public static func potentialBased(
        _ base: Base, potential: @escaping @Sendable ([Float]) -> Double, discount: Double
    ) -> RewardShaping {
        RewardShaping(base) { observation, _, next in discount * potential(next) - potential(observation) }
    }

    public mutating func wrapReset(_ observation: [Float]) -> [Float] {
        lastObservation = observation
        return observation
    }

    public mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome {
        var outcome = outcome
        outcome.reward += shaping(lastObservation, action, outcome.observation)
        lastObservation = outcome.observation
        return outcome
    }
}

/// Normalizes observations by a running mean and variance (Welford's algorithm), clipped to `±clip`, as
/// Gymnasium's `NormalizeObservation` and Stable-Baselines3's `VecNormalize`.
public struct ObservationNormalization<Base: Environment>: EnvironmentWrapper {
    /// The wrapped environment.
    public var base: Base
    /// Running mean per component.
    public private(set) var mean: [Double]
    /// Running sum of squared deviations per component.
    public private(set) var squaredDeviations: [Double]
    /// Observations seen.
    public private(set) var count = 0
    /// Bound of normalized components.
    public var clip: Float
    /// Whether the statistics are still updated (turn off for evaluation).
    public var updating = true

    /// Wraps `base`.
    public init(_ base: Base, clip: Float = 10) {
        self.base = base
        self.clip = clip
        mean = Array(repeating: 0, count: base.observationSize)
        squaredDeviations = Array(repeating: 0, count: base.observationSize)
    }

    /// The normalized form of `observation` under the current statistics.
    public func normalized(_ observation: [Float]) -> [Float] {
        observation.indices.map { index in
            let variance = count > 1 ? squaredDeviations[index] / Double(count) : 1
            let value = (Double(observation[index]) - mean[index]) / (variance + 1e-8).squareRoot()
            return Swift.min(Swift.max(Float(value), -clip), clip)
        }
    }

    private mutating func record(_ observation: [Float]) {
        guard updating else { return }
        count += 1
        for index in observation.indices {
            let value = Double(observation[index])
            let delta = value - mean[index]
            mean[index] += delta / Double(count)
            squaredDeviations[index] += delta * (value - mean[index])
        }
    }

    public mutating func wrapReset(_ observation: [Float]) -> [Float] {
        record(observation)
        return normalized(observation)
    }

    public mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome {
        var outcome = outcome
        record(outcome.observation)
        outcome.observation = normalized(outcome.observation)
        return outcome
    }
}

/// Concatenates the last `k` observations, oldest first (Mnih et al. 2015's frame stacking; Gymnasium's
/// `FrameStackObservation`); at reset the first observation fills every slot.
public struct FrameStack<Base: Environment>: EnvironmentWrapper {
    /// The wrapped environment.
    public var base: Base
    /// Frames kept.
    public let frames: Int
    private var stack: [[Float]] = []

    /// Wraps `base`, stacking `frames` observations.
    public init(_ base: Base, frames: Int) {
        precondition(frames > 0, "FrameStack: frames must be positive, got \(frames)")
        self.base = base
        self.frames = frames
    }

    public var observationSize: Int { base.observationSize * frames }

    public mutating func wrapReset(_ observation: [Float]) -> [Float] {
        stack = Array(repeating: observation, count: frames)
        return stack.flatMap { $0 }
    }

    public mutating func wrapStep(_ outcome: StepOutcome, action: Action) -> StepOutcome {
        var outcome = outcome
        stack.removeFirst()
        stack.append(outcome.observation)
        outcome.observation = stack.flatMap { $0 }
        return outcome
    }
}

/// An environment behind an existential, so wrappers and vector environments can hold any named environment. (It
/// forwards by hand: an existential `any Environment` is not itself an ``Environment``, so it cannot be the `Base` of
/// an ``EnvironmentWrapper``.)
public struct AnyEnvironment: Environment {
    /// The wrapped environment.
    public var base: any Environment

    /// Wraps `base`.
    public init(_ base: any Environment) { self.base = base }

    public var observationSize: Int { base.observationSize }
    public var actionSpace: ActionSpace { base.actionSpace }
    public var maxEpisodeSteps: Int {
        get { base.maxEpisodeSteps }
        set { base.maxEpisodeSteps = newValue }
    }
    public var elapsedSteps: Int { base.elapsedSteps }
    public mutating func reset(seed: UInt64?) -> [Float] { base.reset(seed: seed) }
    public mutating func step(_ action: Action) -> StepOutcome { base.step(action) }
}
