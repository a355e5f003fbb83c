import Autodiff
import Foundation
import NeuralNet

/// The on-policy algorithms of the module, trained by ``OnPolicyTrainer``.
public enum OnPolicyMethod: String, Codable, Sendable, CaseIterable {
    /// REINFORCE with reward-to-go, discount and a baseline (Williams 1992).
    case reinforce
    /// Synchronous advantage actor-critic (Mnih et al. 2016's A2C).
    case a2c
    /// PPO with the clipped objective ("PPO2"; Schulman et al. 2017, eq. 7).
    case ppo
    /// PPO with the adaptive KL penalty (Schulman et al. 2017, section 4).
    case ppoKL = "ppo-kl"
}

/// The baseline `b` subtracted from returns in REINFORCE.
public enum ReturnBaseline: String, Codable, Sendable, CaseIterable {
    /// No baseline.
    case none
    /// The batch's mean return.
    case mean
    /// A learned state-value network `V(s)`.
    case value
}

/// Hyperparameters of the on-policy trainers; defaults are Stable-Baselines3 zoo's PPO for CartPole-v1.
public struct OnPolicyConfiguration: Codable, Equatable, Sendable {
    public var method: OnPolicyMethod = .ppo
    /// Parallel environment copies.
    public var environments = 8
    /// Steps per copy per rollout (REINFORCE: the minimum steps per batch of whole episodes).
    public var rolloutSteps = 32
    /// Passes over each rollout (PPO).
    public var epochs = 20
    /// Minibatch size (PPO).
    public var minibatchSize = 256
    /// γ.
    public var discount = 0.98
    /// GAE's λ.
    public var gaeLambda = 0.8
    /// PPO's ε (annealed linearly to 0 when `annealing`).
    public var clipRange: Float = 0.2
    /// Clip range of the value loss around the old values, or nil for no value clipping.
    public var valueClipRange: Float? = nil
    /// Entropy bonus coefficient.
    public var entropyCoefficient: Float = 0
    /// Value loss coefficient.
    public var valueCoefficient: Float = 0.5
    /// Adam's learning rate (annealed linearly to 0 when `annealing`).
    public var learningRate: Float = 1e-3
    /// Gradient global-norm bound.
    public var maxGradientNorm: Float = 0.5
    /// Linear annealing of learning rate and clip range over the step budget.
    public var annealing = true
    /// Normalize advantages per minibatch.
    public var normalizeAdvantages = true
    /// Target KL of PPO-KL.
    public var klTarget: Float = 0.01
    /// Initial β of PPO-KL.
    public var initialBeta: Float = 1
    /// REINFORCE: weight each action by the reward that follows it (true) or the whole episode's return.
    public var rewardToGo = true
    /// REINFORCE's baseline.
    public var baseline: ReturnBaseline = .value
    /// Hidden layer sizes.
    public var hidden = [64, 64]
    /// Hidden nonlinearity.
    public var activation: HiddenActivation = .tanh
    /// Policy and value heads on a shared trunk.
    public var sharedTrunk = false

    /// The defaults (PPO, CartPole-v1 zoo settings).
    public init() {}

    /// Sensible defaults per method.
    public init(method: OnPolicyMethod) {
        self.init()
        self.method = method
        switch method {
        case .ppo, .ppoKL:
            break
        case .a2c:
            environments = 8
            rolloutSteps = 5
            discount = 0.99
            gaeLambda = 1
            learningRate = 7e-4
            entropyCoefficient = 0
            annealing = false
            normalizeAdvantages = false
        case .reinforce:
            environments = 1
            rolloutSteps = 1000
            discount = 0.99
            learningRate = 3e-3
            annealing = false
            maxGradientNorm = 10
        }
    }
}

/// A report of training progress.
public struct TrainingReport: Sendable {
    /// Environment steps so far (over all copies).
    public var environmentSteps: Int
    /// Finished episodes so far.
    public var episodes: Int
    /// Mean return of the last (up to) 100 finished episodes.
    public var recentMeanReturn: Double?
    /// Scalars of the latest update (`loss`, `policy_loss`, `kl`, `epsilon`, …).
    public var scalars: [String: Double]
}

