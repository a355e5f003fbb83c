import Autodiff
import Foundation
import NeuralNet

/// Which meta-gradient MAML follows.
public enum MAMLOrder: String, Codable, Sendable, CaseIterable {
    /// The exact meta-gradient, differentiating through the inner gradient steps (Hessian–vector products).
    case second
    /// First-order MAML: ∂θₖ/∂φ taken as the identity, so the meta-gradient is the query gradient at θₖ.
    case first
}

/// How Meta-SGD's learned inner rates α are obtained from the trained tensors ρ.
///
/// Li et al. 2017 train α itself, unconstrained; nothing then keeps α positive, and a negative rate is gradient
/// ascent on its coordinate. The softplus form α = log(1 + e^ρ) (optionally clipped above, α = min(softplus(ρ),
/// α_max)) keeps every rate positive whatever the meta-gradient does; the MetaLearning documentation compares the
/// two forms on the sinusoid task with five inner steps.
public enum InnerRateParameterization: String, Codable, Sendable, CaseIterable {
    /// α = ρ, as in Li et al. 2017; the rates may turn negative. Weights named `inner_rates.<parameter>`.
    case unconstrained
    /// α = softplus(ρ) = log(1 + e^ρ) > 0, clipped at the configured maximum if any. Weights named
    /// `inner_rate_logits.<parameter>` (so a file of either form is never read as the other).
    case softplus

    /// The weight-name prefix of the trained rate tensors.
    public var weightPrefix: String {
        switch self {
        case .unconstrained: "inner_rates."
        case .softplus: "inner_rate_logits."
        }
    }

    /// The trained value ρ that gives the rate `alpha` (softplus⁻¹(α) = log(e^α − 1) = α + log(1 − e^−α);
    /// `alpha` must be positive for the softplus form).
    public func raw(forRate alpha: Float) -> Float {
        switch self {
        case .unconstrained: return alpha
        case .softplus:
            precondition(alpha > 0, "InnerRateParameterization.raw: softplus rates are positive, got \(alpha)")
            return alpha > 20 ? alpha : alpha + Foundation.log(-Foundation.expm1(-alpha))
        }
    }

    /// The rates α of the trained tensor ρ (recorded on the tape, so the meta-gradient reaches ρ), with every
    /// rate at most `maximum` when given (softplus form only).
    public func rates(_ raw: Tensor, maximum: Float?) -> Tensor {
        switch self {
        case .unconstrained: return raw
        case .softplus:
            let alpha = raw.softplus()
            return maximum.map { alpha.clamped(max: $0) } ?? alpha
        }
    }
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
    /// How learned rates are parameterized (Meta-SGD only): softplus (positive) or unconstrained.
    public var rateParameterization: InnerRateParameterization
    /// The largest learned rate (softplus form only); nil: no upper bound.
    public var maximumInnerRate: Float?

