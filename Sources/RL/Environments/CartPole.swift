import Autodiff
import Foundation

/// CartPole-v1: balance a pole on a cart by pushing it left or right (Barto, Sutton & Anderson, "Neuronlike
/// adaptive elements that can solve difficult learning control problems", 1983), with the dynamics, thresholds and
/// rewards of Gymnasium 1.x's `CartPoleEnv` (explicit Euler, float64 state, float32 observations).
///
/// State `(x, ẋ, θ, θ̇)`; action 0 pushes left, 1 right with 10 N; reward 1 on every step including the terminating
/// one; terminated when `|x| > 2.4` or `|θ| > 12°`; truncated at 500 steps. The floating-point operations are in
/// Gymnasium's order, so a trajectory from the same state and actions is the same to the last bit on the same libm.
public struct CartPole: Environment {
    /// Gravity (m/s²).
    public static let gravity = 9.8
    /// Cart mass (kg).
    public static let cartMass = 1.0
    /// Pole mass (kg).
    public static let poleMass = 0.1
    /// Half the pole's length (m).
    public static let halfLength = 0.5
    /// Push force (N).
    public static let forceMagnitude = 10.0
    /// Seconds between updates.
    public static let tau = 0.02
    /// The pole angle beyond which the episode terminates (12° in radians).
    public static let thetaThreshold = 12 * 2 * Double.pi / 360
    /// The cart position beyond which the episode terminates.
    public static let xThreshold = 2.4

    /// `(x, ẋ, θ, θ̇)` in float64.
    public var state: [Double] = [0, 0, 0, 0]
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    /// The generator of initial states.
    public var generator: RandomGenerator

    /// A cart-pole with the given time limit (Gymnasium's 500 by default).
    public init(maxEpisodeSteps: Int = 500, seed: UInt64 = 0) {
        self.maxEpisodeSteps = maxEpisodeSteps
        generator = RandomGenerator(seed: seed)
    }

    public var observationSize: Int { 4 }
    public var actionSpace: ActionSpace { .discrete(2) }

    public mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        var initial = [Double](repeating: 0, count: 4)
        for index in 0..<4 { initial[index] = generator.nextUniform(-0.05, 0.05) }
        return reset(state: initial)
    }

    /// Starts an episode from a given state (e.g. one recorded from Gymnasium).
    public mutating func reset(state initial: [Double]) -> [Float] {
        precondition(initial.count == 4, "CartPole.reset(state:): needs 4 values, got \(initial.count)")
        state = initial
        elapsedSteps = 0
        return observation
    }

    /// The state as float32, as Gymnasium returns it.
    public var observation: [Float] { state.map { Float($0) } }

    public mutating func step(_ action: Action) -> StepOutcome {
        let (x, xDot, theta, thetaDot) = (state[0], state[1], state[2], state[3])
        let force = action.index == 1 ? Self.forceMagnitude : -Self.forceMagnitude
        let cosTheta = Foundation.cos(theta)
        let sinTheta = Foundation.sin(theta)
        let totalMass = Self.poleMass + Self.cartMass
        let poleMassLength = Self.poleMass * Self.halfLength
        let temp = (force + poleMassLength * (thetaDot * thetaDot) * sinTheta) / totalMass
        let thetaAcceleration =
            (Self.gravity * sinTheta - cosTheta * temp)
            / (Self.halfLength * (4.0 / 3.0 - Self.poleMass * (cosTheta * cosTheta) / totalMass))
        let xAcceleration = temp - poleMassLength * thetaAcceleration * cosTheta / totalMass
        state = [
            x + Self.tau * xDot, xDot + Self.tau * xAcceleration,
            theta + Self.tau * thetaDot, thetaDot + Self.tau * thetaAcceleration,
        ]
        elapsedSteps += 1
        let terminated =
            state[0] < -Self.xThreshold || state[0] > Self.xThreshold || state[2] < -Self.thetaThreshold
            || state[2] > Self.thetaThreshold
        return StepOutcome(
            observation: observation, reward: 1, terminated: terminated, truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
