import Autodiff
import NeuralNet

/// The settings of a ``Reptile`` learner.
public struct ReptileConfiguration: Codable, Sendable, Equatable {
    /// k, SGD steps on each task's data.
    public var innerSteps: Int
    /// The inner SGD learning rate.
    public var innerLearningRate: Float
    /// ε, the outer step size (interpolation toward the adapted weights); annealed linearly to 0 over training
    /// when ``annealsOuterStep`` is set, as Nichol et al. do.
    public var outerStepSize: Float
    /// Whether the outer step size decays linearly to 0 over the run.
    public var annealsOuterStep: Bool

    /// Defaults close to Nichol et al.'s sinusoid settings: 32 inner steps with rate 0.02, ε = 0.1.
    public init(
        innerSteps: Int = 32, innerLearningRate: Float = 0.02, outerStepSize: Float = 0.1,
        annealsOuterStep: Bool = true
    ) {
        precondition(innerSteps >= 1, "ReptileConfiguration: innerSteps \(innerSteps) < 1")
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.outerStepSize = outerStepSize
        self.annealsOuterStep = annealsOuterStep
    }
}

/// Reptile: moves the initialization φ toward the weights that k SGD steps on a task reach.
///
/// Nichol, Achiam & Schulman, "On First-Order Meta-Learning Algorithms" (2018), Algorithms 1 (serial) and 2
/// (batched):
///
/// ```
/// serial:   φ ← φ + ε (θ̃ − φ),                 θ̃ = SGD^k(φ, Tᵢ)
/// batched:  φ ← φ + ε · (1/n) Σᵢ (θ̃ᵢ − φ)
/// ```
///
/// Here the task's data is the episode's support and query sets together (Reptile has no inner/outer split).
public final class Reptile<Model: FunctionalModel> {
    /// The model whose parameters are φ.
    public let model: Model
    /// The settings.
    public let configuration: ReptileConfiguration

    /// A learner for `model`.
    public init(model: Model, configuration: ReptileConfiguration) {
        self.model = model
        self.configuration = configuration
    }

    /// θ̃: `innerSteps` full-batch SGD steps from φ on the episode's support and query examples.
    public func adaptedParameters(on episode: Episode) -> [Tensor] {
        let (inputs, targets) = Self.allExamples(of: episode)
        let rate = Tensor(configuration.innerLearningRate)
        var theta = model.parameterValues
        for _ in 0..<configuration.innerSteps {
            let loss = targets.loss(of: model(inputs, parameters: theta))
            let grads = gradients(of: loss, wrt: theta)
            theta = zip(theta, grads).map { ($0 - rate * $1).detached().requiringGradient() }
        }
        return theta
    }

    /// One batched Reptile update over `episodes` (serial Reptile is a batch of one), with outer step size
    /// `outerStepSize` (pass the annealed value); returns the mean task loss at θ̃.
    @discardableResult
    public func metaStep(_ episodes: [Episode], outerStepSize: Float) -> Double {
        precondition(!episodes.isEmpty, "Reptile.metaStep: empty meta-batch")
        let phi = model.parameters.map { $0.value.scalars }
        var direction = phi.map { [Float](repeating: 0, count: $0.count) }
        var lossSum = 0.0
        for episode in episodes {
            let adapted = adaptedParameters(on: episode)
            let (inputs, targets) = Self.allExamples(of: episode)
            lossSum += Double(withoutGradients { targets.loss(of: model(inputs, parameters: adapted)) }.item)
            for index in direction.indices {
                adapted[index].scalars.withUnsafeBufferPointer { theta in
                    phi[index].withUnsafeBufferPointer { start in
                        direction[index].withUnsafeMutableBufferPointer { sum in
                            for i in 0..<sum.count { sum[i] += theta[i] - start[i] }
                        }
                    }
                }
            }
        }
        let scale = outerStepSize / Float(episodes.count)
        for (index, parameter) in model.parameters.enumerated() {
            var updated = phi[index]
            for i in updated.indices { updated[i] += scale * direction[index][i] }
            parameter.update(scalars: updated)
        }
        return lossSum / Double(episodes.count)
    }

    /// The outer step size at `step` of `totalSteps` (linear annealing when configured).
    public func outerStepSize(atStep step: Int, of totalSteps: Int) -> Float {
        guard configuration.annealsOuterStep, totalSteps > 0 else { return configuration.outerStepSize }
        return configuration.outerStepSize * max(0, 1 - Float(step) / Float(totalSteps))
    }

    static func allExamples(of episode: Episode) -> (Tensor, EpisodeTargets) {
        let inputs = Tensor.concatenate([episode.supportInputs, episode.queryInputs], axis: 0)
        switch (episode.supportTargets, episode.queryTargets) {
        case (.values(let a), .values(let b)):
            return (inputs, .values(Tensor.concatenate([a, b], axis: 0)))
        case (.classes(let a, let classCount), .classes(let b, _)):
            return (inputs, .classes(a + b, classCount: classCount))
        default:
            preconditionFailure("Reptile: support and query targets of different kinds")
        }
    }
}

/// The baseline Finn et al. 2017 compare MAML with: one network trained on all tasks at once (each step regresses
/// on a fresh task's points), then fine-tuned at test time like MAML's initialization.
public final class PretrainedBaseline<Model: FunctionalModel> {
    /// The model trained on the mixture of tasks.
    public let model: Model
    /// Adam over the model's parameters.
    public let optimizer: Adam

    /// A baseline over `model` trained with Adam at `learningRate`.
    public init(model: Model, learningRate: Float = 1e-3) {
        self.model = model
        optimizer = Adam(model.parameters, learningRate: learningRate)
    }

    /// One Adam step on the mean loss over the episodes' support and query examples; returns that loss.
    @discardableResult
    public func step(_ episodes: [Episode]) -> Double {
        precondition(!episodes.isEmpty, "PretrainedBaseline.step: empty batch")
        var total: Tensor? = nil
        for episode in episodes {
            let (inputs, targets) = Reptile<Model>.allExamples(of: episode)
            let loss = targets.loss(of: model(inputs))
            total = total.map { $0 + loss } ?? loss
        }
        let mean = (total ?? Tensor(0)) / Float(episodes.count)
        optimizer.step(gradients(of: mean, wrt: model.parameterValues))
        return Double(mean.item)
    }
}
