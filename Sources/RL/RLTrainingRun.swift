import Autodiff
import Foundation
import MontagueSupport
import NeuralNet

/// Every training method of the module, by its command-line name.
public enum RLMethod: String, Codable, Sendable, CaseIterable {
    case reinforce, a2c, a3c, ppo
    case ppoKL = "ppo-kl"
    case dqn
    case doubleDQN = "double-dqn"
    case duelingDQN = "dueling-dqn"
    case prioritizedDQN = "per-dqn"
    case noisyDQN = "noisy-dqn"
    case c51, rainbow
    case ddpg, td3, naf
    case bc, gail
    /// Tabular Q-learning on a key-door grid world.
    case qLearning = "q-learning"
    /// Reverse curriculum generation with tabular Q-learning on a key-door grid world.
    case reverseCurriculum = "reverse-curriculum"
    /// The two-level subgoal agent (h-DQN style, tabular) on a key-door grid world.
    case hierarchical

    /// The on-policy method, when this is one.
    public var onPolicyMethod: OnPolicyMethod? {
        switch self {
        case .reinforce: .reinforce
        case .a2c, .a3c: .a2c
        case .ppo: .ppo
        case .ppoKL: .ppoKL
        default: nil
        }
    }

    /// The DQN variant, when this is one.
    public var dqnVariant: DQNVariant? { DQNVariant(rawValue: rawValue) }

    /// Whether this is a pathwise-derivative method (DDPG, TD3).
    public var isPathwise: Bool { self == .ddpg || self == .td3 }

    /// Whether this is one of the tabular grid-world methods.
    public var isTabular: Bool { self == .qLearning || self == .reverseCurriculum || self == .hierarchical }
}

/// Why a run cannot be made or resumed (a user's choice of environment, method or directory).
public struct RLRunError: LocatedError, Equatable {
    /// Where, when a file is concerned.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String
    /// An error with `message`.
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// Everything that defines a run: stored as the model directory's hyperparameters.
public struct RLHyperparameters: Codable, Equatable, Sendable {
    /// The environment.
    public var environment: EnvironmentName
    /// The method.
    public var method: RLMethod
    /// The seed of networks, actions and environments.
    public var seed: UInt64
    /// Settings of on-policy methods.
    public var onPolicy: OnPolicyConfiguration?
    /// Settings of value-based methods.
    public var dqn: DQNConfiguration?
    /// Settings of DDPG / TD3.
    public var pathwise: DeterministicPolicyGradientConfiguration?
    /// A3C's worker threads (nil for the other methods).
    public var workers: Int?
    /// Settings of NAF.
    public var naf: NAFConfiguration?
    /// Imitation settings (BC, GAIL).
    public var imitation: ImitationSettings?
    /// Settings of tabular Q-learning.
    public var tabular: TabularQLearningConfiguration?
    /// Settings of the reverse curriculum.
    public var curriculum: ReverseCurriculumConfiguration?
    /// Settings of the subgoal hierarchy.
    public var hierarchy: SubgoalHierarchyConfiguration?

