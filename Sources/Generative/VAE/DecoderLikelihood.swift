import Foundation
import NeuralNet

/// The observation model `p_θ(x | z)` of a variational autoencoder's decoder: how the decoder's output scores data.
///
/// - ``bernoulli``: the decoder outputs logits; `log p(x | z) = Σ_d [x_d log σ(l_d) + (1 − x_d) log(1 − σ(l_d))]`
///   for `x ∈ [0, 1]` (Kingma & Welling 2014, appendix C.1; grey levels in [0, 1] as soft targets).
/// - ``gaussian``: the decoder outputs means, with one learned log-variance per data dimension;
///   `log p(x | z) = −½ Σ_d [log 2π + log σ²_d + (x_d − μ_d)² / σ²_d]` (appendix C.2).
public enum DecoderLikelihood: String, Codable, Sendable, CaseIterable {
    /// Independent Bernoulli pixels (binary or grey levels in [0, 1]).
    case bernoulli
    /// Independent Gaussians with learned per-dimension variances (real-valued data).
    case gaussian

    /// `log p(x | z)` per sample (summed over the last axis) for decoder output `output` (`[N, D]`) and data `x`;
    /// `logVariance` (`[D]`) is used by ``gaussian`` only.
    public func logLikelihood(of x: Tensor, output: Tensor, logVariance: Tensor?) -> Tensor {
        precondition(x.shape == output.shape, "DecoderLikelihood: data \(x.shape) ≠ decoder output \(output.shape)")
        switch self {
        case .bernoulli:
            return bernoulliLogLikelihood(logits: output, targets: x)
        case .gaussian:
            let logVariance = logVariance ?? Tensor.zeros([x.shape[x.rank - 1]])
            let difference = x - output
            let terms =
                difference * difference / logVariance.exp() + logVariance
                + Float(Foundation.log(2 * Double.pi))
            return (terms * -0.5).sum(axis: -1)
        }
    }

    /// The data-space mean of the decoder's output: `σ(logits)` for Bernoulli, the means themselves for Gaussian.
    public func mean(of output: Tensor) -> Tensor {
        switch self {
        case .bernoulli: output.sigmoid()
        case .gaussian: output
        }
    }
}
