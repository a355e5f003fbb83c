import Autodiff
import Foundation

/// MountainCarContinuous-v0: the mountain car with a real-valued engine force in [−1, 1] (Gymnasium 1.x's
/// `Continuous_MountainCarEnv`).
///
/// Reward `100` on reaching the goal minus `0.1·a²` every step; terminated at `position ≥ 0.45`; truncated at 999
/// steps. Gymnasium keeps this environment's state in float32 after the first step and mixes float32 actions with
/// Python floats under NumPy 2's promotion rules; the arithmetic here follows the same precisions step by step.
public struct MountainCarContinuous: Environment {
    /// Engine power.
    public static let power = 0.0015
    /// The goal position.
    public static let goalPosition = 0.45

    /// `(position, velocity)`; float64 right after reset, float32 values after a step, as in Gymnasium.
    public var state: [Double] = [0, 0]
    /// Whether ``state`` still holds the float64 values of reset (Gymnasium's first step runs in float64).
    public private(set) var stateIsDoublePrecision = true
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    /// The generator of initial states.
    public var generator: RandomGenerator

    /// A continuous mountain car with the given time limit (Gymnasium's 999 by default).
    public init(maxEpisodeSteps: Int = 999, seed: UInt64 = 0) {
        self.maxEpisodeSteps = maxEpisodeSteps
        generator = RandomGenerator(seed: seed)
    }

    public var observationSize: Int { 2 }
    public var actionSpace: ActionSpace { .box(low: [-1], high: [1]) }

    public mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        return reset(state: [generator.nextUniform(-0.6, -0.4), 0])
    }

    /// Starts an episode from a given (float64) state.
    public mutating func reset(state initial: [Double]) -> [Float] {
        precondition(initial.count == 2, "MountainCarContinuous.reset(state:): needs 2 values, got \(initial.count)")
        state = initial
        stateIsDoublePrecision = true
        elapsedSteps = 0
        return observation
    }

    /// The state as float32.
    public var observation: [Float] { state.map { Float($0) } }

    public mutating func step(_ action: Action) -> StepOutcome {
        let requested = action.vector.first ?? 0
        let force = Swift.min(Swift.max(requested, -1), 1)
        let maxSpeed = 0.07
        var position = state[0]
        var velocity = state[1]
        // force·power is float32; the cosine term is a float64 rounded into the float32 difference.
        let cosine: Double
        if stateIsDoublePrecision {
            cosine = Foundation.cos(3 * position)
        } else {
            cosine = Foundation.cos(Double(Float(3) * Float(position)))
        }
        let increment = force * Float(Self.power) - Float(0.0025 * cosine)
        if stateIsDoublePrecision {
            velocity += Double(increment)
        } else {
            velocity = Double(Float(velocity) + increment)
        }
        if velocity > maxSpeed { velocity = maxSpeed }
        if velocity < -maxSpeed { velocity = -maxSpeed }
        position = stateIsDoublePrecision ? position + velocity : Double(Float(position) + Float(velocity))
        if position > 0.6 { position = 0.6 }
        if position < -1.2 { position = -1.2 }
        if position == -1.2 && velocity < 0 { velocity = 0 }
        // NumPy compares a float32 state with a Python float in float32.
        let terminated =
            stateIsDoublePrecision
            ? position >= Self.goalPosition && velocity >= 0
            : Float(position) >= Float(Self.goalPosition) && velocity >= 0
        var reward = terminated ? 100.0 : 0.0
        reward -= Double(requested) * Double(requested) * 0.1
        state = [Double(Float(position)), Double(Float(velocity))]
        stateIsDoublePrecision = false
        elapsedSteps += 1
        return StepOutcome(
            observation: observation, reward: reward, terminated: terminated,
            truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
