import Autodiff
import NeuralNet

/// The intrinsic curiosity module (Pathak, Agrawal, Efros & Darrell, "Curiosity-driven exploration by
/// self-supervised prediction", ICML 2017): a feature encoder `φ`, an inverse model predicting `a_t` from
/// `(φ(s_t), φ(s_{t+1}))` (which shapes `φ` to keep what the agent controls) and a forward model predicting
/// `φ(s_{t+1})` from `(φ(s_t), a_t)`. The curiosity reward is the forward model's error in feature space,
/// `r^i_t = η/2 · ‖f(φ(s_t), a_t) − φ(s_{t+1})‖²`, added to the environment's reward.
public final class IntrinsicCuriosityModule: ParameterContainer {
    /// `φ`.
    public let encoder: MultilayerPerceptron
    /// Inverse model: logits of `a_t` (discrete actions).
    public let inverseModel: MultilayerPerceptron
    /// Forward model: `φ̂(s_{t+1})`.
    public let forwardModel: MultilayerPerceptron
    /// Optimizer of all three.
    public let optimizer: Adam
    /// Number of discrete actions.
    public let actions: Int
    /// Scale η of the reward.
    public var scale: Float
    /// Weight β of the forward loss against the inverse loss (the paper's 0.2).
    public var forwardWeight: Float

    /// The seed of the generator a trainer seeded with `seed` initializes its module from: a stream of its own, apart
    /// from the one behind the agent's weights and actions, so that a run with curiosity and the same run without it
    /// start from the same policy and differ only by the intrinsic reward.
    public static func streamSeed(forRunSeed seed: UInt64) -> UInt64 { seed ^ 0xC0_1A_5E_ED_1C_4D_00_01 }

    /// A module for `observationSize` inputs and `actions` discrete actions.
    public init(
        observationSize: Int, actions: Int, featureSize: Int = 32, hidden: Int = 64, scale: Float = 1,
        forwardWeight: Float = 0.2, learningRate: Float = 1e-3, using generator: inout RandomGenerator
    ) {
        encoder = MultilayerPerceptron(
            sizes: [observationSize, hidden, featureSize], activation: .relu, activateOutput: false,
            using: &generator)
        inverseModel = MultilayerPerceptron(
            sizes: [2 * featureSize, hidden, actions], activation: .relu, using: &generator)
        forwardModel = MultilayerPerceptron(
            sizes: [featureSize + actions, hidden, featureSize], activation: .relu, using: &generator)
        self.actions = actions
        self.scale = scale
        self.forwardWeight = forwardWeight
        let parameters = encoder.parameters + inverseModel.parameters + forwardModel.parameters
        optimizer = Adam(parameters, learningRate: learningRate)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("encoder", encoder) + prefixed("inverse", inverseModel) + prefixed("forward", forwardModel)
    }

    private func oneHot(_ taken: [Int]) -> Tensor {
        var scalars = [Float](repeating: 0, count: taken.count * actions)
        for (row, action) in taken.enumerated() where action >= 0 && action < actions {
            scalars[row * actions + action] = 1
        }
        return Tensor(shape: [taken.count, actions], scalars: scalars)
    }

    /// Per-transition forward errors (the curiosity rewards) and the two losses, as tensors.
    private func losses(_ observations: [[Float]], _ taken: [Int], _ next: [[Float]]) -> (
        errors: Tensor, forward: Tensor, inverse: Tensor
    ) {
        let features = encoder(observationBatch(observations))
        let nextFeatures = encoder(observationBatch(next))
        let predicted = forwardModel(Tensor.concatenate([features, oneHot(taken)], axis: 1))
        // The forward loss does not move φ (as in the paper's implementation): φ(s_{t+1}) is a fixed target.
        let errors = (predicted - nextFeatures.detached()).squared().sum(axis: 1) * 0.5
        let logits = inverseModel(Tensor.concatenate([features, nextFeatures], axis: 1))
        let inverse = -(logits.logSoftmax(axis: -1) * oneHot(taken)).sum(axis: 1).mean()
        return (errors, errors.mean(), inverse)
    }

    /// `η/2 · ‖f(φ(s), a) − φ(s′)‖²` per transition.
    public func intrinsicRewards(observations: [[Float]], actions taken: [Int], nextObservations: [[Float]]) -> [Double]
    {
        withoutGradients {
            losses(observations, taken, nextObservations).errors.scalars.map { Double($0 * scale) }
        }
    }

    /// One step on `(1 − β)·L_inverse + β·L_forward`; returns both losses.
    @discardableResult
    public func update(observations: [[Float]], actions taken: [Int], nextObservations: [[Float]]) -> (
        forward: Double, inverse: Double
    ) {
        let (_, forward, inverse) = losses(observations, taken, nextObservations)
        let loss = inverse * (1 - forwardWeight) + forward * forwardWeight
        let parameters = encoder.parameterValues + inverseModel.parameterValues + forwardModel.parameterValues
        optimizer.step(Autodiff.gradients(of: loss, wrt: parameters))
        return (Double(forward.item), Double(inverse.item))
    }
}
