import Autodiff
import Foundation
import NeuralNet

/// A diagonal Gaussian `N(μ, diag σ²)` over the last axis, given by its mean and log-variance: the approximate
/// posterior `q_φ(z | x)` of a variational autoencoder, written once for the image and text VAEs.
///
/// Sampling uses the reparameterization trick (Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014,
/// §2.4): `z = μ + σ ⊙ ε` with `ε ~ N(0, I)`, so `z` is a deterministic, differentiable function of `(μ, log σ²)`
/// and the noise. Shapes: `mean` and `logVariance` are `[N, D]` (or any rank ≥ 1, the last axis being the latent
/// dimensions); per-sample quantities have the leading shape (`[N]`).
public struct DiagonalGaussian {
    /// `μ`, shape `[…, D]`.
    public let mean: Tensor
    /// `log σ²`, the same shape as ``mean``.
    public let logVariance: Tensor

    /// A Gaussian with the given mean and log-variance (same shapes, rank ≥ 1).
    public init(mean: Tensor, logVariance: Tensor) {
        precondition(
            mean.shape == logVariance.shape && mean.rank >= 1,
            "DiagonalGaussian: mean \(mean.shape) and logVariance \(logVariance.shape) must have the same rank ≥ 1 shape"
        )
        self.mean = mean
        self.logVariance = logVariance
    }

    /// `σ = exp(½ log σ²)`.
    public var standardDeviation: Tensor { (logVariance * 0.5).exp() }

    /// The reparameterized sample `μ + σ ⊙ ε` for the given standard-normal `noise` (same shape as ``mean``).
    public func sample(noise: Tensor) -> Tensor {
        precondition(noise.shape == mean.shape, "DiagonalGaussian.sample: noise \(noise.shape) ≠ mean \(mean.shape)")
        return mean + standardDeviation * noise
    }

    /// A reparameterized sample with fresh noise drawn from `generator`.
    public func sample(using generator: inout RandomGenerator) -> Tensor {
        sample(noise: Tensor.normal(mean.shape, using: &generator))
    }

    /// `log q(z)`, summed over the last axis: `−½ Σ_d [ log 2π + log σ²_d + (z_d − μ_d)² / σ²_d ]`.
    public func logDensity(_ z: Tensor) -> Tensor {
        let difference = z - mean
        let terms = logVariance + difference * difference / logVariance.exp() + Float(Foundation.log(2 * Double.pi))
        return (terms * -0.5).sum(axis: -1)
    }

    /// The analytic `KL(q ‖ N(0, I))` per sample (Kingma & Welling 2014, appendix B): `−½ Σ_d (1 + log σ² − μ² − σ²)`.
    public func klDivergenceFromStandardNormal() -> Tensor {
        Autodiff.klDivergenceFromStandardNormal(mean: mean, logVariance: logVariance, reduction: .none)
    }
}

/// `log N(z; 0, I)` summed over the last axis: `−½ Σ_d (log 2π + z_d²)`.
public func standardNormalLogDensity(_ z: Tensor) -> Tensor {
    ((z * z + Float(Foundation.log(2 * Double.pi))) * -0.5).sum(axis: -1)
}
