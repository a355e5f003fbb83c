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

    /// The range and sign of the learned inner rates (Meta-SGD), or nil when the rate is fixed.
    public var innerRateSummary: InnerRateSummary? {
        innerRates.isEmpty ? nil : InnerRateSummary(innerRates.flatMap { $0.value.scalars })
    }

    /// The meta-objective and its gradient for a meta-batch: the mean over tasks of the query loss after
    /// adaptation, and its gradient with respect to φ (followed by the rates' with Meta-SGD).
    ///
    /// When the model is a ``TaskBatchedFunctionalModel`` and the episodes have equal shapes, the whole meta-batch
    /// runs as one task-batched computation (``taskBatchedMetaGradient(_:)``); otherwise task by task
    /// (``perTaskMetaGradient(_:)``). Both give the same values up to float rounding.
    public func metaGradient(_ episodes: [Episode]) -> (loss: Double, gradients: [Tensor]) {
        if let batched = taskBatchedMetaGradient(episodes) { return batched }
        return perTaskMetaGradient(episodes)
    }

    /// The meta-gradient with one tape per task (any ``FunctionalModel``).
    public func perTaskMetaGradient(_ episodes: [Episode]) -> (loss: Double, gradients: [Tensor]) {
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

    /// The meta-gradient of the whole meta-batch on one tape, or nil when the model cannot run task-batched or the
    /// episodes differ in shape or target kind.
    ///
    /// φ is broadcast to T per-task copies Φ = [φ, …, φ] (`[T] + shape`); the support losses are summed over tasks,
    /// so ∇_Φ Σₜ Lₜ(Φₜ) holds each task's own gradient in its slice (Lₜ depends on Φₜ only), and the inner update
    /// θ = Φ − α ⊙ ∇_Φ runs for all tasks in one op per layer. The query loss is the mean over tasks (equal query
    /// sizes), and the broadcast's backward rule sums the per-task meta-gradients into ∇_φ — the computation
    /// `jax.vmap` derives for MAML.
    public func taskBatchedMetaGradient(_ episodes: [Episode]) -> (loss: Double, gradients: [Tensor])? {
        guard let batchedModel = model as? any TaskBatchedFunctionalModel,
            let batch = TaskBatch(episodes)
        else { return nil }
        let taskCount = episodes.count
        let phi = model.parameterValues
        let rates = rateTensors
        var theta = phi.map { $0.reshaped([1] + $0.shape).expanded(to: [taskCount] + $0.shape) }
        for _ in 0..<configuration.innerSteps {
            let output = batchedModel(taskBatch: batch.supportInputs, parameters: theta)
            let loss = batch.supportLoss(of: output) * Float(taskCount)
            let grads = gradients(of: loss, wrt: theta, createGraph: configuration.order == .second)
            theta = zip(zip(theta, grads), rates).map { pair, rate in pair.0 - rate * pair.1 }
        }
        let queryLoss = batch.queryLoss(of: batchedModel(taskBatch: batch.queryInputs, parameters: theta))
        let grads = gradients(of: queryLoss, wrt: phi + innerRates.map(\.value))
        return (Double(queryLoss.item), grads)
    }

    /// Meta-updates skipped because the meta-batch's loss or meta-gradient was not finite.
    public var skippedSteps = 0

    /// One meta-update (Adam on the meta-gradient); returns the meta-batch's mean query loss before the update.
    ///
    /// When the loss or any meta-gradient entry is NaN or infinite (an inner loop that diverged, as learned
    /// Meta-SGD rates can make it), the update is skipped and counted in ``skippedSteps``: one such batch would
    /// otherwise turn Adam's moments, and with them every parameter, into NaN for good.
    @discardableResult
    public func metaStep(_ episodes: [Episode]) -> Double {
        let (loss, grads) = metaGradient(episodes)
        guard loss.isFinite, grads.allSatisfy({ $0.scalars.allSatisfy(\.isFinite) }) else {
            skippedSteps += 1
            return loss
        }
        metaOptimizer.step(grads)
        return loss
    }
}