/// Training loop of REINFORCE, A2C and PPO (clipped and KL-penalty) on vectorized environments.
///
/// PPO follows Algorithm 1 of Schulman et al. 2017: collect `T` steps from `N` copies with the current policy
/// `π_θ'`, compute GAE advantages, then optimize the surrogate for `K` epochs of minibatches; the KL variant then
/// adapts β (raised above `1.5·target`, lowered below `target / 1.5`). A2C takes one gradient step on
/// `−A·log π + c_v·(V − R)² − c_e·H` per rollout. REINFORCE waits for whole episodes.
public final class OnPolicyTrainer {
    /// The configuration.
    public let configuration: OnPolicyConfiguration
    /// Policy and value networks.
    public let model: ActorCriticModel
    /// The optimizer of every parameter.
    public let optimizer: Adam
    /// The environments.
    public private(set) var environments: VectorEnvironment<AnyEnvironment>
    /// The generator of actions and minibatches.
    public var generator: RandomGenerator
    /// The adaptive KL coefficient of PPO-KL.
    public private(set) var klCoefficient: AdaptiveKLCoefficient
    /// Environment steps so far.
    public private(set) var environmentSteps = 0
    /// Returns of finished training episodes.
    public private(set) var episodeReturns: [Double] = []
    /// Replaces the environment's reward in the learning signal (GAIL's learned reward, curiosity bonuses); the
    /// reported episode returns stay the environment's.
    public var rewardFunction: (([Float], Action) -> Double)?
    /// Called with each rollout's observations and actions before the update (GAIL's discriminator).
    public var rolloutObserver: (([[Float]], [Action]) -> Void)?
    private var observations: [[Float]]
    private var runningReturns: [Double]
    private let actionSpace: ActionSpace
    /// Data-parallel training (A2C and PPO; set by ``joinDataParallel(_:seed:)``): every replica collects its own
    /// rollouts, and every gradient step averages the replicas' gradients.
    public private(set) var synchronizer: (any GradientSynchronizer)?
    /// The first failed exchange of a data-parallel run; training stops after it.
    public private(set) var synchronizationError: (any Error)?
    private var replicas: Int { synchronizer?.shard.count ?? 1 }

    /// A trainer on copies of `environment`, seeded with `seed`.
    public init(environment: any Environment, configuration: OnPolicyConfiguration, seed: UInt64) {
        self.configuration = configuration
        var generator = RandomGenerator(seed: seed)
        actionSpace = environment.actionSpace
        model = ActorCriticModel(
            observationSize: environment.observationSize, distribution: PolicyDistribution(environment.actionSpace),
            hidden: configuration.hidden, activation: configuration.activation,
            sharedTrunk: configuration.sharedTrunk, using: &generator)
        optimizer = Adam(model.parameters, learningRate: configuration.learningRate, epsilon: 1e-5)
        environments = VectorEnvironment(AnyEnvironment(environment), count: configuration.environments)
        observations = environments.reset(seed: seed &+ 1000)
        runningReturns = Array(repeating: 0, count: configuration.environments)
        klCoefficient = AdaptiveKLCoefficient(target: configuration.klTarget, beta: configuration.initialBeta)
        self.generator = generator
    }

    /// Makes this trainer one replica of synchronous data-parallel A2C/PPO over `synchronizer` (Mnih et al. 2016
    /// describe A2C's synchronous workers; Schulman et al. 2017 run PPO on parallel actors): `synchronizer`'s
    /// replica 0 must hold the state to start from (the caller broadcasts it first). Every replica then collects
    /// rollouts from its own copies of the environment — replica 0 continues replica 0's generator and episodes,
    /// replica `r > 0` derives its generator and environment seeds from them and `r` — and every gradient step
    /// applies the gradient averaged over the replicas (weighted by their samples), so the parameters, the
    /// optimizer state and PPO-KL's β (from the replicas' mean KL) stay identical. ``environmentSteps`` counts
    /// the steps of all replicas, so a step budget means the same experience and updates as one process with
    /// `replicas ×` the environment copies. REINFORCE is refused (its updates wait for whole episodes, so the
    /// replicas would update different numbers of times).
    ///
    /// - Throws: ``RLRunError`` for REINFORCE.
    public func joinDataParallel(_ synchronizer: any GradientSynchronizer, seed: UInt64) throws(RLRunError) {
        guard configuration.method != .reinforce else {
            throw RLRunError(
                "REINFORCE is not data-parallel (each update waits for whole episodes, so ranks would update "
                    + "different numbers of times); use a2c or ppo under mpirun")
        }
        let rank = synchronizer.shard.index
        self.synchronizer = synchronizer.shard.count > 1 ? synchronizer : nil
        guard rank > 0 else { return }
        let mix = UInt64(rank) &* 0x9E37_79B9_7F4A_7C15
        generator = RandomGenerator(seed: generator.next() ^ mix)
        observations = environments.reset(seed: (seed &+ 1000) ^ mix)
        runningReturns = Array(repeating: 0, count: environments.count)
    }

