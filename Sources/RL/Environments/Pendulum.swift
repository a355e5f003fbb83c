import Autodiff
import Foundation

/// Pendulum-v1: swing a pendulum up and hold it upright with a bounded torque (Gymnasium 1.x's `PendulumEnv`).
///
/// State `(θ, θ̇)` in float64; observation `(cos θ, sin θ, θ̇)` in float32; action a torque in [−2, 2] (float32, as
/// Gymnasium's action space); reward `−(norm(θ)² + 0.1·θ̇² + 0.001·u²)`; never terminates; truncated at 200 steps.
public struct Pendulum: Environment {
    /// Largest angular speed.
    public static let maxSpeed = 8.0
    /// Largest torque.
    public static let maxTorque: Float = 2
    /// Seconds per step.
    public static let dt = 0.05
    /// Gravity.
    public static let gravity = 10.0

    /// `(θ, θ̇)` in float64.
    public var state: [Double] = [0, 0]
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    /// The generator of initial states.
    public var generator: RandomGenerator

    /// A pendulum with the given time limit (Gymnasium's 200 by default).
    public init(maxEpisodeSteps: Int = 200, seed: UInt64 = 0) {
        self.maxEpisodeSteps = maxEpisodeSteps
        generator = RandomGenerator(seed: seed)
    }

    public var observationSize: Int { 3 }
    public var actionSpace: ActionSpace { .box(low: [-Self.maxTorque], high: [Self.maxTorque]) }

    public mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        return reset(state: [generator.nextUniform(-Double.pi, Double.pi), generator.nextUniform(-1, 1)])
    }

    /// Starts an episode from a given state.
    public mutating func reset(state initial: [Double]) -> [Float] {
        precondition(initial.count == 2, "Pendulum.reset(state:): needs 2 values, got \(initial.count)")
        state = initial
        elapsedSteps = 0
        return observation
    }

    /// `(cos θ, sin θ, θ̇)` as float32.
    public var observation: [Float] {
        [Float(Foundation.cos(state[0])), Float(Foundation.sin(state[0])), Float(state[1])]
    }

    /// `((x + π) mod 2π) − π` with NumPy's floored remainder.
    @inlinable
    public static func normalizedAngle(_ x: Double) -> Double {
        let divisor = 2 * Double.pi
        var remainder = fmod(x + Double.pi, divisor)
        if remainder != 0 {
            if (divisor < 0) != (remainder < 0) { remainder += divisor }
        } else {
            remainder = copysign(0, divisor)
        }
        return remainder - Double.pi
    }

    public mutating func step(_ action: Action) -> StepOutcome {
        let (theta, thetaDot) = (state[0], state[1])
        let torque = Swift.min(Swift.max(action.vector.first ?? 0, -Self.maxTorque), Self.maxTorque)
        let angle = Self.normalizedAngle(theta)
        // 0.001·u² and 3·u are float32 products (NumPy 2 keeps Python floats weak), added to float64 terms.
        let costs = angle * angle + 0.1 * (thetaDot * thetaDot) + Double(Float(0.001) * (torque * torque))
        let gravityTerm = 3 * Self.gravity / 2.0 * Foundation.sin(theta)
        var newThetaDot = thetaDot + (gravityTerm + Double(Float(3.0) * torque)) * Self.dt
        newThetaDot = Swift.min(Swift.max(newThetaDot, -Self.maxSpeed), Self.maxSpeed)
        let newTheta = theta + newThetaDot * Self.dt
        state = [newTheta, newThetaDot]
        elapsedSteps += 1
        return StepOutcome(
            observation: observation, reward: -costs, terminated: false, truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
