import Autodiff
import Foundation
import NeuralNet

/// The value-based methods, each a combination of DQN's "magics".
public enum DQNVariant: String, Codable, Sendable, CaseIterable {
    /// Mnih et al. 2015: target network, replay, ε-greedy.
    case dqn
    /// Double DQN: `y = r + γ Q̂(s′, argmax_a Q(s′, a))` (van Hasselt, Guez & Silver, AAAI 2016).
    case double = "double-dqn"
    /// Dueling heads (Wang et al. 2016) with Double DQN targets.
    case dueling = "dueling-dqn"
    /// Prioritized replay (Schaul et al. 2016) with Double DQN targets.
    case prioritized = "per-dqn"
    /// Noisy nets instead of ε-greedy (Fortunato et al. 2018).
    case noisy = "noisy-dqn"
    /// Distributional C51 (Bellemare et al. 2017).
    case c51
    /// Rainbow (Hessel et al., AAAI 2018): double, dueling, prioritized, 3-step, noisy, distributional.
    case rainbow
}

/// Hyperparameters of ``DQNTrainer``; defaults are Stable-Baselines3 zoo's DQN for CartPole-v1.
public struct DQNConfiguration: Codable, Equatable, Sendable {
    public var variant: DQNVariant = .dqn
    public var network = QNetworkConfiguration()
    public var learningRate: Float = 2.3e-3
    public var batchSize = 64
    public var bufferSize = 100_000
    /// Environment steps before learning starts.
    public var learningStarts = 1000
    public var discount = 0.99
    /// Environment steps between hard copies `Q̂ ← Q` (Stable-Baselines3's convention).
    public var targetUpdateInterval = 10
    /// Environment steps between bursts of training.
    public var trainFrequency = 256
    /// Gradient steps per burst.
    public var gradientSteps = 128
    public var exploration = ExplorationStrategy.epsilonGreedy(start: 1, end: 0.04, fraction: 0.16)
    /// Double DQN targets.
    public var doubleQ = false
    /// Multi-step returns.
    public var nSteps = 1
    /// Prioritized replay.
    public var prioritized = false
    /// α of prioritized replay.
    public var priorityAlpha = 0.6
    /// β of prioritized replay at the start (annealed to 1).
    public var priorityBetaStart = 0.4
    /// Gradient global-norm bound.
    public var maxGradientNorm: Float = 10
    /// Curiosity-driven exploration: an intrinsic curiosity module whose reward is added to every replayed
    /// transition's (nil: none).
    public var curiosity: CuriositySettings?

    /// The zoo defaults for a plain DQN.
    public init() {}

    /// The defaults with `variant`'s magics switched on.
    public init(variant: DQNVariant) {
        self.init()
        self.variant = variant
        switch variant {
        case .dqn: break
        case .double: doubleQ = true
        case .dueling:
            doubleQ = true
            network.dueling = true
        case .prioritized:
            doubleQ = true
            prioritized = true
        case .noisy:
            network.noisy = true
            exploration = .greedy
        case .c51:
            network.atoms = 51
        case .rainbow:
            doubleQ = true
            network.dueling = true
            network.noisy = true
            network.atoms = 51
            prioritized = true
            nSteps = 3
            exploration = .greedy
        }
    }
}

/// Deep Q-learning and its extensions on one environment with discrete actions:
///
/// 1. initialize `Q̂ = Q`; 2. act ε-greedily (or Boltzmann, or greedily on noisy weights); 3. store `(s, a, r, s′)`;
/// 4. sample a batch from the buffer; 5. `y = r + γ max_a Q̂(s′, a)` (Double: `Q̂(s′, argmax_a Q(s′, a))`;
/// C51: the projected distribution); 6. regress `Q(s, a)` on `y` (Huber loss, importance-weighted under
/// prioritized replay); 7. every `C` steps `Q̂ ← Q` (Mnih et al. 2015).
public final class DQNTrainer {
    /// The configuration.
    public let configuration: DQNConfiguration
    /// The online network.
    public let network: QNetwork
    /// The target network.
    public let target: QNetwork
    /// The optimizer.
    public let optimizer: Adam
    /// The environment.
    public private(set) var environment: AnyEnvironment
    /// The generator of actions, noise and replay samples.
    public var generator: RandomGenerator
    /// Uniform replay (when not prioritized).
    public private(set) var replay: ReplayBuffer
    /// Prioritized replay.
    public private(set) var prioritizedReplay: PrioritizedReplayBuffer?
    /// Environment steps so far.
    public private(set) var environmentSteps = 0
    /// Returns of finished episodes.
    public private(set) var episodeReturns: [Double] = []
    /// The curiosity module, when the configuration asks for one.
    public let curiosity: IntrinsicCuriosityModule?
    /// The environment step at which a training episode first ended in a terminal state (MountainCar's and the
    /// grid world's goal), nil before.
    public private(set) var firstTerminalStep: Int?
    /// Training episodes that ended in a terminal state.
    public private(set) var terminalEpisodes = 0
    private var accumulator: NStepAccumulator
    private var observation: [Float]
    private var runningReturn = 0.0
    private var lastLoss = 0.0