    /// The defaults of `method` on `environment` (Stable-Baselines3 zoo settings where the zoo has them).
    public init(environment: EnvironmentName, method: RLMethod, seed: UInt64) throws(RLRunError) {
        self.environment = environment
        self.method = method
        self.seed = seed
        let space = environment.make().actionSpace
        if method.isTabular && !environment.isGridWorld {
            throw RLRunError("\(method.rawValue) needs a key-door grid world (KeyDoor-v0, KeyDoorLarge-v0)")
        }
        switch method {
        case .qLearning: tabular = TabularQLearningConfiguration()
        case .reverseCurriculum: curriculum = ReverseCurriculumConfiguration()
        case .hierarchical: hierarchy = SubgoalHierarchyConfiguration()
        default: break
        }
        if method.isTabular {
            return
        } else if method == .bc || method == .gail {
            imitation = ImitationSettings()
            onPolicy = OnPolicyConfiguration(method: .ppo, environment: environment)
        } else if let onPolicyMethod = method.onPolicyMethod {
            onPolicy = OnPolicyConfiguration(method: onPolicyMethod, environment: environment)
            if method == .a3c { workers = 2 }
        } else if let variant = method.dqnVariant {
            guard space.actionCount != nil else {
                throw RLRunError(
                    "\(method.rawValue) needs discrete actions; \(environment.rawValue) has continuous ones")
            }
            dqn = DQNConfiguration(variant: variant, environment: environment)
        } else if method.isPathwise {
            guard space.dimension != nil else {
                throw RLRunError(
                    "\(method.rawValue) needs continuous actions; \(environment.rawValue) has discrete ones")
            }
            var configuration = DeterministicPolicyGradientConfiguration()
            configuration.twinDelayed = method == .td3
            if environment == .mountainCarContinuous {
                configuration.explorationNoise = 0.5
                configuration.discount = 0.99
                configuration.learningStarts = 1000
            }
            pathwise = configuration
        } else if method == .naf {
            guard space.dimension != nil else {
                throw RLRunError("naf needs continuous actions; \(environment.rawValue) has discrete ones")
            }
            naf = NAFConfiguration()
        }
    }
}

extension OnPolicyConfiguration {
    /// The defaults of `method` adjusted to `environment` (zoo settings for PPO on Pendulum, longer rollouts for
    /// the sparse-reward tasks).
    public init(method: OnPolicyMethod, environment: EnvironmentName) {
        self.init(method: method)
        guard method == .ppo || method == .ppoKL else { return }
        switch environment {
        case .pendulum, .mountainCarContinuous:
            // rl-zoo3's PPO for Pendulum-v1.
            environments = 4
            rolloutSteps = 1024
            gaeLambda = 0.95
            discount = 0.9
            epochs = 10
            minibatchSize = 64
            learningRate = 1e-3
            annealing = false
            entropyCoefficient = 0
        case .acrobot:
            // Tuned here for a 100k-step budget (docs/experiments.md): short rollouts, many updates.
            environments = 4
            rolloutSteps = 128
            gaeLambda = 0.95
            discount = 0.99
            epochs = 4
            minibatchSize = 128
            entropyCoefficient = 0.01
            annealing = true
            learningRate = 2.5e-3
        case .mountainCar, .keyDoor, .keyDoorLarge:
            environments = 16
            rolloutSteps = 256
            gaeLambda = 0.94
            discount = 0.99
            epochs = 4
            minibatchSize = 256
            entropyCoefficient = 0
            annealing = false
            learningRate = 3e-4
        case .cartPole:
            break
        }
    }
}

extension DQNConfiguration {
    /// The defaults of `variant` adjusted to `environment` (rl-zoo3's DQN settings for Acrobot and MountainCar).
    public init(variant: DQNVariant, environment: EnvironmentName) {
        self.init(variant: variant)
        switch environment {
        case .acrobot:
            learningRate = 6.3e-4
            batchSize = 128
            bufferSize = 50_000
            learningStarts = 0
            targetUpdateInterval = 250
            trainFrequency = 4
            gradientSteps = 4
            if case .epsilonGreedy = exploration { exploration = .epsilonGreedy(start: 1, end: 0.1, fraction: 0.12) }
        case .mountainCar:
            learningRate = 4e-3
            batchSize = 128
            bufferSize = 10_000
            discount = 0.98
            targetUpdateInterval = 600
            trainFrequency = 16
            gradientSteps = 8
            if case .epsilonGreedy = exploration { exploration = .epsilonGreedy(start: 1, end: 0.07, fraction: 0.2) }
        case .keyDoor, .keyDoorLarge:
            learningStarts = 500
            trainFrequency = 4
            gradientSteps = 1
            targetUpdateInterval = 500
            network.hidden = [64, 64]
        default:
            break
        }
        network.valueMin = environment == .cartPole ? 0 : -100
        network.valueMax = environment == .cartPole ? 100 : 0
        if environment.isGridWorld {
            network.valueMin = 0
            network.valueMax = 1
        }
    }
}

/// Where imitation's demonstrations come from and how much of them is used.
public struct ImitationSettings: Codable, Equatable, Sendable {
    /// The demonstrations file (JSON Lines, see ``Demonstrations``).
    public var demonstrationsPath = ""
    /// Use only the first episodes (nil: all).
    public var episodes: Int?
    /// Behavior cloning's passes over the data.
    public var epochs = 50

