import Autodiff
import Foundation
import NeuralNet

/// Generative adversarial imitation learning (Ho & Ermon, "Generative adversarial imitation learning", NIPS 2016):
/// a discriminator `D(s, a)` learns to tell expert pairs (label 1) from the policy's (label 0) by binary
/// cross-entropy, and the policy is trained by PPO on the learned reward `r(s, a) = −log(1 − D(s, a))` instead of
/// the environment's — inverse RL in the GAN formulation (the policy is the generator).
///
/// The discriminator loss is a local binary cross-entropy on logits; it is the GAN discriminator loss of the
/// Generative module and moves there when RL depends on it.
public final class GenerativeAdversarialImitation {
    /// The policy learner (PPO by default).
    public let learner: OnPolicyTrainer
    /// `D(s, a)` as a logit, on the observation concatenated with the (one-hot or continuous) action.
    public let discriminator: MultilayerPerceptron
    /// The discriminator's optimizer.
    public let discriminatorOptimizer: Adam
    /// The expert data.
    public let demonstrations: Demonstrations
    private var generator: RandomGenerator
    private let actionSpace: ActionSpace

    /// A GAIL run on `environment` imitating `demonstrations`.
    public init(
        environment: any Environment, demonstrations: Demonstrations, configuration: OnPolicyConfiguration,
        discriminatorHidden: [Int] = [64, 64], discriminatorLearningRate: Float = 3e-4, seed: UInt64
    ) {
        var generator = RandomGenerator(seed: seed &+ 31)
        actionSpace = environment.actionSpace
        let actionWidth = environment.actionSpace.actionCount ?? environment.actionSpace.dimension ?? 1
        let discriminator = MultilayerPerceptron(
            sizes: [environment.observationSize + actionWidth] + discriminatorHidden + [1], activation: .tanh,
            using: &generator)
        self.discriminator = discriminator
        discriminatorOptimizer = Adam(discriminator.parameters, learningRate: discriminatorLearningRate)
        self.demonstrations = demonstrations
        let space = environment.actionSpace
        learner = OnPolicyTrainer(environment: environment, configuration: configuration, seed: seed)
        learner.rewardFunction = { observation, action in
            let logit = withoutGradients {
                discriminator(Self.inputs([observation], [action], space: space)).item
            }
            // −log(1 − σ(x)) = softplus(x).
            return Double(max(logit, 0) + Foundation.log1p(Foundation.exp(-abs(logit))))
        }
        self.generator = generator
    }

    /// `[s, a]` rows: discrete actions one-hot.
    static func inputs(_ observations: [[Float]], _ actions: [Action], space: ActionSpace) -> Tensor {
        let rows = zip(observations, actions).map { observation, action -> [Float] in
            switch space {
            case .discrete(let n):
                var oneHot = [Float](repeating: 0, count: n)
                if action.index < n { oneHot[action.index] = 1 }
                return observation + oneHot
            case .box:
                return observation + action.vector
            }
        }
        return observationBatch(rows)
    }

    /// Trains until `steps` environment steps: each PPO update is followed by one discriminator step on the
    /// rollout against as many expert pairs. Reports carry the true environment returns.
    public func train(steps: Int, deadline: Date? = nil, report: (TrainingReport) -> Void = { _ in }) {
        learner.rolloutObserver = { [self] observations, actions in
            updateDiscriminator(policyObservations: observations, policyActions: actions)
        }
        learner.train(steps: steps, deadline: deadline, report: report)
        learner.rolloutObserver = nil
    }

    /// One discriminator step: expert pairs labelled 1, policy pairs 0.
    @discardableResult
    public func updateDiscriminator(policyObservations: [[Float]], policyActions: [Action]) -> Double {
        let count = min(policyObservations.count, 256)
        let policyIndices = (0..<count).map { _ in generator.nextInt(below: policyObservations.count) }
        let expertIndices = (0..<count).map { _ in generator.nextInt(below: demonstrations.count) }
        let inputs = Self.inputs(
            policyIndices.map { policyObservations[$0] } + expertIndices.map { demonstrations.observations[$0] },
            policyIndices.map { policyActions[$0] } + expertIndices.map { demonstrations.actions[$0] },
            space: actionSpace)
        let labels = Tensor(
            shape: [2 * count, 1],
            scalars: [Float](repeating: 0, count: count) + [Float](repeating: 1, count: count))
        let loss = binaryCrossEntropyWithLogits(logits: discriminator(inputs), targets: labels)
        discriminatorOptimizer.step(Autodiff.gradients(of: loss, wrt: discriminator.parameterValues))
        return Double(loss.item)
    }
}
