import Autodiff

/// The inner loop of gradient-based meta-learning: k steps of gradient descent on a support set, starting from
/// given parameter tensors, without touching the model's own parameters.
///
/// ```
/// θ₀ = φ,   θⱼ = θⱼ₋₁ − α ⊙ ∇_θ L_support(θⱼ₋₁),   j = 1…k
/// ```
///
/// With `createGraph` the gradients are themselves recorded on the tape, so ∂θₖ/∂φ contains the Hessian terms
/// (exact second-order MAML, Finn et al. 2017); without it the gradients are constants and ∂θₖ/∂φ = I (first-order
/// MAML, the approximation the same paper evaluates). The rates α are scalars or per-parameter tensors (Meta-SGD,
/// Li et al. 2017), and may themselves be tensors on the tape.
public enum InnerLoop {
    /// θₖ after `steps` gradient steps on `episode`'s support set.
    ///
    /// - Parameters:
    ///   - parameters: θ₀ (tensors on the tape, e.g. the model's parameter values).
    ///   - rates: one learning-rate tensor per parameter (shape `[]` or the parameter's shape).
    ///   - createGraph: differentiate through the gradients (second order).
    public static func adapt<Model: FunctionalModel>(
        _ model: Model, parameters: [Tensor], rates: [Tensor], on inputs: Tensor, targets: EpisodeTargets,
        steps: Int, createGraph: Bool
    ) -> [Tensor] {
        precondition(
            rates.count == parameters.count, "InnerLoop.adapt: \(rates.count) rates, \(parameters.count) parameters")
        var theta = parameters.map { $0.requiresGradient ? $0 : $0.requiringGradient() }
        for _ in 0..<steps {
            let loss = targets.loss(of: model(inputs, parameters: theta))
            let grads = gradients(of: loss, wrt: theta, createGraph: createGraph)
            theta = zip(zip(theta, grads), rates).map { pair, rate in
                let (value, gradient) = pair
                return value - rate * gradient
            }
        }
        return theta
    }

    /// Query losses of a model fine-tuned by plain SGD (rate `rate`) on the support set, recorded after each step
    /// count in `checkpoints` (0 means before any step): the test-time protocol of Finn et al. 2017's sinusoid
    /// figures. No second-order graph is kept. Once the support loss is no longer finite the adaptation stops and
    /// the remaining checkpoints report a NaN loss.
    public static func adaptationCurve<Model: FunctionalModel>(
        _ model: Model, parameters: [Tensor], rates: [Tensor], episode: Episode, checkpoints: [Int]
    ) -> [(steps: Int, loss: Double, accuracy: Double?)] {
        var theta = parameters.map { $0.detached().requiringGradient() }
        var results: [(steps: Int, loss: Double, accuracy: Double?)] = []
        let last = checkpoints.max() ?? 0
        for step in 0...last {
            if checkpoints.contains(step) {
                let output = withoutGradients { model(episode.queryInputs, parameters: theta) }
                results.append(
                    (
                        steps: step, loss: Double(episode.queryTargets.loss(of: output).item),
                        accuracy: episode.queryTargets.accuracy(of: output)
                    ))
            }
            if step == last { break }
            let loss = episode.supportTargets.loss(of: model(episode.supportInputs, parameters: theta))
            guard loss.item.isFinite else {
                // Diverged: every later checkpoint is reported as non-finite without further steps.
                for later in checkpoints.sorted() where later > step {
                    results.append((steps: later, loss: .nan, accuracy: nil))
                }
                break
            }
            let grads = gradients(of: loss, wrt: theta)
            theta = zip(zip(theta, grads), rates).map { pair, rate in
                (pair.0 - rate * pair.1).detached().requiringGradient()
            }
        }
        return results
    }
}
