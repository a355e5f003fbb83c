import Autodiff
import Foundation
import NeuralNet

/// The network of normalized advantage functions (Gu, Lillicrap, Sutskever & Levine, "Continuous deep Q-learning
/// with model-based acceleration", ICML 2016): from a shared trunk, a value `V(s)`, an action `μ(s)` (tanh-scaled to
/// the box) and a lower-triangular `L(s)` with a positive (exponentiated) diagonal, so `P = L·Lᵀ` is positive
/// definite and
///
/// ```
/// Q(s, a) = V(s) − ½ (a − μ(s))ᵀ P(s) (a − μ(s)),      argmax_a Q(s, a) = μ(s),  max_a Q(s, a) = V(s)
/// ```
public struct NormalizedAdvantageNetwork: ParameterContainer {
    public let trunk: MultilayerPerceptron
    public let valueHead: Linear
    public let actionHead: Linear
    public let choleskyHead: Linear
    /// Bounds of the (symmetric) action box.
    public let scale: [Float]

    /// A network for `observationSize` inputs and a box with upper bounds `high`.
    public init(observationSize: Int, high: [Float], hidden: [Int], using generator: inout RandomGenerator) {
        trunk = MultilayerPerceptron(
            sizes: [observationSize] + hidden, activation: .relu, activateOutput: true, using: &generator)
        let width = hidden.last ?? observationSize
        valueHead = Linear(inputSize: width, outputSize: 1, using: &generator)
        actionHead = Linear(inputSize: width, outputSize: high.count, using: &generator)
        choleskyHead = Linear(inputSize: width, outputSize: high.count * high.count, using: &generator)
        scale = high
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("trunk", trunk) + prefixed("value", valueHead) + prefixed("mu", actionHead)
            + prefixed("l", choleskyHead)
    }

    /// `V(s)` `[N]`, `μ(s)` `[N, d]` and `L(s)` `[N, d, d]`.
    public func callAsFunction(_ observations: Tensor) -> (value: Tensor, action: Tensor, cholesky: Tensor) {
        let features = trunk(observations)
        let rows = observations.shape[0]
        let d = scale.count
        var strictlyLower = [Float](repeating: 0, count: d * d)
        var diagonal = [Float](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d where j < i { strictlyLower[i * d + j] = 1 }
            diagonal[i * d + i] = 1
        }
        let raw = choleskyHead(features).reshaped([rows, d, d])
        let cholesky =
            raw * Tensor(shape: [1, d, d], scalars: strictlyLower) + raw.exp()
            * Tensor(shape: [1, d, d], scalars: diagonal)
        let value = valueHead(features)
        return (value.reshaped([rows]), actionHead(features).tanh() * Tensor(scale), cholesky)
    }

    /// `Q(s, a)` `[N]` for actions `[N, d]`.
    public func qValues(_ observations: Tensor, actions: Tensor) -> Tensor {
        let (value, mu, cholesky) = self(observations)
        let rows = observations.shape[0]
        let d = scale.count
        let difference = (actions - mu).reshaped([rows, d, 1])
        // y = Lᵀ(a − μ): y_j = Σ_i L_ij (a − μ)_i; (a − μ)ᵀ P (a − μ) = |y|².
        let y = (cholesky * difference).sum(axis: 1)
        return value - y.squared().sum(axis: 1) * 0.5
    }
}

/// Hyperparameters of ``NAFTrainer``.
public struct NAFConfiguration: Codable, Equatable, Sendable {
    public var hidden = [256, 256]
    public var learningRate: Float = 1e-3
    public var batchSize = 128
    public var bufferSize = 200_000
    public var learningStarts = 1000
    public var discount = 0.98
    public var tau: Float = 0.005
    /// Standard deviation of the Gaussian exploration noise relative to the action bound.
    public var explorationNoise: Float = 0.3
    /// Gradient steps per environment step.
    public var gradientSteps = 1

    /// The defaults.
    public init() {}
}