    /// The defaults.
    public init() {}
}

/// A trained policy: what `predict` and `evaluate` apply.
public enum RLPolicy {
    case actorCritic(ActorCriticModel)
    case q(QNetwork)
    case deterministic(DeterministicActor)
    case normalizedAdvantage(NormalizedAdvantageNetwork)
    /// A table `Q(s, a)` on a grid world.
    case tabular(TabularQFunction, KeyDoorGridWorld)
    /// The subgoal hierarchy's tables on a grid world.
    case hierarchical(SubgoalHierarchyTables, KeyDoorGridWorld)

    /// The parameters, by name (the model directory's weights).
    public var parameters: any ParameterContainer {
        switch self {
        case .actorCritic(let model): model
        case .q(let network): network
        case .deterministic(let actor): actor
        case .normalizedAdvantage(let network): network
        case .tabular(let table, _): table
        case .hierarchical(let tables, _): tables
        }
    }

    /// The action for `observation`: the mode / greedy action when `deterministic`, else a sample.
    public func action(_ observation: [Float], deterministic: Bool, using generator: inout RandomGenerator) -> Action {
        switch self {
        case .actorCritic(let model):
            return model.act([observation], deterministic: deterministic, using: &generator)[0]
        case .q(let network):
            network.setNoise(enabled: false)
            let values = withoutGradients { network.qValues(observationBatch([observation])).scalars }
            return .discrete(greedyAction(values))
        case .deterministic(let actor):
            return .continuous(withoutGradients { actor(observationBatch([observation])).scalars })
        case .normalizedAdvantage(let network):
            return .continuous(withoutGradients { network(observationBatch([observation])).action.scalars })
        case .tabular(let table, let world):
            return .discrete(greedyAction(table.values(world.index(of: world.state(fromObservation: observation)))))
        case .hierarchical(let tables, let world):
            return .discrete(tables.greedyAction(world.index(of: world.state(fromObservation: observation))))
        }
    }

    /// A freshly initialized policy of the shape `hyperparameters` describe (weights are loaded into it).
    public static func make(for hyperparameters: RLHyperparameters) -> RLPolicy {
        let environment = hyperparameters.environment.make()
        var generator = RandomGenerator(seed: 0)
        if hyperparameters.method.isTabular, let world = environment as? KeyDoorGridWorld {
            if hyperparameters.method == .hierarchical {
                return .hierarchical(SubgoalHierarchyTables(stateCount: world.stateCount, subgoals: 3), world)
            }
            return .tabular(TabularQFunction(stateCount: world.stateCount, actionCount: 4), world)
        }
        if let configuration = hyperparameters.onPolicy {
            return .actorCritic(
                ActorCriticModel(
                    observationSize: environment.observationSize,
                    distribution: PolicyDistribution(environment.actionSpace), hidden: configuration.hidden,
                    activation: configuration.activation, sharedTrunk: configuration.sharedTrunk, using: &generator))
        }
        if let configuration = hyperparameters.naf, case .box(_, let high) = environment.actionSpace {
            return .normalizedAdvantage(
                NormalizedAdvantageNetwork(
                    observationSize: environment.observationSize, high: high, hidden: configuration.hidden,
                    activation: configuration.activation ?? .relu, using: &generator))
        }
        if let configuration = hyperparameters.pathwise, case .box(_, let high) = environment.actionSpace {
            return .deterministic(
                DeterministicActor(
                    observationSize: environment.observationSize, high: high, hidden: configuration.hidden,
                    using: &generator))
        }
        let configuration = hyperparameters.dqn ?? DQNConfiguration()
        return .q(
            QNetwork(
                observationSize: environment.observationSize, actions: environment.actionSpace.actionCount ?? 1,
                configuration: configuration.network, using: &generator))
    }
}

/// Plays `episodes` episodes of `environment` with `policy`; episode `i` is reset with seed `seed + i`.
public func evaluatePolicy(
    _ policy: RLPolicy, environment name: EnvironmentName, episodes: Int, seed: UInt64, deterministic: Bool = true
) -> [Double] {
    var environment = name.make()
    var generator = RandomGenerator(seed: seed)
    return (0..<episodes).map { episode in
        var observation = environment.reset(seed: seed &+ UInt64(episode))
        var total = 0.0
        while true {
            let action = policy.action(observation, deterministic: deterministic, using: &generator)
            let outcome = environment.step(clippedAction(action, to: environment.actionSpace))
            total += outcome.reward
            if outcome.done { break }
            observation = outcome.observation
        }
        return total
    }
}

/// Mean and (population) standard deviation.
public func meanAndStandardDeviation(_ values: [Double]) -> (mean: Double, standardDeviation: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    return (mean, variance.squareRoot())
}

/// One training run of any method on any named environment, with the model directory it writes and resumes from
/// (`manifest.json` of kind `rl`, `weights.safetensors`, `training-state.safetensors`).
public final class RLTrainingRun {
    /// The manifest kind.
    public static let kind = "rl"