    /// A trainer on `environment` (discrete actions), seeded with `seed`.
    public init(environment: any Environment, configuration: DQNConfiguration, seed: UInt64) {
        precondition(
            environment.actionSpace.actionCount != nil, "DQNTrainer: the environment's actions must be discrete")
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        let actions = environment.actionSpace.actionCount ?? 1
        network = QNetwork(
            observationSize: environment.observationSize, actions: actions, configuration: configuration.network,
            using: &generator)
        target = QNetwork(
            observationSize: environment.observationSize, actions: actions, configuration: configuration.network,
            using: &generator)
        copyParameters(from: network, to: target)
        optimizer = Adam(network.parameters, learningRate: configuration.learningRate)
        // The module draws its weights from its own stream, so switching curiosity on or off leaves the Q-network's
        // initialization and the run's actions, noise and replay samples exactly as they were.
        var curiosityGenerator = RandomGenerator(seed: IntrinsicCuriosityModule.streamSeed(forRunSeed: seed))
        curiosity = configuration.curiosity.map {
            IntrinsicCuriosityModule(
                observationSize: environment.observationSize, actions: actions, featureSize: $0.featureSize,
                hidden: $0.hidden, scale: $0.scale, learningRate: $0.learningRate, using: &curiosityGenerator)
        }
        replay = ReplayBuffer(capacity: configuration.prioritized ? 1 : configuration.bufferSize)
        prioritizedReplay =
            configuration.prioritized
            ? PrioritizedReplayBuffer(capacity: configuration.bufferSize, alpha: configuration.priorityAlpha) : nil
        accumulator = NStepAccumulator(steps: configuration.nSteps, discount: configuration.discount)
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

    /// The greedy action of the online network (noise off).
    public func greedy(_ observation: [Float]) -> Int {
        network.setNoise(enabled: false)
        defer { network.setNoise(enabled: true) }
        return greedyAction(withoutGradients { network.qValues(observationBatch([observation])).scalars })
    }

    /// Trains until `steps` environment steps (or `deadline`), reporting after every burst of gradient steps.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        while environmentSteps < steps {
            if let deadline, Date() >= deadline { break }
            let qValues = withoutGradients { network.qValues(observationBatch([observation])).scalars }
            let action = configuration.exploration.action(
                qValues: qValues, step: environmentSteps, budget: steps, using: &generator)
            let outcome = environment.step(.discrete(action))
            environmentSteps += 1
            runningReturn += outcome.reward
            for transition in accumulator.add(
                observation: observation, action: .discrete(action), reward: outcome.reward,
                nextObservation: outcome.observation, terminated: outcome.terminated, episodeEnded: outcome.done)
            {
                if prioritizedReplay != nil {
                    prioritizedReplay?.append(transition)
                } else {
                    replay.append(transition)
                }
            }
            if outcome.terminated {
                terminalEpisodes += 1
                if firstTerminalStep == nil { firstTerminalStep = environmentSteps }
            }
            if outcome.done {
                episodeReturns.append(runningReturn)
                runningReturn = 0
                observation = environment.reset()
            } else {
                observation = outcome.observation
            }
            if environmentSteps % max(configuration.targetUpdateInterval, 1) == 0 {
                copyParameters(from: network, to: target)
            }
            if environmentSteps >= configuration.learningStarts
                && environmentSteps % max(configuration.trainFrequency, 1) == 0
            {
                let beta =
                    configuration.priorityBetaStart + (1 - configuration.priorityBetaStart)
                    * min(Double(environmentSteps) / Double(max(steps, 1)), 1)
                for _ in 0..<configuration.gradientSteps { lastLoss = trainStep(beta: beta) }
                report(
                    TrainingReport(
                        environmentSteps: environmentSteps, episodes: episodeReturns.count,
                        recentMeanReturn: recentMeanReturn,
                        scalars: [
                            "loss": lastLoss,
                            "epsilon": configuration.exploration.epsilon(step: environmentSteps, budget: steps),
                        ]))
            }
        }
    }

    /// One gradient step on a replayed batch; returns the loss.
    @discardableResult
    public func trainStep(beta: Double = 1) -> Double {
        let stored = prioritizedReplay?.count ?? replay.count
        guard stored > 0 else { return 0 }
        let indices: [Int]
        let weights: [Double]
        if let prioritizedReplay {
            (indices, weights) = prioritizedReplay.sample(configuration.batchSize, beta: beta, using: &generator)
        } else {
            indices = replay.sampleIndices(configuration.batchSize, using: &generator)
            weights = Array(repeating: 1, count: indices.count)
        }
        let batch = indices.map { prioritizedReplay?.storage.transitions[$0] ?? replay.transitions[$0] }
        if configuration.network.noisy {
            network.resetNoise(using: &generator)
            target.resetNoise(using: &generator)
        }
        let observations = observationBatch(batch.map(\.observation))
        let nextObservations = observationBatch(batch.map(\.nextObservation))
        let actions = batch.map(\.action.index)
        let discounts = batch.map { $0.terminated ? 0 : $0.bootstrapDiscount }
        var rewards = batch.map(\.reward)
        if let curiosity {
            // Pathak et al. 2017: r = r^e + r^i with r^i the forward model's error, and the module learns from the
            // same batch. Under n-step returns the module sees (s_t, a_t, s_{t+n}).
            let observed = batch.map(\.observation)
            let next = batch.map(\.nextObservation)
            let intrinsic = curiosity.intrinsicRewards(observations: observed, actions: actions, nextObservations: next)
            for row in rewards.indices { rewards[row] += intrinsic[row] }
            curiosity.update(observations: observed, actions: actions, nextObservations: next)
        }
        let rows = batch.count
        let actionCount = network.actions
        let nextActions: [Int] = withoutGradients {
            let chooser = configuration.doubleQ ? network.qValues(nextObservations) : target.qValues(nextObservations)
            return (0..<rows).map { row in
                greedyAction(Array(chooser.scalars[(row * actionCount)..<((row + 1) * actionCount)]))
            }
        }
        let perSampleLoss: Tensor
        var priorities: [Double] = []
        if configuration.network.atoms > 1 {
            let atoms = configuration.network.atoms
            let targetDistribution: [Float] = withoutGradients {
                let next = target.logDistributions(nextObservations).exp()
                var chosen = [Float](repeating: 0, count: rows * atoms)
                for row in 0..<rows {
                    let base = (row * actionCount + nextActions[row]) * atoms
                    for atom in 0..<atoms { chosen[row * atoms + atom] = next.scalars[base + atom] }
                }
                return projectCategoricalDistribution(
                    probabilities: chosen, rewards: rewards, discounts: discounts,
                    support: configuration.network.support)
            }
            let logDistributions = network.logDistributions(observations)
            let takenIndices = IndexTensor(
                shape: [rows, 1, atoms], indices: actions.flatMap { Array(repeating: $0, count: atoms) })
            let taken = logDistributions.gather(along: 1, indices: takenIndices).reshaped([rows, atoms])
            perSampleLoss = -(Tensor(shape: [rows, atoms], scalars: targetDistribution) * taken).sum(axis: 1)
            // Rainbow prioritizes by the cross-entropy (the KL up to the target's entropy).
            priorities = perSampleLoss.scalars.map(Double.init)
        } else {
            let targets: [Float] = withoutGradients {
                let next = target.qValues(nextObservations)
                return (0..<rows).map { row in
                    Float(rewards[row] + discounts[row] * Double(next.scalars[row * actionCount + nextActions[row]]))
                }
            }
            let q = network.qValues(observations)
            let taken = q.gather(along: 1, indices: IndexTensor(shape: [rows, 1], indices: actions)).reshaped([rows])
            let errors = taken - Tensor(targets)
            priorities = errors.scalars.map { Double(abs($0)) }
            perSampleLoss = huber(errors)
        }
        let loss = (perSampleLoss * Tensor(weights.map { Float($0) })).mean()
        let gradients = Autodiff.gradients(of: loss, wrt: network.parameterValues)
        optimizer.step(clipByGlobalNorm(gradients, maxNorm: configuration.maxGradientNorm).clipped)
        if prioritizedReplay != nil {
            prioritizedReplay?.updatePriorities(indices, errors: priorities)
        }
        return Double(loss.item)
    }
}

/// The Huber loss per element: `½x²` for `|x| ≤ 1`, `|x| − ½` beyond (PyTorch's `smooth_l1_loss`, β = 1).
public func huber(_ x: Tensor) -> Tensor {
    let magnitude = x.abs()
    return Tensor.where(magnitude.lessOrEqual(to: 1), x.squared() * 0.5, magnitude - 0.5)
}

/// Settings of the intrinsic curiosity module of a curious DQN (Pathak et al., ICML 2017).
public struct CuriositySettings: Codable, Equatable, Sendable {
    /// η: the intrinsic reward is `η/2 · ‖f(φ(s), a) − φ(s′)‖²`.
    public var scale: Float = 1
    /// Size of the features φ.
    public var featureSize = 16
    /// Hidden width of the encoder, forward and inverse models.
    public var hidden = 64
    /// The module's Adam step size.
    public var learningRate: Float = 1e-3

    /// The defaults.
    public init() {}
}