/// Q-learning for continuous actions with normalized advantage functions: the greedy action is `μ(s)` and the
/// target `y = r + γ·V̂(s′)` needs no maximization (Gu et al. 2016, Algorithm 1 without imagination rollouts).
public final class NAFTrainer {
    public let configuration: NAFConfiguration
    public let network: NormalizedAdvantageNetwork
    public let target: NormalizedAdvantageNetwork
    public let optimizer: Adam
    public var generator: RandomGenerator
    public private(set) var environmentSteps = 0
    public private(set) var episodeReturns: [Double] = []
    private var environment: AnyEnvironment
    private var replay: ReplayBuffer
    private var observation: [Float]
    private var runningReturn = 0.0
    private let high: [Float]

    /// A trainer on `environment` (box actions), seeded with `seed`.
    public init(environment: any Environment, configuration: NAFConfiguration, seed: UInt64) {
        guard case .box(_, let high) = environment.actionSpace else {
            preconditionFailure("NAFTrainer: the environment's actions must be a box")
        }
        self.configuration = configuration
        self.high = high
        var generator = RandomGenerator(seed: seed)
        network = NormalizedAdvantageNetwork(
            observationSize: environment.observationSize, high: high, hidden: configuration.hidden, using: &generator)
        target = NormalizedAdvantageNetwork(
            observationSize: environment.observationSize, high: high, hidden: configuration.hidden, using: &generator)
        copyParameters(from: network, to: target)
        optimizer = Adam(network.parameters, learningRate: configuration.learningRate)
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

    /// Trains until `steps` environment steps (or `deadline`), reporting at the end of each episode.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        var lastLoss = 0.0
        while environmentSteps < steps {
            if let deadline, Date() >= deadline { break }
            var action = withoutGradients { network(observationBatch([observation])).action.scalars }
            for index in action.indices {
                let noise = configuration.explorationNoise * high[index] * Float(generator.nextStandardNormal())
                action[index] = min(max(action[index] + noise, -high[index]), high[index])
            }
            let outcome = environment.step(.continuous(action))
            environmentSteps += 1
            runningReturn += outcome.reward
            replay.append(
                Transition(
                    observation: observation, action: .continuous(action), reward: outcome.reward,
                    nextObservation: outcome.observation, terminated: outcome.terminated,
                    bootstrapDiscount: configuration.discount))
            if environmentSteps >= configuration.learningStarts {
                for _ in 0..<configuration.gradientSteps { lastLoss = update() }
            }
            if outcome.done {
                episodeReturns.append(runningReturn)
                runningReturn = 0
                observation = environment.reset()
                let recent = episodeReturns.suffix(100)
                report(
                    TrainingReport(
                        environmentSteps: environmentSteps, episodes: episodeReturns.count,
                        recentMeanReturn: recent.reduce(0, +) / Double(recent.count), scalars: ["loss": lastLoss]))
            } else {
                observation = outcome.observation
            }
        }
    }

    /// One regression step of `Q(s, a)` on `r + γ V̂(s′)`, then a soft target update; returns the loss.
    @discardableResult
    public func update() -> Double {
        let batch = replay.sampleIndices(configuration.batchSize, using: &generator).map { replay.transitions[$0] }
        let observations = observationBatch(batch.map(\.observation))
        let actions = Tensor(shape: [batch.count, high.count], scalars: batch.flatMap(\.action.vector))
        let targets: Tensor = withoutGradients {
            let next = target(observationBatch(batch.map(\.nextObservation))).value
            let rewards = Tensor(batch.map { Float($0.reward) })
            let discounts = Tensor(batch.map { $0.terminated ? 0 : Float($0.bootstrapDiscount) })
            return rewards + discounts * next
        }
        let loss = (network.qValues(observations, actions: actions) - targets).squared().mean()
        optimizer.step(Autodiff.gradients(of: loss, wrt: network.parameterValues))
        softUpdate(from: network, to: target, tau: configuration.tau)
        return Double(loss.item)
    }
}
