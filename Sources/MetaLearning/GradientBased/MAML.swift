import Autodiff
import NeuralNet

/// Which meta-gradient MAML follows.
public enum MAMLOrder: String, Codable, Sendable, CaseIterable {
    /// The exact meta-gradient, differentiating through the inner gradient steps (Hessian–vector products).
    case second
    /// First-order MAML: ∂θₖ/∂φ taken as the identity, so the meta-gradient is the query gradient at θₖ.
    case first
}

/// The settings of a ``MAML`` learner.
public struct MAMLConfiguration: Codable, Sendable, Equatable {
    /// k, gradient steps in the inner loop during meta-training.
    public var innerSteps: Int
    /// α, the inner learning rate (the initial value when it is learned).
    public var innerLearningRate: Float
    /// Exact or first-order meta-gradient.
    public var order: MAMLOrder
    /// Learn one inner rate per parameter scalar (Meta-SGD, Li et al. 2017) alongside the initialization.
    public var learnsInnerRates: Bool
    /// The Adam step size β of the meta-update.
    public var metaLearningRate: Float

    /// Finn et al. 2017's sinusoid settings by default: one inner step with α = 0.01, Adam with β = 0.001.
    public init(
        innerSteps: Int = 1, innerLearningRate: Float = 0.01, order: MAMLOrder = .second,
        learnsInnerRates: Bool = false, metaLearningRate: Float = 1e-3
    ) {
        precondition(innerSteps >= 1, "MAMLConfiguration: innerSteps \(innerSteps) < 1")
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.order = order
        self.learnsInnerRates = learnsInnerRates
        self.metaLearningRate = metaLearningRate
    }
}

/// Model-Agnostic Meta-Learning: learns an initialization φ from which k gradient steps on a task's support set
/// give low loss on its query set.
///
/// Finn, Abbeel & Levine, "Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks" (ICML 2017),
/// Algorithm 2: for a meta-batch of tasks Tᵢ,
///
/// ```
/// θᵢ = φ − α ∇_φ L_Tᵢ^support(φ)                       (k steps in general)
/// φ ← φ − β ∇_φ Σᵢ L_Tᵢ^query(θᵢ)                       (here with Adam)
/// ∇_φ L(θᵢ) = (I − α ∇²_φ L^support(φ)) ∇_θ L^query(θᵢ)  (one step; first order drops the Hessian term)
/// ```
///
/// With ``MAMLConfiguration/learnsInnerRates`` the rates α become per-scalar parameters learned by the same
/// meta-gradient (Meta-SGD: Li, Zhou, Chen & Li, "Meta-SGD: Learning to Learn Quickly for Few-Shot Learning", 2017).
/// The model is any ``FunctionalModel``; the inner loop runs on tensors, never on the model's parameters.
public final class MAML<Model: FunctionalModel> {
    /// The model whose parameters are the initialization φ.
    public let model: Model
    /// The settings.
    public let configuration: MAMLConfiguration
    /// The learned inner rates (Meta-SGD), one tensor per model parameter; empty when the rate is fixed.
    public let innerRates: [Parameter]
    /// The Adam optimizer of the meta-update over φ (and the rates).
    public let metaOptimizer: Adam

    /// A learner for `model`.
    public init(model: Model, configuration: MAMLConfiguration) {
        self.model = model
        self.configuration = configuration
        innerRates =
            configuration.learnsInnerRates
            ? model.parameters.map { Parameter(Tensor.full($0.shape, configuration.innerLearningRate)) } : []
        metaOptimizer = Adam(model.parameters + innerRates, learningRate: configuration.metaLearningRate)
    }

    /// Every trained tensor by name: the model's parameters, then `inner_rates.<name>` with Meta-SGD.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        let own = model.namedParameters
        return own + zip(own, innerRates).map { (name: "inner_rates." + $0.0.name, parameter: $0.1) }
    }

    /// The rate tensors of the inner loop: the learned ones, or α as a scalar for every parameter.
    public var rateTensors: [Tensor] {
        innerRates.isEmpty
            ? model.parameters.map { _ in Tensor(configuration.innerLearningRate) } : innerRates.map(\.value)
    }

    /// The meta-objective and its gradient for a meta-batch: the mean over tasks of the query loss after
    /// adaptation, and its gradient with respect to φ (followed by the rates' with Meta-SGD).
    public func metaGradient(_ episodes: [Episode]) -> (loss: Double, gradients: [Tensor]) {
        precondition(!episodes.isEmpty, "MAML.metaGradient: empty meta-batch")
        let phi = model.parameterValues
        let rates = rateTensors
        let targets = phi + innerRates.map(\.value)
        var total: [Tensor]? = nil
        var lossSum = 0.0
        for episode in episodes {
            let adapted = InnerLoop.adapt(
                model, parameters: phi, rates: rates, on: episode.supportInputs, targets: episode.supportTargets,
                steps: configuration.innerSteps, createGraph: configuration.order == .second)
            let queryLoss = episode.queryTargets.loss(of: model(episode.queryInputs, parameters: adapted))
            lossSum += Double(queryLoss.item)
            let grads = gradients(of: queryLoss, wrt: targets)
            total = total.map { zip($0, grads).map { $0 + $1 } } ?? grads
        }
        let scale = 1 / Float(episodes.count)
        return (lossSum / Double(episodes.count), (total ?? []).map { $0 * scale })
    }

    /// One meta-update (Adam on the meta-gradient); returns the meta-batch's mean query loss before the update.
    @discardableResult
    public func metaStep(_ episodes: [Episode]) -> Double {
        let (loss, grads) = metaGradient(episodes)
        metaOptimizer.step(grads)
        return loss
    }
}