/// Summary statistics of Meta-SGD's learned per-parameter inner rates.
///
/// Meta-SGD (Li et al. 2017) learns the rates α for the number of inner steps it is meta-trained with and puts no
/// constraint on them: they grow well beyond the initial α and some turn negative (gradient ascent on those
/// coordinates), because only the query loss after exactly those steps is optimized. A step θ − α ⊙ ∇L repeated
/// beyond that count multiplies the error along a curvature direction λ by about (1 − αλ) each time; wherever
/// |1 − αλ| > 1 or α < 0 the iterates grow geometrically, which is why further test-time steps diverge.
public struct InnerRateSummary: Codable, Sendable, Equatable {
    /// The smallest rate.
    public var minimum: Float
    /// The largest rate.
    public var maximum: Float
    /// The mean rate.
    public var mean: Float
    /// The fraction of rates below zero.
    public var negativeFraction: Double
    /// The number of rates.
    public var count: Int

    /// The summary of `rates`.
    public init(_ rates: [Float]) {
        count = rates.count
        minimum = rates.min() ?? 0
        maximum = rates.max() ?? 0
        mean = rates.isEmpty ? 0 : rates.reduce(0, +) / Float(rates.count)
        negativeFraction = rates.isEmpty ? 0 : Double(rates.filter { $0 < 0 }.count) / Double(rates.count)
    }
}

/// A meta-batch of episodes with equal shapes stacked along a leading task axis.
struct TaskBatch {
    /// Support inputs `[T, nₛ, features]`.
    var supportInputs: Tensor
    /// Query inputs `[T, n_q, features]`.
    var queryInputs: Tensor
    /// Stacked regression targets `[T, n, outputs]`, or nil for classification.
    var supportValues: Tensor?
    var queryValues: Tensor?
    /// Concatenated class labels and the class count (classification).
    var supportLabels: [Int]
    var queryLabels: [Int]
    var classCount: Int

    /// The batch, or nil when the episodes differ in input shapes, target kinds or class counts.
    init?(_ episodes: [Episode]) {
        guard let first = episodes.first else { return nil }
        for episode in episodes
        where episode.supportInputs.shape != first.supportInputs.shape
            || episode.queryInputs.shape != first.queryInputs.shape
        {
            return nil
        }
        supportInputs = Tensor.stack(episodes.map(\.supportInputs))
        queryInputs = Tensor.stack(episodes.map(\.queryInputs))
        supportLabels = []
        queryLabels = []
        classCount = 0
        switch (first.supportTargets, first.queryTargets) {
        case (.values, .values):
            var support: [Tensor] = []
            var query: [Tensor] = []
            for episode in episodes {
                guard case .values(let s) = episode.supportTargets, case .values(let q) = episode.queryTargets,
                    s.shape == support.first?.shape ?? s.shape, q.shape == query.first?.shape ?? q.shape
                else { return nil }
                support.append(s)
                query.append(q)
            }
            supportValues = Tensor.stack(support)
            queryValues = Tensor.stack(query)
        case (.classes(_, let count), .classes):
            classCount = count
            for episode in episodes {
                guard case .classes(let s, let sc) = episode.supportTargets,
                    case .classes(let q, let qc) = episode.queryTargets, sc == count, qc == count
                else { return nil }
                supportLabels += s
                queryLabels += q
            }
            supportValues = nil
            queryValues = nil
        default:
            return nil
        }
    }

    /// The mean over tasks of each task's support loss (equal sizes make it the mean over all examples).
    func supportLoss(of output: Tensor) -> Tensor { loss(of: output, values: supportValues, labels: supportLabels) }

    /// The mean over tasks of each task's query loss.
    func queryLoss(of output: Tensor) -> Tensor { loss(of: output, values: queryValues, labels: queryLabels) }

    private func loss(of output: Tensor, values: Tensor?, labels: [Int]) -> Tensor {
        if let values { return meanSquaredError(output, values) }
        return crossEntropy(logits: output.reshaped([labels.count, classCount]), targets: labels)
    }
}