    /// Finn et al. 2017's sinusoid settings by default: one inner step with α = 0.01, Adam with β = 0.001; learned
    /// rates are positive (softplus) without an upper bound.
    public init(
        innerSteps: Int = 1, innerLearningRate: Float = 0.01, order: MAMLOrder = .second,
        learnsInnerRates: Bool = false, metaLearningRate: Float = 1e-3,
        rateParameterization: InnerRateParameterization = .softplus, maximumInnerRate: Float? = nil
    ) {
        precondition(innerSteps >= 1, "MAMLConfiguration: innerSteps \(innerSteps) < 1")
        precondition(
            !learnsInnerRates || rateParameterization == .unconstrained || innerLearningRate > 0,
            "MAMLConfiguration: softplus rates start from a positive α, got \(innerLearningRate)")
        precondition(
            maximumInnerRate.map { $0 >= innerLearningRate } ?? true,
            "MAMLConfiguration: the maximum inner rate is below the initial rate")
        self.innerSteps = innerSteps
        self.innerLearningRate = innerLearningRate
        self.order = order
        self.learnsInnerRates = learnsInnerRates
        self.metaLearningRate = metaLearningRate
        self.rateParameterization = rateParameterization
        self.maximumInnerRate = maximumInnerRate
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
/// meta-gradient (Meta-SGD: Li, Zhou, Chen & Li, "Meta-SGD: Learning to Learn Quickly for Few-Shot Learning", 2017);
/// by default through α = softplus(ρ), so they stay positive (``InnerRateParameterization``).
/// The model is any ``FunctionalModel``; the inner loop runs on tensors, never on the model's parameters.
public final class MAML<Model: FunctionalModel> {
    /// The model whose parameters are the initialization φ.
    public let model: Model
    /// The settings.
    public let configuration: MAMLConfiguration
    /// The trained rate tensors ρ (Meta-SGD), one per model parameter; empty when the rate is fixed. The rates are
    /// α = ρ (unconstrained) or softplus(ρ) (see ``MAMLConfiguration/rateParameterization``).
    public let innerRates: [Parameter]
    /// The Adam optimizer of the meta-update over φ (and the rates).
    public let metaOptimizer: Adam

    /// A learner for `model`.
    public init(model: Model, configuration: MAMLConfiguration) {
        self.model = model
        self.configuration = configuration
        innerRates =
            configuration.learnsInnerRates
            ? model.parameters.map {
                Parameter(
                    Tensor.full(
                        $0.shape, configuration.rateParameterization.raw(forRate: configuration.innerLearningRate)))
            } : []
        metaOptimizer = Adam(model.parameters + innerRates, learningRate: configuration.metaLearningRate)
    }

    /// Every trained tensor by name: the model's parameters, then with Meta-SGD the rate tensors as
    /// `inner_rate_logits.<name>` (softplus form) or `inner_rates.<name>` (unconstrained form).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        let own = model.namedParameters
        let prefix = configuration.rateParameterization.weightPrefix
        return own + zip(own, innerRates).map { (name: prefix + $0.0.name, parameter: $0.1) }
    }

    /// The rate tensors of the inner loop: the learned rates α (computed from ρ on the tape, so the meta-gradient
    /// reaches ρ), or the fixed α as a scalar for every parameter.
    public var rateTensors: [Tensor] {
        innerRates.isEmpty
            ? model.parameters.map { _ in Tensor(configuration.innerLearningRate) }
            : innerRates.map {
                configuration.rateParameterization.rates($0.value, maximum: configuration.maximumInnerRate)
            }
    }

    /// The learned rates α as constants (for evaluation), or the fixed α for every parameter.
    public var learnedRates: [Tensor] { withoutGradients { rateTensors.map { $0.detached() } } }

    /// The range and sign of the learned inner rates α (Meta-SGD), or nil when the rate is fixed.
    public var innerRateSummary: InnerRateSummary? {
        innerRates.isEmpty ? nil : InnerRateSummary(learnedRates.flatMap(\.scalars))
    }

    /// Sets the learned rates to `rates` (one tensor per model parameter, as ``learnedRates`` gives them), e.g. to
    /// carry rates trained in the unconstrained form over to the softplus form. Rates at or below zero become
    /// `floor`, which must be positive, in the softplus form (it cannot represent them); rates above the maximum
    /// are stored as the maximum.
    ///
    /// - Returns: how many rates were raised to `floor`.
    @discardableResult
    public func setLearnedRates(_ rates: [Tensor], floor: Float = 1e-6) -> Int {
        precondition(
            rates.count == innerRates.count, "MAML.setLearnedRates: \(rates.count) tensors for \(innerRates.count)")
        precondition(floor > 0, "MAML.setLearnedRates: floor must be positive")
        var raised = 0
        let form = configuration.rateParameterization
        for (parameter, rate) in zip(innerRates, rates) {
            precondition(
                parameter.shape == rate.shape, "MAML.setLearnedRates: shape \(rate.shape) ≠ \(parameter.shape)")
            let raw = rate.scalars.map { alpha -> Float in
                guard form == .softplus else { return alpha }
                var value = alpha
                if !(value > 0) {
                    value = floor
                    raised += 1
                }
                if let maximum = configuration.maximumInnerRate { value = min(value, maximum) }
                return form.raw(forRate: value)
            }
            parameter.update(Tensor(shape: rate.shape, scalars: raw))
        }
        return raised
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
/// Meta-SGD (Li et al. 2017) learns the rates α for the number of inner steps it is meta-trained with. In the
/// unconstrained form (``InnerRateParameterization/unconstrained``) they grow well beyond the initial α and some turn
/// negative (gradient ascent on those coordinates), because only the query loss after exactly those steps is
/// optimized; the softplus form keeps them positive but bounds them above only with
/// ``MAMLConfiguration/maximumInnerRate``. A step θ − α ⊙ ∇L repeated
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