    /// The gradients averaged over the replicas with `weight` samples each (unchanged in one process); after a
    /// failed exchange, zeros (and ``synchronizationError`` is set).
    private func averagedOverReplicas(_ gradients: [Tensor], weight: Int) -> [Tensor] {
        guard let synchronizer else { return gradients }
        if synchronizationError == nil {
            do {
                return try synchronizer.averageGradients(gradients, weight: Double(weight))
            } catch {
                synchronizationError = error
            }
        }
        return gradients.map { Tensor.zeros(like: $0) }
    }

    /// The weighted mean over the replicas of `scalars` (unchanged in one process).
    private func averagedOverReplicas(_ scalars: [String: Double], weight: Int) -> [String: Double] {
        guard let synchronizer, synchronizationError == nil else { return scalars }
        do {
            return try synchronizer.averageMetrics(scalars, weight: Double(weight))
        } catch {
            synchronizationError = error
            return scalars
        }
    }

    /// Restores counters after loading weights and optimizer state (resume).
    public func restoreCounters(environmentSteps: Int, episodeReturns: [Double], beta: Float) {
        self.environmentSteps = environmentSteps
        self.episodeReturns = episodeReturns
        klCoefficient.beta = beta
    }

    /// One experience record of a rollout, per copy and step.
    struct Rollout {
        var observations: [[Float]] = []
        var actions: [Action] = []
        var logProbabilities: [Float] = []
        var values: [Double] = []
        var nextValues: [Double] = []
        var rewards: [Double] = []
        var terminated: [Bool] = []
        var ended: [Bool] = []
        var policyOutputs: [[Float]] = []
    }

    private func values(of observations: [[Float]]) -> [Double] {
        withoutGradients { model(observationBatch(observations)).values.scalars.map(Double.init) }
    }

    /// Collects `steps` steps from every copy.
    func collect(steps: Int) -> [Rollout] {
        var rollouts = Array(repeating: Rollout(), count: environments.count)
        for _ in 0..<steps {
            let batch = observationBatch(observations)
            let (output, values) = withoutGradients { model(batch) }
            let actions = model.distribution.actions(
                output: output, logStd: model.logStd?.value, deterministic: false, using: &generator)
            let logProbabilities = withoutGradients {
                model.distribution.logProbabilities(output: output, logStd: model.logStd?.value, actions: actions)
            }
            let outcomes = environments.step(actions.map { clippedAction($0, to: actionSpace) })
            environmentSteps += environments.count * replicas
            var truncatedIndices: [Int] = []
            let width = output.shape[1]
            for index in 0..<environments.count {
                let outcome = outcomes[index]
                rollouts[index].observations.append(observations[index])
                rollouts[index].actions.append(actions[index])
                rollouts[index].logProbabilities.append(logProbabilities.scalars[index])
                rollouts[index].values.append(Double(values.scalars[index]))
                rollouts[index].rewards.append(
                    rewardFunction.map { $0(observations[index], actions[index]) } ?? outcome.reward)
                rollouts[index].terminated.append(outcome.terminated)
                rollouts[index].ended.append(outcome.done)
                rollouts[index].policyOutputs.append(Array(output.scalars[(index * width)..<((index + 1) * width)]))
                rollouts[index].nextValues.append(0)
                runningReturns[index] += outcome.reward
                if outcome.done {
                    episodeReturns.append(runningReturns[index])
                    runningReturns[index] = 0
                    if !outcome.terminated { truncatedIndices.append(index) }
                }
                observations[index] = outcome.observation
            }
            if !truncatedIndices.isEmpty {
                let finals = truncatedIndices.map { environments.finalObservations[$0] ?? observations[$0] }
                let finalValues = self.values(of: finals)
                for (position, index) in truncatedIndices.enumerated() {
                    rollouts[index].nextValues[rollouts[index].nextValues.count - 1] = finalValues[position]
                }
            }
        }
        rolloutObserver?(rollouts.flatMap(\.observations), rollouts.flatMap(\.actions))
        // V(s_{t+1}) is the next step's value inside the rollout and a fresh evaluation after its last step.
        let lastValues = values(of: observations)
        for index in rollouts.indices {
            let count = rollouts[index].rewards.count
            for t in 0..<count where !rollouts[index].ended[t] {
                rollouts[index].nextValues[t] = t + 1 < count ? rollouts[index].values[t + 1] : lastValues[index]
            }
        }
        return rollouts
    }

