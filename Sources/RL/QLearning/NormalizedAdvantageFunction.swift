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
    public init(
        observationSize: Int, high: [Float], hidden: [Int], activation: HiddenActivation = .relu,
        using generator: inout RandomGenerator
    ) {
        trunk = MultilayerPerceptron(
            sizes: [observationSize] + hidden, activation: activation, activateOutput: true, using: &generator)
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
///
/// The exploration defaults matter more for NAF than for DDPG/TD3: the advantage is a quadratic around `μ(s)` fitted
/// to the actions the behaviour policy took, so wide Gaussian noise (0.3 × the bound, clipped at the box) makes it
/// fit a far-from-quadratic `Q` over most of the box and the greedy action drifts; 0.1 × the bound after a uniform
/// warm-up (as the TD3 defaults) learns Pendulum-v1 (docs/experiments.md).
public struct NAFConfiguration: Codable, Equatable, Sendable {
    public var hidden = [256, 256]
    public var learningRate: Float = 1e-3
    public var batchSize = 128
    public var bufferSize = 200_000
    /// Environment steps before learning starts (uniform random actions until then when ``uniformWarmUp``).
    public var learningStarts = 5000
    public var discount = 0.98
    public var tau: Float = 0.005
    /// Standard deviation of the Gaussian exploration noise relative to the action bound.
    public var explorationNoise: Float = 0.1
    /// Gradient steps per environment step.
    public var gradientSteps = 1
    /// Bound on the gradient's global norm (nil: unbounded).
    public var maxGradientNorm: Float?
    /// The trunk's nonlinearity (nil: ReLU).
    public var activation: HiddenActivation?
    /// Uniform random actions until `learningStarts` instead of the noisy policy's (nil, as in manifests written
    /// before this setting existed: false).
    public var uniformWarmUp: Bool? = true

    /// The defaults.
    public init() {}
}

/// Q-learning for continuous actions with normalized advantage functions: the greedy action is `μ(s)` and the
/// target `y = r + γ·V̂(s′)` needs no maximization (Gu et al. 2016, Algorithm 1 without imagination rollouts). The
/// replay loop is ``ContinuousOffPolicyTrainer``'s; ``NormalizedAdvantageUpdate`` is the learning step.
public typealias NAFTrainer = ContinuousOffPolicyTrainer<NormalizedAdvantageUpdate>

extension ContinuousOffPolicyTrainer where Rule == NormalizedAdvantageUpdate {
    /// A NAF trainer on `environment` (box actions), seeded with `seed`.
    public convenience init(environment: any Environment, configuration: NAFConfiguration, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        let rule = NormalizedAdvantageUpdate(environment: environment, configuration: configuration, using: &generator)
        self.init(
            rule: rule, environment: environment,
            schedule: ContinuousOffPolicySchedule(
                batchSize: configuration.batchSize, bufferSize: configuration.bufferSize,
                learningStarts: configuration.learningStarts, gradientSteps: configuration.gradientSteps,
                discount: configuration.discount, explorationNoise: configuration.explorationNoise,
                uniformWarmUp: configuration.uniformWarmUp ?? false),
            generator: generator, seed: seed)
    }
}

/// NAF's learning step as an update rule of ``ContinuousOffPolicyTrainer``: regress `Q(s, a)` on `r + γ·V̂(s′)`,
/// then move the target network toward the online one (Gu et al. 2016).
public final class NormalizedAdvantageUpdate: ContinuousOffPolicyUpdateRule {
    /// The settings.
    public let configuration: NAFConfiguration
    /// The online network.
    public let network: NormalizedAdvantageNetwork
    /// The target network `V̂`.
    public let target: NormalizedAdvantageNetwork
    /// The optimizer.
    public let optimizer: Adam

    /// Networks for `environment` (box actions) initialized from `generator`: online, then target.
    public init(environment: any Environment, configuration: NAFConfiguration, using generator: inout RandomGenerator) {
        guard case .box(_, let high) = environment.actionSpace else {
            preconditionFailure("NormalizedAdvantageUpdate: the environment's actions must be a box")
        }
        self.configuration = configuration
        let activation = configuration.activation ?? .relu
        network = NormalizedAdvantageNetwork(
            observationSize: environment.observationSize, high: high, hidden: configuration.hidden,
            activation: activation, using: &generator)
        target = NormalizedAdvantageNetwork(
            observationSize: environment.observationSize, high: high, hidden: configuration.hidden,
            activation: activation, using: &generator)
        copyParameters(from: network, to: target)
        optimizer = Adam(network.parameters, learningRate: configuration.learningRate)
    }

    public var lossName: String { "loss" }

    public func policyActions(_ observations: Tensor) -> Tensor { network(observations).action }

    /// One regression step of `Q(s, a)` on `r + γ V̂(s′)`, then a soft target update; returns the loss.
    public func update(on batch: ContinuousTransitionBatch, using generator: inout RandomGenerator) -> Double {
        let targets: Tensor = withoutGradients {
            batch.rewards + batch.discounts * target(batch.nextObservations).value
        }
        let loss = (network.qValues(batch.observations, actions: batch.actions) - targets).squared().mean()
        let gradients = Autodiff.gradients(of: loss, wrt: network.parameterValues)
        if let maxGradientNorm = configuration.maxGradientNorm {
            optimizer.step(clipByGlobalNorm(gradients, maxNorm: maxGradientNorm).clipped)
        } else {
            optimizer.step(gradients)
        }
        softUpdate(from: network, to: target, tau: configuration.tau)
        return Double(loss.item)
    }
}
