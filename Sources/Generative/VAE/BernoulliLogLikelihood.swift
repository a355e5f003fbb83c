import Autodiff

/// The Bernoulli log-likelihood of targets `x` under logits `l`, summed over the last axis — the decoder likelihood
/// of Kingma & Welling 2014 for grey levels or binary data:
///
/// ```
/// log p(x | l) = Σⱼ [xⱼ lⱼ − softplus(lⱼ)],   ∂/∂lⱼ = xⱼ − σ(lⱼ),   ∂/∂xⱼ = lⱼ
/// ```
///
/// The fused, vectorized op ``Autodiff/Tensor/bernoulliLogLikelihood(logits:targets:)`` (differentiable to second
/// order), under the name Generative's VAE code has always used.
public func bernoulliLogLikelihood(logits: Tensor, targets: Tensor) -> Tensor {
    Tensor.bernoulliLogLikelihood(logits: logits, targets: targets)
}
