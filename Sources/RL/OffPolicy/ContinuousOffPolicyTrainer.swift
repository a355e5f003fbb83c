import Autodiff
import Foundation
import NeuralNet

/// A replayed batch of continuous-action transitions as tensors.
public struct ContinuousTransitionBatch {
    /// `s`, `[N, observationSize]`.
    public var observations: Tensor
    /// `a`, `[N, d]`.
    public var actions: Tensor
    /// `r`, `[N]`.
    public var rewards: Tensor
    /// `s′`, `[N, observationSize]`.
    public var nextObservations: Tensor
    /// `γ` per transition, 0 after a terminal state, `[N]`: the target is `r + discount · V(s′)`.
    public var discounts: Tensor

    /// The batch of `transitions` with `dimension`-dimensional actions.
    public init(_ transitions: [Transition], dimension: Int) {
        observations = observationBatch(transitions.map(\.observation))
        actions = Tensor(shape: [transitions.count, dimension], scalars: transitions.flatMap(\.action.vector))
        rewards = Tensor(transitions.map { Float($0.reward) })
        nextObservations = observationBatch(transitions.map(\.nextObservation))
        discounts = Tensor(transitions.map { $0.terminated ? 0 : Float($0.bootstrapDiscount) })
    }
}

/// The learning half of an off-policy continuous-control method: what ``ContinuousOffPolicyTrainer`` asks of
/// DDPG/TD3 (``DeterministicPolicyGradientUpdate``) and NAF (``NormalizedAdvantageUpdate``).
public protocol ContinuousOffPolicyUpdateRule: AnyObject {
    /// The policy's action `μ(s)` `[N, d]` for observations `[N, observationSize]` (before exploration noise).
    func policyActions(_ observations: Tensor) -> Tensor
    /// One learning step on a replayed batch (targets, regression, target-network moves); returns the loss the
    /// trainer reports. `generator` is the trainer's, for any noise the rule draws.
    func update(on batch: ContinuousTransitionBatch, using generator: inout RandomGenerator) -> Double
    /// The name of the reported loss (`critic_loss`, `loss`).
    var lossName: String { get }
}

/// The replay loop the off-policy continuous-control methods share.
public struct ContinuousOffPolicySchedule: Equatable, Sendable {
    /// Transitions per learning step.
    public var batchSize: Int
    /// Replay capacity.
    public var bufferSize: Int
    /// Environment steps before learning starts.
    public var learningStarts: Int
    /// Learning steps per environment step once learning has started.
    public var gradientSteps: Int
    /// `γ`, stored with every transition.
    public var discount: Double
    /// Standard deviation of the Gaussian exploration noise, relative to each action bound.
    public var explorationNoise: Float
    /// Whether actions are uniform over the box before learning starts (Stable-Baselines3's warm-up), instead of
    /// the noisy policy's.
    public var uniformWarmUp: Bool

    /// A schedule.
    public init(
        batchSize: Int, bufferSize: Int, learningStarts: Int, gradientSteps: Int, discount: Double,
        explorationNoise: Float, uniformWarmUp: Bool
    ) {
        self.batchSize = batchSize
        self.bufferSize = bufferSize
        self.learningStarts = learningStarts
        self.gradientSteps = gradientSteps
        self.discount = discount
        self.explorationNoise = explorationNoise
        self.uniformWarmUp = uniformWarmUp
    }
}

