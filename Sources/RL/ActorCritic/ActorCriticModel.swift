import Autodiff
import NeuralNet

/// A policy network and a value network, separate or on a shared trunk (the "share the parts of parameters" trick
/// of actor-critic; Mnih et al., "Asynchronous methods for deep reinforcement learning", ICML 2016).
///
/// Separate: `π = MLP(obs → hidden… → policy output)`, `V = MLP(obs → hidden… → 1)`. Shared: `h = trunk(obs)`,
/// `π = Linear(h)`, `V = Linear(h)`. Gaussian policies add a state-independent `logStd` parameter.
public struct ActorCriticModel: ParameterContainer {
    /// The action distribution.
    public let distribution: PolicyDistribution
    /// The shared trunk, when the heads share one.
    public let trunk: MultilayerPerceptron?
    /// The policy network (a single layer on the trunk when shared).
    public let policy: MultilayerPerceptron
    /// The value network (a single layer on the trunk when shared).
    public let value: MultilayerPerceptron
    /// Log standard deviation of a Gaussian policy.
    public let logStd: Parameter?

    /// A model for `observationSize` inputs and `distribution`'s actions.
    public init(
        observationSize: Int, distribution: PolicyDistribution, hidden: [Int], activation: HiddenActivation,
        sharedTrunk: Bool, using generator: inout RandomGenerator
    ) {
        self.distribution = distribution
        if sharedTrunk, let width = hidden.last {
            trunk = MultilayerPerceptron(
                sizes: [observationSize] + hidden, activation: activation, activateOutput: true, using: &generator)
            policy = MultilayerPerceptron(sizes: [width, distribution.outputSize], using: &generator)
            value = MultilayerPerceptron(sizes: [width, 1], using: &generator)
        } else {
            trunk = nil
            policy = MultilayerPerceptron(
                sizes: [observationSize] + hidden + [distribution.outputSize], activation: activation,
                using: &generator)
            value = MultilayerPerceptron(
                sizes: [observationSize] + hidden + [1], activation: activation, using: &generator)
        }
        if case .gaussian(let dimension) = distribution {
            logStd = Parameter(Tensor.zeros([dimension]))
        } else {
            logStd = nil
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = trunk.map { prefixed("trunk", $0) } ?? []
        result += prefixed("policy", policy) + prefixed("value", value)
        if let logStd { result.append((name: "log_std", parameter: logStd)) }
        return result
    }

    /// The policy output `[N, outputSize]` and values `[N]` for observations `[N, observationSize]`.
    public func callAsFunction(_ observations: Tensor) -> (policyOutput: Tensor, values: Tensor) {
        let features = trunk.map { $0(observations) } ?? observations
        let values = value(features)
        return (policy(features), values.reshaped([values.shape[0]]))
    }

    /// Only the policy output (no value head evaluated when the networks are separate).
    public func policyOutput(_ observations: Tensor) -> Tensor {
        policy(trunk.map { $0(observations) } ?? observations)
    }

    /// Actions for observations.
    public func act(_ observations: [[Float]], deterministic: Bool, using generator: inout RandomGenerator) -> [Action]
    {
        let output = withoutGradients { policyOutput(observationBatch(observations)) }
        return distribution.actions(
            output: output, logStd: logStd?.value, deterministic: deterministic, using: &generator)
    }
}
