import Autodiff
import Foundation

/// MountainCar-v0: drive an under-powered car up a hill by rocking it (Moore, "Efficient memory-based learning for
/// robot control", 1990), with Gymnasium 1.x's `MountainCarEnv` dynamics in float64.
///
/// State `(position, velocity)`; actions 0 (push left), 1 (none), 2 (push right); reward −1 per step; terminated at
/// `position ≥ 0.5`; truncated at 200 steps.
public struct MountainCar: Environment {
    /// Leftmost position.
    public static let minPosition = -1.2
    /// Rightmost position.
    public static let maxPosition = 0.6
    /// Speed limit.
    public static let maxSpeed = 0.07
    /// The goal position.
    public static let goalPosition = 0.5
    /// Engine force per unit of action.
    public static let force = 0.001
    /// Gravity's pull along the slope.
    public static let gravity = 0.0025

    /// `(position, velocity)` in float64.
    public var state: [Double] = [0, 0]
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    /// The generator of initial states.
    public var generator: RandomGenerator

    /// A mountain car with the given time limit (Gymnasium's 200 by default).
    public init(maxEpisodeSteps: Int = 200, seed: UInt64 = 0) {
        self.maxEpisodeSteps = maxEpisodeSteps
        generator = RandomGenerator(seed: seed)
    }

    public var observationSize: Int { 2 }
    public var actionSpace: ActionSpace { .discrete(3) }

    public mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        return reset(state: [generator.nextUniform(-0.6, -0.4), 0])
    }

    /// Starts an episode from a given state.
    public mutating func reset(state initial: [Double]) -> [Float] {
        precondition(initial.count == 2, "MountainCar.reset(state:): needs 2 values, got \(initial.count)")
        state = initial
        elapsedSteps = 0
        return observation
    }

    /// The state as float32.
    public var observation: [Float] { state.map { Float($0) } }

    public mutating func step(_ action: Action) -> StepOutcome {
        var (position, velocity) = (state[0], state[1])
        velocity += Double(action.index - 1) * Self.force + Foundation.cos(3 * position) * (-Self.gravity)
        velocity = Swift.min(Swift.max(velocity, -Self.maxSpeed), Self.maxSpeed)
        position += velocity
        position = Swift.min(Swift.max(position, Self.minPosition), Self.maxPosition)
        if position == Self.minPosition && velocity < 0 { velocity = 0 }
        state = [position, velocity]
        elapsedSteps += 1
        let terminated = position >= Self.goalPosition && velocity >= 0
        return StepOutcome(
            observation: observation, reward: -1, terminated: terminated, truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