    /// Trains until `steps` environment steps in total (or `deadline`, a `Date`), calling `report` after each update.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        while environmentSteps < steps && synchronizationError == nil {
            var expired = deadline.map { Date() >= $0 } ?? false
            if let synchronizer {  // replica 0's clock decides for every replica
                do {
                    expired = try synchronizer.firstReplicaDecides(expired)
                } catch {
                    synchronizationError = error
                    break
                }
            }
            if expired { break }
            let progress = Float(environmentSteps) / Float(max(steps, 1))
            let scale = configuration.annealing ? max(1 - progress, 0) : 1
            optimizer.learningRate = configuration.learningRate * scale
            let scalars: [String: Double]
            switch configuration.method {
            case .reinforce: scalars = reinforceUpdate()
            case .a2c: scalars = advantageUpdate()
            case .ppo, .ppoKL: scalars = proximalUpdate(clipRange: configuration.clipRange * max(scale, 1e-3))
            }
            report(
                TrainingReport(
                    environmentSteps: environmentSteps, episodes: episodeReturns.count,
                    recentMeanReturn: recentMeanReturn, scalars: scalars))
        }
        if let synchronizer, synchronizationError == nil {
            do {
                try synchronizer.verifyIdenticalParameters(model.parameterValues)
            } catch {
                synchronizationError = error
            }
        }
    }

    /// Mean of the last 100 training returns.
    public var recentMeanReturn: Double? {
        guard !episodeReturns.isEmpty else { return nil }
        let recent = episodeReturns.suffix(100)
        return recent.reduce(0, +) / Double(recent.count)
    }

    private func applyGradients(of loss: Tensor, samples: Int) {
        let gradients = averagedOverReplicas(Autodiff.gradients(of: loss, wrt: model.parameterValues), weight: samples)
        optimizer.step(clipByGlobalNorm(gradients, maxNorm: configuration.maxGradientNorm).clipped)
    }

    /// Advantages and returns of rollouts, flattened copy by copy.
    private func advantages(_ rollouts: [Rollout]) -> (advantages: [Double], returns: [Double]) {
        var advantages: [Double] = []
        var returns: [Double] = []
        for rollout in rollouts {
            let estimate = Returns.generalizedAdvantages(
                rewards: rollout.rewards, values: rollout.values, nextValues: rollout.nextValues,
                terminated: rollout.terminated, episodeEnded: rollout.ended, discount: configuration.discount,
                lambda: configuration.gaeLambda)
            advantages += estimate.advantages
            returns += estimate.returns
        }
        return (advantages, returns)
    }

    private func advantageUpdate() -> [String: Double] {
        let (local, scalars) = advantageGradients()
        let samples = configuration.rolloutSteps * environments.count
        let gradients = averagedOverReplicas(local, weight: samples)
        optimizer.step(clipByGlobalNorm(gradients, maxNorm: configuration.maxGradientNorm).clipped)
        return averagedOverReplicas(scalars, weight: samples)
    }

    /// Collects one rollout and returns the gradients of the A2C loss `−A·log π + c_v·½(V − R)² − c_e·H` with
    /// respect to ``model``'s parameters (not applied: A3C's workers send them to a shared model).
    func advantageGradients() -> (gradients: [Tensor], scalars: [String: Double]) {
        let rollouts = collect(steps: configuration.rolloutSteps)
        var (advantages, returns) = self.advantages(rollouts)
        if configuration.normalizeAdvantages { advantages = Returns.normalized(advantages) }
        let batch = observationBatch(rollouts.flatMap(\.observations))
        let actions = rollouts.flatMap(\.actions)
        let (output, values) = model(batch)
        let logProbabilities = model.distribution.logProbabilities(
            output: output, logStd: model.logStd?.value, actions: actions)
        let policyLoss = PolicyGradientLoss.reinforce(
            logProbabilities: logProbabilities, weights: Tensor(advantages.map { Float($0) }))
        let valueLoss = PolicyGradientLoss.value(predictions: values, returns: Tensor(returns.map { Float($0) }))
        let entropy = model.distribution.entropy(output: output, logStd: model.logStd?.value)
        let loss = policyLoss + valueLoss * configuration.valueCoefficient - entropy * configuration.entropyCoefficient
        let gradients = Autodiff.gradients(of: loss, wrt: model.parameterValues)
        return (
            gradients,
            [
                "loss": Double(loss.item), "policy_loss": Double(policyLoss.item),
                "value_loss": Double(valueLoss.item), "entropy": Double(entropy.item),
            ]
        )
    }

    private func proximalUpdate(clipRange: Float) -> [String: Double] {
        let rollouts = collect(steps: configuration.rolloutSteps)
        let (advantages, returns) = self.advantages(rollouts)
        let allObservations = rollouts.flatMap(\.observations)
        let allActions = rollouts.flatMap(\.actions)
        let oldLogProbabilities = rollouts.flatMap(\.logProbabilities)
        let oldValues = rollouts.flatMap(\.values)
        let oldOutputs = rollouts.flatMap(\.policyOutputs)
        let count = allObservations.count
        let width = model.distribution.outputSize
        var order = Array(0..<count)
        var lastLoss = 0.0
        var lastPolicyLoss = 0.0
        var lastValueLoss = 0.0
        for _ in 0..<configuration.epochs {
            shuffle(&order)
            var start = 0
            while start < count {
                let indices = Array(order[start..<min(start + configuration.minibatchSize, count)])
                start += configuration.minibatchSize
                var batchAdvantages = indices.map { advantages[$0] }
                if configuration.normalizeAdvantages { batchAdvantages = Returns.normalized(batchAdvantages) }
                let (output, values) = model(observationBatch(indices.map { allObservations[$0] }))
                let actions = indices.map { allActions[$0] }
                let logProbabilities = model.distribution.logProbabilities(
                    output: output, logStd: model.logStd?.value, actions: actions)
                let old = Tensor(indices.map { oldLogProbabilities[$0] })
                let advantageTensor = Tensor(batchAdvantages.map { Float($0) })
                let policyLoss: Tensor
                if configuration.method == .ppo {
                    policyLoss = PolicyGradientLoss.ppoClip(
                        logProbabilities: logProbabilities, oldLogProbabilities: old, advantages: advantageTensor,
                        clipRange: clipRange)
                } else {
                    let kl = klDivergence(
                        oldOutputs: indices.flatMap { oldOutputs[$0] }, rows: indices.count, width: width,
                        output: output, logProbabilities: logProbabilities, oldLogProbabilities: old)
                    policyLoss = PolicyGradientLoss.ppoKLPenalty(
                        logProbabilities: logProbabilities, oldLogProbabilities: old, advantages: advantageTensor,
                        klDivergence: kl, beta: klCoefficient.beta)
                }
                let valueLoss = PolicyGradientLoss.value(
                    predictions: values, returns: Tensor(indices.map { Float(returns[$0]) }),
                    oldValues: Tensor(indices.map { Float(oldValues[$0]) }), clipRange: configuration.valueClipRange)
                let entropy = model.distribution.entropy(output: output, logStd: model.logStd?.value)
                let loss =
                    policyLoss + valueLoss * configuration.valueCoefficient - entropy * configuration.entropyCoefficient
                applyGradients(of: loss, samples: indices.count)
                lastLoss = Double(loss.item)
                lastPolicyLoss = Double(policyLoss.item)
                lastValueLoss = Double(valueLoss.item)
            }
        }
        // KL(π_old ‖ π_new) over the whole rollout after the update.
        let measured = withoutGradients { () -> Float in
            let output = model.policyOutput(observationBatch(allObservations))
            let logProbabilities = model.distribution.logProbabilities(
                output: output, logStd: model.logStd?.value, actions: allActions)
            return klDivergence(
                oldOutputs: oldOutputs.flatMap { $0 }, rows: count, width: width, output: output,
                logProbabilities: logProbabilities, oldLogProbabilities: Tensor(oldLogProbabilities)
            ).item
        }
        let averaged = averagedOverReplicas(
            ["loss": lastLoss, "policy_loss": lastPolicyLoss, "value_loss": lastValueLoss, "kl": Double(measured)],
            weight: count)
        if configuration.method == .ppoKL { klCoefficient.update(klDivergence: Float(averaged["kl"] ?? 0)) }
        return averaged.merging(["clip_range": Double(clipRange), "beta": Double(klCoefficient.beta)]) { $1 }
    }

    /// Exact categorical KL, or the sample estimate `mean(log π_old − log π)` for Gaussian policies.
    private func klDivergence(
        oldOutputs: [Float], rows: Int, width: Int, output: Tensor, logProbabilities: Tensor,
        oldLogProbabilities: Tensor
    ) -> Tensor {
        switch model.distribution {
        case .categorical:
            PolicyGradientLoss.categoricalKL(
                oldLogits: Tensor(shape: [rows, width], scalars: oldOutputs), logits: output)
        case .gaussian:
            (oldLogProbabilities.detached() - logProbabilities).mean()
        }
    }

    private func shuffle(_ order: inout [Int]) {
        guard order.count > 1 else { return }
        for index in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(index, generator.nextInt(below: index + 1))
        }
    }

    /// REINFORCE on whole episodes of the first copy: weights are reward-to-go (or episode) returns minus the
    /// baseline; a learned baseline is fitted to the returns by its own squared loss.
    private func reinforceUpdate() -> [String: Double] {
        var rollout = Rollout()
        // Whole episodes until at least `rolloutSteps` steps.
        while rollout.rewards.count < configuration.rolloutSteps || rollout.ended.last != true {
            let single = collect(steps: 1)
            for index in single.indices.prefix(1) {
                rollout.observations += single[index].observations
                rollout.actions += single[index].actions
                rollout.rewards += single[index].rewards
                rollout.ended += single[index].ended
                rollout.terminated += single[index].terminated
            }
        }
        let returns =
            configuration.rewardToGo
            ? Returns.discounted(rollout.rewards, discount: configuration.discount, episodeEnded: rollout.ended)
            : Returns.episodeTotals(rollout.rewards, episodeEnded: rollout.ended)
        let (output, values) = model(observationBatch(rollout.observations))
        var weights: [Double]
        var valueLoss = Tensor(0)
        switch configuration.baseline {
        case .none:
            weights = returns
        case .mean:
            let mean = returns.reduce(0, +) / Double(returns.count)
            weights = returns.map { $0 - mean }
        case .value:
            weights = zip(returns, values.scalars).map { $0 - Double($1) }
            valueLoss = PolicyGradientLoss.value(predictions: values, returns: Tensor(returns.map { Float($0) }))
        }
        if configuration.normalizeAdvantages && configuration.baseline != .none {
            weights = Returns.normalized(weights)
        }
        let logProbabilities = model.distribution.logProbabilities(
            output: output, logStd: model.logStd?.value, actions: rollout.actions)
        let policyLoss = PolicyGradientLoss.reinforce(
            logProbabilities: logProbabilities, weights: Tensor(weights.map { Float($0) }))
        let loss = policyLoss + valueLoss * configuration.valueCoefficient
        applyGradients(of: loss, samples: rollout.rewards.count)
        return ["loss": Double(loss.item), "policy_loss": Double(policyLoss.item)]
    }
}
