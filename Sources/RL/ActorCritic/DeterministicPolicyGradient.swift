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
public final class DeterministicPolicyGradientTrainer {
    public let configuration: DeterministicPolicyGradientConfiguration
    public let actor: DeterministicActor
    public let targetActor: DeterministicActor
    public let critics: [ContinuousCritic]
    public let targetCritics: [ContinuousCritic]
    public let actorOptimizer: Adam
    public let criticOptimizer: Adam
    public var generator: RandomGenerator
    public private(set) var environmentSteps = 0
    public private(set) var episodeReturns: [Double] = []
    private var environment: AnyEnvironment
    private var replay: ReplayBuffer
    private var observation: [Float]
    private var runningReturn = 0.0
    private var updates = 0
    private let high: [Float]

    /// A trainer on `environment` (box actions), seeded with `seed`.
    public init(environment: any Environment, configuration: DeterministicPolicyGradientConfiguration, seed: UInt64) {
        guard case .box(_, let high) = environment.actionSpace else {
            preconditionFailure("DeterministicPolicyGradientTrainer: the environment's actions must be a box")
        }
        self.configuration = configuration
        self.high = high
        var generator = RandomGenerator(seed: seed)
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
        replay = ReplayBuffer(capacity: configuration.bufferSize)
        self.environment = AnyEnvironment(environment)
        observation = self.environment.reset(seed: seed &+ 1000)
        self.generator = generator
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

    /// Trains until `steps` environment steps (or `deadline`), reporting at the end of each episode.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        var lastCriticLoss = 0.0
        while environmentSteps < steps {
            if let deadline, Date() >= deadline { break }
            var action: [Float]
            if environmentSteps < configuration.learningStarts {
                action = high.map { Float(generator.nextUniform(-Double($0), Double($0))) }
            } else {
                action = withoutGradients { actor(observationBatch([observation])).scalars }
                for index in action.indices {
                    let noise = configuration.explorationNoise * high[index] * Float(generator.nextStandardNormal())
                    action[index] = min(max(action[index] + noise, -high[index]), high[index])
                }
            }
            let outcome = environment.step(.continuous(action))
            environmentSteps += 1
            runningReturn += outcome.reward
            replay.append(
                Transition(
                    observation: observation, action: .continuous(action), reward: outcome.reward,
                    nextObservation: outcome.observation, terminated: outcome.terminated,
                    bootstrapDiscount: configuration.discount))
            if environmentSteps >= configuration.learningStarts { lastCriticLoss = update() }
            if outcome.done {
                episodeReturns.append(runningReturn)
                runningReturn = 0
                observation = environment.reset()
                report(
                    TrainingReport(
                        environmentSteps: environmentSteps, episodes: episodeReturns.count,
                        recentMeanReturn: recentMeanReturn, scalars: ["critic_loss": lastCriticLoss]))
            } else {
                observation = outcome.observation
            }
        }
    }

    /// One critic update (and, when due, an actor update and target moves); returns the critic loss.
    @discardableResult
    public func update() -> Double {
        let batch = replay.sampleIndices(configuration.batchSize, using: &generator).map { replay.transitions[$0] }
        let observations = observationBatch(batch.map(\.observation))
        let nextObservations = observationBatch(batch.map(\.nextObservation))
        let dimension = high.count
        let actions = Tensor(shape: [batch.count, dimension], scalars: batch.flatMap(\.action.vector))
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
            let rewards = Tensor(batch.map { Float($0.reward) })
            let discounts = Tensor(batch.map { $0.terminated ? 0 : Float($0.bootstrapDiscount) })
            return rewards + discounts * next
        }
        var criticLoss = Tensor(0)
        for critic in critics { criticLoss = criticLoss + (critic(observations, actions) - targets).squared().mean() }
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