    /// The run's definition.
    public let hyperparameters: RLHyperparameters
    private let onPolicy: OnPolicyTrainer?
    private let dqn: DQNTrainer?
    private let pathwise: DeterministicPolicyGradientTrainer?
    private let asynchronous: A3CTrainer?
    private let normalizedAdvantage: NAFTrainer?
    private let adversarialImitation: GenerativeAdversarialImitation?
    private let cloningData: Demonstrations?
    private var cloned = false
    private let gridLearner: TabularQLearner?
    private let curriculum: ReverseCurriculum?
    private let hierarchy: SubgoalHierarchy?

    /// A new run; imitation methods read their demonstrations file (located errors for a bad file).
    public convenience init(_ hyperparameters: RLHyperparameters) throws(InputError) {
        var demonstrations: Demonstrations?
        if let imitation = hyperparameters.imitation {
            let path = imitation.demonstrationsPath
            var loaded = try Demonstrations(contentsOf: path)
            if let episodes = imitation.episodes { loaded = loaded.prefix(episodes: episodes) }
            try loaded.check(against: hyperparameters.environment.make(), path: path)
            guard loaded.count > 0 else { throw InputError("no demonstrations", at: SourceLocation(file: path)) }
            demonstrations = loaded
        }
        self.init(hyperparameters, demonstrations: demonstrations)
    }

    /// A new run with demonstrations given in memory (imitation methods need them).
    public init(_ hyperparameters: RLHyperparameters, demonstrations: Demonstrations?) {
        self.hyperparameters = hyperparameters
        let environment = hyperparameters.environment.make()
        let world = environment as? KeyDoorGridWorld
        gridLearner = world.flatMap { world in
            hyperparameters.tabular.map {
                TabularQLearner(world: world, configuration: $0, seed: hyperparameters.seed)
            }
        }
        curriculum = world.flatMap { world in
            hyperparameters.curriculum.map {
                ReverseCurriculum(world: world, configuration: $0, seed: hyperparameters.seed)
            }
        }
        hierarchy = world.flatMap { world in
            hyperparameters.hierarchy.map {
                SubgoalHierarchy(world: world, configuration: $0, seed: hyperparameters.seed)
            }
        }
        if hyperparameters.method == .gail, let demonstrations, let configuration = hyperparameters.onPolicy {
            adversarialImitation = GenerativeAdversarialImitation(
                environment: environment, demonstrations: demonstrations, configuration: configuration,
                seed: hyperparameters.seed)
        } else {
            adversarialImitation = nil
        }
        cloningData = hyperparameters.method == .bc ? demonstrations : nil
        normalizedAdvantage = hyperparameters.naf.map {
            NAFTrainer(environment: environment, configuration: $0, seed: hyperparameters.seed)
        }
        pathwise = hyperparameters.pathwise.map {
            DeterministicPolicyGradientTrainer(environment: environment, configuration: $0, seed: hyperparameters.seed)
        }
        if let workers = hyperparameters.workers, let configuration = hyperparameters.onPolicy {
            asynchronous = A3CTrainer(
                environment: environment, configuration: configuration, workers: workers, seed: hyperparameters.seed)
        } else {
            asynchronous = nil
        }
        if let adversarialImitation {
            onPolicy = adversarialImitation.learner
            dqn = nil
        } else if asynchronous != nil {
            onPolicy = nil
            dqn = nil
        } else if let configuration = hyperparameters.onPolicy {
            onPolicy = OnPolicyTrainer(
                environment: environment, configuration: configuration, seed: hyperparameters.seed)
            dqn = nil
        } else if pathwise != nil || normalizedAdvantage != nil || hyperparameters.method.isTabular {
            onPolicy = nil
            dqn = nil
        } else {
            onPolicy = nil
            dqn = DQNTrainer(
                environment: environment, configuration: hyperparameters.dqn ?? DQNConfiguration(),
                seed: hyperparameters.seed)
        }
    }

