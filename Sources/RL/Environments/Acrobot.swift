import Autodiff
import Foundation

/// Acrobot-v1: swing the free end of a two-link pendulum above a line by torquing the middle joint (Sutton,
/// "Generalization in reinforcement learning: successful examples using sparse coarse coding", NIPS 1996; the book
/// dynamics of Sutton & Barto 2018), as Gymnasium 1.x's `AcrobotEnv`: one fourth-order Runge–Kutta step of
/// `dt = 0.2` per action, angles wrapped to [−π, π], speeds bounded by 4π and 9π.
///
/// State `(θ₁, θ₂, θ̇₁, θ̇₂)` in float64 (float32 values after reset, as Gymnasium draws them); observation
/// `(cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂)` in float32; actions 0, 1, 2 apply torque −1, 0, +1; reward −1 per
/// step and 0 on the terminating one; terminated when `−cos θ₁ − cos(θ₁ + θ₂) > 1`; truncated at 500 steps.
public struct Acrobot: Environment {
    /// Seconds per action.
    public static let dt = 0.2
    /// Bound of θ̇₁.
    public static let maxVelocity1 = 4 * Double.pi
    /// Bound of θ̇₂.
    public static let maxVelocity2 = 9 * Double.pi

    /// `(θ₁, θ₂, θ̇₁, θ̇₂)`.
    public var state: [Double] = [0, 0, 0, 0]
    public var maxEpisodeSteps: Int
    public private(set) var elapsedSteps = 0
    /// The generator of initial states.
    public var generator: RandomGenerator

    /// An acrobot with the given time limit (Gymnasium's 500 by default).
    public init(maxEpisodeSteps: Int = 500, seed: UInt64 = 0) {
        self.maxEpisodeSteps = maxEpisodeSteps
        generator = RandomGenerator(seed: seed)
    }

    public var observationSize: Int { 6 }
    public var actionSpace: ActionSpace { .discrete(3) }

    public mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        var initial = [Double](repeating: 0, count: 4)
        for index in 0..<4 { initial[index] = Double(Float(generator.nextUniform(-0.1, 0.1))) }
        return reset(state: initial)
    }

    /// Starts an episode from a given state.
    public mutating func reset(state initial: [Double]) -> [Float] {
        precondition(initial.count == 4, "Acrobot.reset(state:): needs 4 values, got \(initial.count)")
        state = initial
        elapsedSteps = 0
        return observation
    }

    /// `(cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂)` as float32.
    public var observation: [Float] {
        [
            Float(Foundation.cos(state[0])), Float(Foundation.sin(state[0])), Float(Foundation.cos(state[1])),
            Float(Foundation.sin(state[1])), Float(state[2]), Float(state[3]),
        ]
    }

    /// The time derivative of `(θ₁, θ₂, θ̇₁, θ̇₂)` under `torque` (the book's equations; unit masses, lengths and
    /// moments of inertia, centres of mass at half length).
    @usableFromInline
    static func derivative(_ s: SIMD4<Double>, torque a: Double) -> SIMD4<Double> {
        let theta1 = s[0]
        let theta2 = s[1]
        let dtheta1 = s[2]
        let dtheta2 = s[3]
        let g = 9.8
        let cosTheta2 = Foundation.cos(theta2)
        let sinTheta2 = Foundation.sin(theta2)
        // m1·lc1² + m2·(l1² + lc2² + 2·l1·lc2·cos θ₂) + I1 + I2 with the unit constants folded exactly.
        let d1 = 0.25 + (1.25 + 1.0 * cosTheta2) + 1.0 + 1.0
        let d2 = (0.25 + 0.5 * cosTheta2) + 1.0
        let phi2 = (0.5 * g) * Foundation.cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 =
            (-0.5 * (dtheta2 * dtheta2)) * sinTheta2 - 1.0 * dtheta2 * dtheta1 * sinTheta2
            + (1.5 * g) * Foundation.cos(theta1 - Double.pi / 2) + phi2
        let ddtheta2 =
            (a + d2 / d1 * phi1 - 0.5 * (dtheta1 * dtheta1) * sinTheta2 - phi2) / (0.25 + 1.0 - (d2 * d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// Wraps `x` into `[low, high]` by whole turns.
    @usableFromInline
    static func wrap(_ x: Double, _ low: Double, _ high: Double) -> Double {
        let span = high - low
        var value = x
        while value > high { value -= span }
        while value < low { value += span }
        return value
    }

    public mutating func step(_ action: Action) -> StepOutcome {
        let torque = Double(action.index - 1)
        let y0 = SIMD4(state[0], state[1], state[2], state[3])
        let dt = Self.dt
        let halfStep = dt / 2.0
        let k1 = Self.derivative(y0, torque: torque)
        let k2 = Self.derivative(y0 + halfStep * k1, torque: torque)
        let k3 = Self.derivative(y0 + halfStep * k2, torque: torque)
        let k4 = Self.derivative(y0 + dt * k3, torque: torque)
        let next = y0 + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        state = [
            Self.wrap(next[0], -Double.pi, Double.pi), Self.wrap(next[1], -Double.pi, Double.pi),
            Swift.min(Swift.max(next[2], -Self.maxVelocity1), Self.maxVelocity1),
            Swift.min(Swift.max(next[3], -Self.maxVelocity2), Self.maxVelocity2),
        ]
        elapsedSteps += 1
        let terminated = -Foundation.cos(state[0]) - Foundation.cos(state[1] + state[0]) > 1.0
        return StepOutcome(
            observation: observation, reward: terminated ? 0 : -1, terminated: terminated,
            truncated: elapsedSteps >= maxEpisodeSteps)
    }
}