/// Off-policy learning for box actions with a pluggable update rule (Lillicrap et al. 2016's and Gu et al. 2016's
/// common loop): act `a = clip(μ(s) + σ·bound·ε)` (uniform during an optional warm-up), store `(s, a, r, s′)` in a
/// replay buffer, and from `learningStarts` on give the rule `gradientSteps` uniformly sampled batches per
/// environment step.
public final class ContinuousOffPolicyTrainer<Rule: ContinuousOffPolicyUpdateRule> {
    /// The update rule (networks, optimizers, targets).
    public let rule: Rule
    /// The loop's settings.
    public let schedule: ContinuousOffPolicySchedule
    /// The generator of exploration, replay sampling and the rule's noise.
    public var generator: RandomGenerator
    /// Environment steps so far.
    public private(set) var environmentSteps = 0
    /// Returns of finished episodes.
    public private(set) var episodeReturns: [Double] = []
    private var environment: AnyEnvironment
    private var replay: ReplayBuffer
    private var observation: [Float]
    private var runningReturn = 0.0
    private let high: [Float]

    /// A trainer of `rule` on `environment` (a box symmetric around zero); the environment's first episode is
    /// reset with `seed + 1000`.
    public init(
        rule: Rule, environment: any Environment, schedule: ContinuousOffPolicySchedule,
        generator: RandomGenerator, seed: UInt64
    ) {
        guard case .box(_, let high) = environment.actionSpace else {
            preconditionFailure("ContinuousOffPolicyTrainer: the environment's actions must be a box")
        }
        self.rule = rule
        self.schedule = schedule
        self.high = high
        self.generator = generator
        replay = ReplayBuffer(capacity: schedule.bufferSize)
        self.environment = AnyEnvironment(environment)
        observation = self.environment.reset(seed: seed &+ 1000)
    }

    /// Restores counters after loading weights and optimizer state (resume; the replay buffer starts empty).
    public func restoreCounters(environmentSteps: Int, episodeReturns: [Double]) {
        self.environmentSteps = environmentSteps
        self.episodeReturns = episodeReturns
    }

    /// Mean of the last 100 training returns.
    public var recentMeanReturn: Double? {
        guard !episodeReturns.isEmpty else { return nil }
        let recent = episodeReturns.suffix(100)
        return recent.reduce(0, +) / Double(recent.count)
    }

    /// The exploratory action for the current observation.
    private func exploratoryAction() -> [Float] {
        if schedule.uniformWarmUp && environmentSteps < schedule.learningStarts {
            return high.map { Float(generator.nextUniform(-Double($0), Double($0))) }
        }
        var action = withoutGradients { rule.policyActions(observationBatch([observation])).scalars }
        for index in action.indices {
            let noise = schedule.explorationNoise * high[index] * Float(generator.nextStandardNormal())
            action[index] = min(max(action[index] + noise, -high[index]), high[index])
        }
        return action
    }

    /// Trains until `steps` environment steps (or `deadline`), reporting at the end of each episode.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        var lastLoss = 0.0
        while environmentSteps < steps {
            if let deadline, Date() >= deadline { break }
            let action = exploratoryAction()
            let outcome = environment.step(.continuous(action))
            environmentSteps += 1
            runningReturn += outcome.reward
            replay.append(
                Transition(
                    observation: observation, action: .continuous(action), reward: outcome.reward,
                    nextObservation: outcome.observation, terminated: outcome.terminated,
                    bootstrapDiscount: schedule.discount))
            if environmentSteps >= schedule.learningStarts {
                for _ in 0..<schedule.gradientSteps { lastLoss = update() }
            }
            if outcome.done {
                episodeReturns.append(runningReturn)
                runningReturn = 0
                observation = environment.reset()
                report(
                    TrainingReport(
                        environmentSteps: environmentSteps, episodes: episodeReturns.count,
                        recentMeanReturn: recentMeanReturn, scalars: [rule.lossName: lastLoss]))
            } else {
                observation = outcome.observation
            }
        }
    }

    /// One learning step of the rule on a uniformly sampled batch; returns its loss.
    @discardableResult
    public func update() -> Double {
        let indices = replay.sampleIndices(schedule.batchSize, using: &generator)
        let batch = ContinuousTransitionBatch(indices.map { replay.transitions[$0] }, dimension: high.count)
        return rule.update(on: batch, using: &generator)
    }
}