    /// The policy being trained.
    public var policy: RLPolicy {
        if let tabular = tabularLearner {
            let function = TabularQFunction(stateCount: tabular.world.stateCount, actionCount: 4)
            tabular.table.write(to: function)
            return .tabular(function, tabular.world)
        }
        if let hierarchy {
            let tables = SubgoalHierarchyTables(
                stateCount: hierarchy.world.stateCount, subgoals: hierarchy.subgoals.count)
            tables.store(hierarchy)
            return .hierarchical(tables, hierarchy.world)
        }
        if let onPolicy { return .actorCritic(onPolicy.model) }
        if let asynchronous { return .actorCritic(asynchronous.model) }
        if let normalizedAdvantage { return .normalizedAdvantage(normalizedAdvantage.rule.network) }
        if let dqn { return .q(dqn.network) }
        if let pathwise { return .deterministic(pathwise.rule.actor) }
        preconditionFailure("RLTrainingRun: no trainer")
    }

    /// The flat learner of q-learning or of the reverse curriculum.
    private var tabularLearner: TabularQLearner? { gridLearner ?? curriculum?.learner }

    /// Environment steps so far.
    public var environmentSteps: Int {
        if let onPolicy { return onPolicy.environmentSteps }
        if let dqn { return dqn.environmentSteps }
        if let pathwise { return pathwise.environmentSteps }
        if let asynchronous { return asynchronous.environmentSteps }
        if let normalizedAdvantage { return normalizedAdvantage.environmentSteps }
        if let tabularLearner { return tabularLearner.environmentSteps }
        return hierarchy?.environmentSteps ?? 0
    }

    /// Returns of finished training episodes.
    public var episodeReturns: [Double] {
        if let onPolicy { return onPolicy.episodeReturns }
        if let dqn { return dqn.episodeReturns }
        if let pathwise { return pathwise.episodeReturns }
        if let asynchronous { return asynchronous.episodeReturns }
        if let normalizedAdvantage { return normalizedAdvantage.episodeReturns }
        if let tabularLearner { return tabularLearner.episodeReturns }
        return hierarchy?.episodeReturns ?? []
    }

    /// For DQN-family runs: the environment step at which a training episode first ended in a terminal state.
    public var firstTerminalStep: Int? { dqn?.firstTerminalStep }

    /// For DQN-family runs: how many training episodes ended in a terminal state.
    public var terminalEpisodes: Int? { dqn?.terminalEpisodes }

    /// For the grid-world methods: the environment step after which the greedy policy first reached the goal from
    /// the start (nil: not yet, or another method).
    public var solvedAtStep: Int? { tabularLearner?.solvedAtStep ?? hierarchy?.solvedAtStep }

