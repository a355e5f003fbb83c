import Autodiff
import Foundation
import NeuralNet

/// The predictive distribution p(y | x, θ) a model's output parameterizes, for the Fisher information.
public enum PredictiveDistribution: String, Codable, Sendable, CaseIterable {
    /// Outputs are logits of a categorical distribution.
    case categorical
    /// Outputs are means of a Gaussian with unit variance.
    case gaussian
}

/// How the diagonal Fisher information is estimated.
public enum FisherEstimate: String, Codable, Sendable, CaseIterable {
    /// The empirical Fisher: squared gradients of log p(yᵢ | xᵢ, θ) at the observed labels.
    case empirical
    /// The true Fisher: the expectation over y ~ p(y | xᵢ, θ), exact per example (a sum over classes, or the
    /// Gaussian's closed form (∂μ/∂θ)² / σ²).
    case expected
}

/// The diagonal of the Fisher information F = E[(∇θ log p(y | x, θ))²] of a model at its current parameters,
/// averaged over examples — the importance weights of Elastic Weight Consolidation (Kirkpatrick et al. 2017).
///
/// Per-example gradients are taken one example at a time (the diagonal needs squares of per-example gradients, not
/// the square of their mean); pass a subsample of the task's data when it is large.
public func diagonalFisher<Model: Module>(
    of model: Model, inputs: Tensor, targets: EpisodeTargets, distribution: PredictiveDistribution,
    estimate: FisherEstimate
) -> [Tensor] {
    let parameters = model.parameterValues
    var sums = parameters.map { [Float](repeating: 0, count: $0.count) }
    let count = inputs.shape[0]
    let width = inputs.count / max(count, 1)
    func accumulate(_ grads: [Tensor], weight: Float) {
        for index in sums.indices {
            grads[index].scalars.withUnsafeBufferPointer { g in
                sums[index].withUnsafeMutableBufferPointer { s in
                    for i in 0..<s.count { s[i] += weight * g[i] * g[i] }
                }
            }
        }
    }
    for row in 0..<count {
        let x = inputs.reshaped([count, width]).slice(axis: 0, range: row..<(row + 1)).detached()
        let output = model(x.reshaped([1] + inputs.shape.dropFirst()))
        switch (distribution, estimate, targets) {
        case (.categorical, .empirical, .classes(let labels, _)):
            accumulate(gradients(of: crossEntropy(logits: output, targets: [labels[row]]), wrt: parameters), weight: 1)
        case (.categorical, .expected, _):
            let logProbabilities = output.logSoftmax(axis: 1)
            let probabilities = logProbabilities.scalars.map { Foundation.exp($0) }
            for k in 0..<output.shape[1] where probabilities[k] > 1e-12 {
                let picked = logProbabilities.slice(axis: 1, range: k..<(k + 1)).sum()
                accumulate(gradients(of: picked, wrt: parameters), weight: probabilities[k])
            }
        case (.gaussian, .empirical, .values(let values)):
            let target = values.reshaped([count, values.count / max(count, 1)]).slice(axis: 0, range: row..<(row + 1))
            let logLikelihood = ((output - target.detached()) * (output - target.detached())).sum() * -0.5
            accumulate(gradients(of: logLikelihood, wrt: parameters), weight: 1)
        case (.gaussian, .expected, _):
            // ∇ log p = (y − μ) ∇μ with unit variance and E[(y − μ)²] = 1: one gradient per output component.
            for k in 0..<output.shape[1] {
                accumulate(gradients(of: output.slice(axis: 1, range: k..<(k + 1)).sum(), wrt: parameters), weight: 1)
            }
        default:
            preconditionFailure("diagonalFisher: \(estimate) Fisher of a \(distribution) model needs matching targets")
        }
    }
    let scale = 1 / Float(max(count, 1))
    return zip(sums, parameters).map { Tensor(shape: $1.shape, scalars: $0.map { $0 * scale }) }
}
