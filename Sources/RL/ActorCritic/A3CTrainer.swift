import Autodiff
import Foundation
import NeuralNet

/// Asynchronous advantage actor-critic (Mnih et al., "Asynchronous methods for deep reinforcement learning",
/// ICML 2016): `workers` threads, each with its own environment, generator and copy of the networks, repeatedly copy
/// the shared parameters, collect an `n`-step rollout, compute the A2C gradients on their copy and apply them to the
/// shared model (one optimizer, under a lock). With one worker the loop runs on the calling thread and is
/// deterministic given the seed.
public final class A3CTrainer: @unchecked Sendable {
    /// The shared configuration (the A2C loss and rollout length; `environments` is 1 per worker).
    public let configuration: OnPolicyConfiguration
    /// The shared model.
    public let model: ActorCriticModel
    /// The shared optimizer.
    public let optimizer: Adam
    /// The workers (each an A2C learner on one environment).
    private let workers: [OnPolicyTrainer]
    private let lock = NSLock()
    private var totalSteps = 0
    private var returns: [Double] = []

    /// A trainer with `workers` workers on copies of `environment`.
    public init(environment: any Environment, configuration: OnPolicyConfiguration, workers: Int, seed: UInt64) {
        precondition(workers >= 1, "A3CTrainer: workers must be ≥ 1, got \(workers)")
        var workerConfiguration = configuration
        workerConfiguration.method = .a2c
        workerConfiguration.environments = 1
        self.configuration = workerConfiguration
        var generator = RandomGenerator(seed: seed)
        model = ActorCriticModel(
            observationSize: environment.observationSize, distribution: PolicyDistribution(environment.actionSpace),
            hidden: configuration.hidden, activation: configuration.activation,
            sharedTrunk: configuration.sharedTrunk, using: &generator)
        optimizer = Adam(model.parameters, learningRate: configuration.learningRate, epsilon: 1e-5)
        self.workers = (0..<workers).map { index in
            OnPolicyTrainer(
                environment: environment, configuration: workerConfiguration, seed: seed &+ 7919 &* UInt64(index + 1))
        }
    }

    /// Environment steps over all workers.
    public var environmentSteps: Int {
        lock.lock()
        defer { lock.unlock() }
        return totalSteps
    }

    /// Returns of finished episodes over all workers (in completion order).
    public var episodeReturns: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return returns
    }

    /// Restores counters after loading weights and optimizer state (resume).
    public func restoreCounters(environmentSteps: Int, episodeReturns: [Double]) {
        lock.lock()
        totalSteps = environmentSteps
        returns = episodeReturns
        lock.unlock()
    }

    /// One worker's loop until the shared step count reaches `steps` (or `deadline`).
    private func runWorker(_ worker: OnPolicyTrainer, steps: Int, deadline: Date?) {
        while true {
            lock.lock()
            let done = totalSteps >= steps || (deadline.map { Date() >= $0 } ?? false)
            if !done { copyParameters(from: model, to: worker.model) }
            lock.unlock()
            if done { return }
            let before = worker.environmentSteps
            let finishedBefore = worker.episodeReturns.count
            let (gradients, _) = worker.advantageGradients()
            let clipped = clipByGlobalNorm(gradients, maxNorm: configuration.maxGradientNorm).clipped
            lock.lock()
            optimizer.step(clipped)
            totalSteps += worker.environmentSteps - before
            returns += worker.episodeReturns[finishedBefore...]
            lock.unlock()
        }
    }

    /// Trains until `steps` environment steps over all workers (or `deadline`).
    public func train(steps: Int, deadline: Date? = nil) {
        if workers.count == 1 {
            runWorker(workers[0], steps: steps, deadline: deadline)
            return
        }
        let group = DispatchGroup()
        for index in workers.indices {
            group.enter()
            let thread = Thread { [self] in
                runWorker(workers[index], steps: steps, deadline: deadline)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
    }
}