    /// Trains until `steps` environment steps in total or `deadline`.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        if let cloningData, let onPolicy {
            guard !cloned else { return }
            var generator = RandomGenerator(seed: hyperparameters.seed)
            let loss = BehaviorCloning.train(
                onPolicy.model, on: cloningData, epochs: hyperparameters.imitation?.epochs ?? 50,
                using: &generator)
            cloned = true
            report(
                TrainingReport(environmentSteps: 0, episodes: 0, recentMeanReturn: nil, scalars: ["loss": loss]))
            return
        }
        if let adversarialImitation {
            adversarialImitation.train(steps: steps, deadline: deadline, report: report)
            return
        }
        gridLearner?.train(steps: steps, report: report)
        curriculum?.train(steps: steps, report: report)
        hierarchy?.train(steps: steps, report: report)
        onPolicy?.train(steps: steps, deadline: deadline, report: report)
        dqn?.train(steps: steps, deadline: deadline, report: report)
        pathwise?.train(steps: steps, deadline: deadline, report: report)
        normalizedAdvantage?.train(steps: steps, deadline: deadline, report: report)
        if let asynchronous {
            asynchronous.train(steps: steps, deadline: deadline)
            report(
                TrainingReport(
                    environmentSteps: asynchronous.environmentSteps, episodes: asynchronous.episodeReturns.count,
                    recentMeanReturn: asynchronous.episodeReturns.suffix(100).reduce(0, +)
                        / Double(max(asynchronous.episodeReturns.suffix(100).count, 1)), scalars: [:]))
        }
    }

    /// Makes this run one replica of synchronous data-parallel training (A2C, PPO, PPO-KL; see
    /// ``OnPolicyTrainer/joinDataParallel(_:seed:)``): replica 0's weights, optimizer state, generator and counters
    /// — fresh or resumed — are broadcast to every replica first. Off-policy methods (DQN family, DDPG, TD3, NAF)
    /// are refused: their updates sample a replay buffer that each process fills itself, so averaging gradients
    /// over ranks would not be the update of one larger batch; A3C already runs its own workers; REINFORCE,
    /// imitation and the grid-world methods are refused too.
    ///
    /// - Throws: ``RLRunError`` for another method; the synchronizer's errors.
    public func joinDataParallel(_ synchronizer: any GradientSynchronizer) throws {
        let method = hyperparameters.method
        guard let onPolicy, [.a2c, .ppo, .ppoKL].contains(method) else {
            let reason =
                switch method {
                case .a3c: "A3C runs its own asynchronous workers (--workers); use a2c for data-parallel A2C"
                case _ where method.dqnVariant != nil || method.isPathwise || method == .naf:
                    "off-policy methods learn from a replay buffer each process fills itself, so averaging gradients "
                        + "over ranks is not the update of one larger batch"
                case .reinforce:
                    "its updates wait for whole episodes, so ranks would update different numbers of times"
                default: "only a2c, ppo and ppo-kl are data-parallel"
                }
            throw RLRunError("\(method.rawValue) cannot train on several ranks under mpirun: \(reason)")
        }
        guard synchronizer.shard.count > 1 else { return }
        var state = TrainingStateArchive()
        state.store(model: onPolicy.model, as: "policy_weights")
        state.store(optimizer: onPolicy.optimizer, as: "policy")
        state.store(generator: onPolicy.generator, as: "actions")
        state["environment_steps"] = String(onPolicy.environmentSteps)
        state["kl_beta"] = String(onPolicy.klCoefficient.beta)
        state = try synchronizer.broadcastFromFirstReplica(state)
        try state.restore(model: onPolicy.model, from: "policy_weights")
        try state.restore(optimizer: onPolicy.optimizer, from: "policy")
        onPolicy.generator = try state.generator("actions")
        onPolicy.restoreCounters(
            environmentSteps: try state.integer("environment_steps"), episodeReturns: onPolicy.episodeReturns,
            beta: Float(state["kl_beta"] ?? "") ?? onPolicy.klCoefficient.beta)
        try onPolicy.joinDataParallel(synchronizer, seed: hyperparameters.seed)
    }

    /// The first failed gradient exchange of a data-parallel run (training stopped there).
    public var synchronizationError: (any Error)? { onPolicy?.synchronizationError }

    /// Writes the model directory: manifest (with `metrics`), weights and the training state for resuming.
    public func save(to directory: ModelDirectory, metrics: [String: Double]) throws {
        try directory.create()
        let manifest = try ModelManifest(
            kind: Self.kind, hyperparameters: hyperparameters, metrics: metrics,
            files: [:])
        try directory.writeManifest(manifest)
        try directory.saveWeights(of: policy.parameters)
        var state = TrainingStateArchive()
        state["environment_steps"] = String(environmentSteps)
        let returns = episodeReturns.map { String($0) }.joined(separator: ",")
        state["episode_returns"] = returns
        if let onPolicy {
            state.store(optimizer: onPolicy.optimizer, as: "policy")
            state.store(generator: onPolicy.generator, as: "actions")
            state["kl_beta"] = String(onPolicy.klCoefficient.beta)
        }
        if let asynchronous { state.store(optimizer: asynchronous.optimizer, as: "policy") }
        if let normalizedAdvantage {
            state.store(optimizer: normalizedAdvantage.rule.optimizer, as: "q")
            state.store(generator: normalizedAdvantage.generator, as: "actions")
            state.store(model: normalizedAdvantage.rule.target, as: "target")
        }
        if let dqn {
            state.store(optimizer: dqn.optimizer, as: "q")
            state.store(generator: dqn.generator, as: "actions")
            state.store(model: dqn.target, as: "target")
            if let curiosity = dqn.curiosity {
                state.store(model: curiosity, as: "curiosity")
                state.store(optimizer: curiosity.optimizer, as: "curiosity")
            }
        }
        if let pathwise {
            state.store(optimizer: pathwise.rule.actorOptimizer, as: "actor")
            state.store(optimizer: pathwise.rule.criticOptimizer, as: "critic")
            state.store(generator: pathwise.generator, as: "actions")
            state.store(model: pathwise.rule.targetActor, as: "target_actor")
            for (index, critic) in pathwise.rule.critics.enumerated() {
                state.store(model: critic, as: "critic\(index)")
            }
            for (index, critic) in pathwise.rule.targetCritics.enumerated() {
                state.store(model: critic, as: "target_critic\(index)")
            }
        }
        try directory.saveTrainingState(state)
    }

    /// Reopens a saved run to continue training: weights, optimizer, generator, counters and the target network
    /// are restored; the environments start new episodes and a replay buffer starts empty.
    public static func resume(from directory: ModelDirectory) throws -> RLTrainingRun {
        let manifest = try directory.readManifest(expecting: kind)
        let hyperparameters = try manifest.hyperparameters(as: RLHyperparameters.self)
        let run = try RLTrainingRun(hyperparameters)
        let policy = run.policy
        _ = try directory.loadWeights(into: policy.parameters)
        // The grid-world tables are copies: read the loaded values back into the learners.
        if case .tabular(let function, _) = policy, let learner = run.tabularLearner {
            learner.table.read(from: function)
        }
        if case .hierarchical(let tables, _) = policy, let hierarchy = run.hierarchy { tables.load(into: hierarchy) }
        guard let state = try directory.loadTrainingState() else {
            throw ModelDirectoryError(path: directory.trainingStateURL.path, "no training state to resume from")
        }
        let steps = try state.integer("environment_steps")
        let returns = (state["episode_returns"] ?? "").split(separator: ",").compactMap { Double($0) }
        if let onPolicy = run.onPolicy {
            try state.restore(optimizer: onPolicy.optimizer, from: "policy")
            onPolicy.generator = try state.generator("actions")
            onPolicy.restoreCounters(
                environmentSteps: steps, episodeReturns: returns, beta: Float(state["kl_beta"] ?? "") ?? 1)
        }
        if let normalizedAdvantage = run.normalizedAdvantage {
            try state.restore(optimizer: normalizedAdvantage.rule.optimizer, from: "q")
            normalizedAdvantage.generator = try state.generator("actions")
            try state.restore(model: normalizedAdvantage.rule.target, from: "target")
            normalizedAdvantage.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        }
        if let asynchronous = run.asynchronous {
            try state.restore(optimizer: asynchronous.optimizer, from: "policy")
            asynchronous.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        }
        if let dqn = run.dqn {
            try state.restore(optimizer: dqn.optimizer, from: "q")
            dqn.generator = try state.generator("actions")
            try state.restore(model: dqn.target, from: "target")
            if let curiosity = dqn.curiosity {
                try state.restore(model: curiosity, from: "curiosity")
                try state.restore(optimizer: curiosity.optimizer, from: "curiosity")
            }
            dqn.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        }
        run.tabularLearner?.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        run.hierarchy?.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        if let pathwise = run.pathwise {
            try state.restore(optimizer: pathwise.rule.actorOptimizer, from: "actor")
            try state.restore(optimizer: pathwise.rule.criticOptimizer, from: "critic")
            pathwise.generator = try state.generator("actions")
            try state.restore(model: pathwise.rule.targetActor, from: "target_actor")
            for (index, critic) in pathwise.rule.critics.enumerated() {
                try state.restore(model: critic, from: "critic\(index)")
            }
            for (index, critic) in pathwise.rule.targetCritics.enumerated() {
                try state.restore(model: critic, from: "target_critic\(index)")
            }
            pathwise.restoreCounters(environmentSteps: steps, episodeReturns: returns)
        }
        return run
    }

    /// Loads the policy of a model directory for playing.
    public static func loadPolicy(from directory: ModelDirectory) throws -> (RLPolicy, RLHyperparameters) {
        let manifest = try directory.readManifest(expecting: kind)
        let hyperparameters = try manifest.hyperparameters(as: RLHyperparameters.self)
        let policy = RLPolicy.make(for: hyperparameters)
        _ = try directory.loadWeights(into: policy.parameters)
        return (policy, hyperparameters)
    }
}
