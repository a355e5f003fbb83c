import Autodiff
import Foundation
import NeuralNet

/// A deterministic actor `μ(s) = maxAction · tanh(MLP(s))` for box actions symmetric around zero.
public struct DeterministicActor: ParameterContainer {
    /// The network.
    public let network: MultilayerPerceptron
    /// The bound of each action component.
    public let scale: [Float]

    /// An actor for `observationSize` inputs and a box with upper bounds `high` (lower bounds `−high`).
    public init(observationSize: Int, high: [Float], hidden: [Int], using generator: inout RandomGenerator) {
        network = MultilayerPerceptron(
            sizes: [observationSize] + hidden + [high.count], activation: .relu, using: &generator)
        scale = high
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("actor", network) }

    /// Actions `[N, d]` for observations `[N, observationSize]`.
    public func callAsFunction(_ observations: Tensor) -> Tensor {
        network(observations).tanh() * Tensor(scale)
    }
}

/// A critic `Q(s, a) = MLP([s, a])`.
public struct ContinuousCritic: ParameterContainer {
    /// The network.
    public let network: MultilayerPerceptron

    /// A critic for `observationSize` + `actionSize` inputs.
    public init(observationSize: Int, actionSize: Int, hidden: [Int], using generator: inout RandomGenerator) {
        network = MultilayerPerceptron(
            sizes: [observationSize + actionSize] + hidden + [1], activation: .relu, using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("critic", network) }

    /// `Q(s, a)` as `[N]`.
    public func callAsFunction(_ observations: Tensor, _ actions: Tensor) -> Tensor {
        let output = network(Tensor.concatenate([observations, actions], axis: 1))
        return output.reshaped([output.shape[0]])
    }
}

/// Hyperparameters of ``DeterministicPolicyGradientTrainer``; defaults are rl-zoo3's TD3 for Pendulum-v1.
public struct DeterministicPolicyGradientConfiguration: Codable, Equatable, Sendable {
    /// TD3's twin critics, target smoothing and delayed actor updates (Fujimoto, van Hoof & Meger, "Addressing
    /// function approximation error in actor-critic methods", ICML 2018); false gives DDPG (Lillicrap et al.,
    /// "Continuous control with deep reinforcement learning", ICLR 2016).
    public var twinDelayed = true
    public var hidden = [400, 300]
    public var learningRate: Float = 1e-3
    public var batchSize = 256
    public var bufferSize = 200_000
    public var learningStarts = 10_000
    public var discount = 0.98
    /// Polyak coefficient of the target networks.
    public var tau: Float = 0.005
    /// Standard deviation of the Gaussian exploration noise, relative to the action bound.
    public var explorationNoise: Float = 0.1
    /// TD3's target policy noise and its clip, relative to the action bound.
    public var targetNoise: Float = 0.2
    public var targetNoiseClip: Float = 0.5
    /// TD3's actor update period (in critic updates).
    public var policyDelay = 2

    /// The defaults (TD3).
    public init() {}
}

/// Pathwise-derivative policy gradient: Q-learning with an actor that maximizes `Q(s, μ(s))` by backpropagating
/// through the critic, with target actor and critic:
///
/// 1. act `a = μ(s) + noise`; 2. store `(s, a, r, s′)`; 3. sample a batch; 4. `y = r + γ Q̂(s′, μ̂(s′))` (TD3: the
/// minimum of twin target critics at a smoothed target action); 5. regress `Q(s, a)` on `y`; 6. update μ to maximize
/// `Q(s, μ(s))` (TD3: every `policyDelay` steps); 7. move `Q̂, μ̂` toward `Q, μ`.
///
/// Steps 1–3 are ``ContinuousOffPolicyTrainer``'s; this rule is steps 4–7.
public typealias DeterministicPolicyGradientTrainer = ContinuousOffPolicyTrainer<DeterministicPolicyGradientUpdate>

extension ContinuousOffPolicyTrainer where Rule == DeterministicPolicyGradientUpdate {
    /// A DDPG / TD3 trainer on `environment` (box actions), seeded with `seed`; uniform random actions until
    /// `learningStarts`, then one update per environment step.
    public convenience init(
        environment: any Environment, configuration: DeterministicPolicyGradientConfiguration, seed: UInt64
    ) {
        var generator = RandomGenerator(seed: seed)
        let rule = DeterministicPolicyGradientUpdate(
            environment: environment, configuration: configuration, using: &generator)
        self.init(
            rule: rule, environment: environment,
            schedule: ContinuousOffPolicySchedule(
                batchSize: configuration.batchSize, bufferSize: configuration.bufferSize,
                learningStarts: configuration.learningStarts, gradientSteps: 1, discount: configuration.discount,
                explorationNoise: configuration.explorationNoise, uniformWarmUp: true),
            generator: generator, seed: seed)
    }
}

/// The DDPG / TD3 learning step (Lillicrap et al. 2016; Fujimoto, van Hoof & Meger 2018) as an update rule of
/// ``ContinuousOffPolicyTrainer``: critic regression on the (twin, smoothed) target, delayed actor ascent on
/// `Q(s, μ(s))`, Polyak moves of the targets.
public final class DeterministicPolicyGradientUpdate: ContinuousOffPolicyUpdateRule {
    /// The settings.
    public let configuration: DeterministicPolicyGradientConfiguration
    /// `μ`.
    public let actor: DeterministicActor
    /// `μ̂`.
    public let targetActor: DeterministicActor
    /// `Q` (two for TD3).
    public let critics: [ContinuousCritic]
    /// `Q̂`.
    public let targetCritics: [ContinuousCritic]
    /// The actor's optimizer.
    public let actorOptimizer: Adam
    /// The critics' optimizer.
    public let criticOptimizer: Adam
    private var updates = 0
    private let high: [Float]

    /// Networks for `environment` (box actions) initialized from `generator`: actor, target actor, critics,
    /// target critics, in that order.
    public init(
        environment: any Environment, configuration: DeterministicPolicyGradientConfiguration,
        using generator: inout RandomGenerator
    ) {
        guard case .box(_, let high) = environment.actionSpace else {
            preconditionFailure("DeterministicPolicyGradientUpdate: the environment's actions must be a box")
        }
        self.configuration = configuration
        self.high = high
        let size = environment.observationSize
        actor = DeterministicActor(observationSize: size, high: high, hidden: configuration.hidden, using: &generator)
        targetActor = DeterministicActor(
            observationSize: size, high: high, hidden: configuration.hidden, using: &generator)
        let criticCount = configuration.twinDelayed ? 2 : 1
        critics = (0..<criticCount).map { _ in
            ContinuousCritic(
                observationSize: size, actionSize: high.count, hidden: configuration.hidden, using: &generator)
        }
        targetCritics = (0..<criticCount).map { _ in
            ContinuousCritic(
                observationSize: size, actionSize: high.count, hidden: configuration.hidden, using: &generator)
        }
        copyParameters(from: actor, to: targetActor)
        for (critic, target) in zip(critics, targetCritics) { copyParameters(from: critic, to: target) }
        actorOptimizer = Adam(actor.parameters, learningRate: configuration.learningRate)
        criticOptimizer = Adam(critics.flatMap(\.parameters), learningRate: configuration.learningRate)
    }

    public var lossName: String { "critic_loss" }

    public func policyActions(_ observations: Tensor) -> Tensor { actor(observations) }

    /// One critic update (and, when due, an actor update and target moves); returns the critic loss.
    public func update(on batch: ContinuousTransitionBatch, using generator: inout RandomGenerator) -> Double {
        let observations = batch.observations
        let nextObservations = batch.nextObservations
        let dimension = high.count
        let targets: Tensor = withoutGradients {
            var nextActions = targetActor(nextObservations)
            if configuration.twinDelayed {
                var scalars = nextActions.scalars
                for index in scalars.indices {
                    let bound = high[index % dimension]
                    let clip = configuration.targetNoiseClip * bound
                    let noise = min(
                        max(configuration.targetNoise * bound * Float(generator.nextStandardNormal()), -clip), clip)
                    scalars[index] = min(max(scalars[index] + noise, -bound), bound)
                }
                nextActions = Tensor(shape: nextActions.shape, scalars: scalars)
            }
            var next = targetCritics[0](nextObservations, nextActions)
            for critic in targetCritics.dropFirst() {
                next = Tensor.minimum(next, critic(nextObservations, nextActions))
            }
            return batch.rewards + batch.discounts * next
        }
        var criticLoss = Tensor(0)
        for critic in critics {
            criticLoss = criticLoss + (critic(observations, batch.actions) - targets).squared().mean()
        }
        criticOptimizer.step(Autodiff.gradients(of: criticLoss, wrt: critics.flatMap(\.parameterValues)))
        updates += 1
        if !configuration.twinDelayed || updates % configuration.policyDelay == 0 {
            let actorLoss = -critics[0](observations, actor(observations)).mean()
            actorOptimizer.step(Autodiff.gradients(of: actorLoss, wrt: actor.parameterValues))
            softUpdate(from: actor, to: targetActor, tau: configuration.tau)
            for (critic, target) in zip(critics, targetCritics) {
                softUpdate(from: critic, to: target, tau: configuration.tau)
            }
        }
        return Double(criticLoss.item)
    }
}
