import NeuralNet

/// WGAN-GP's gradient penalty (Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017): the
/// critic's loss gains a term that pushes `‖∇ₓD(x̂)‖` towards 1 at points `x̂` between real and generated samples.
///
/// ```
/// two-sided:  λ E_x̂[(‖∇ₓD(x̂)‖ − 1)²]                     (Gulrajani et al., eq. 3)
/// one-sided:  λ E_x̂[max(0, ‖∇ₓD(x̂)‖ − 1)]               (only penalizes slopes above 1)
/// x̂ = ε x + (1 − ε) x̃,  ε ~ U[0, 1] per sample
/// ```
/// The penalty is differentiated with respect to the critic's parameters, which needs the gradient `∇ₓD` itself
/// as a differentiable tensor: it is taken with `createGraph: true` (a gradient of a gradient).
public struct WGANGradientPenalty: Sendable {
    /// Which penalty.
    public enum Form: String, Codable, Sendable, CaseIterable {
        /// `max(0, ‖∇D‖ − 1)`: penalizes only slopes above 1.
        case oneSided = "one-sided"
        /// `(‖∇D‖ − 1)²`: pulls every slope to 1 (the paper's default).
        case twoSided = "two-sided"
    }

    /// `λ` (paper default 10).
    public let weight: Float
    /// One- or two-sided.
    public let form: Form

    /// A penalty of weight `weight` and form `form`.
    public init(weight: Float = 10, form: Form = .twoSided) {
        precondition(weight >= 0, "WGANGradientPenalty: weight \(weight) must be ≥ 0")
        self.weight = weight
        self.form = form
    }

    /// `ε x + (1 − ε) x̃` with one `ε ~ U[0, 1]` per row, detached from both inputs (shape `[N, D]`).
    public static func interpolates(real: Tensor, fake: Tensor, using generator: inout RandomGenerator) -> Tensor {
        precondition(
            real.shape == fake.shape && real.rank == 2,
            "WGANGradientPenalty.interpolates: real \(real.shape) and fake \(fake.shape) must be equal [N, D] shapes")
        let mix = Tensor.uniform([real.shape[0], 1], using: &generator)
        return real.detached() * mix + fake.detached() * (1 - mix)
    }

    /// The penalty at `points` (`[N, D]`) for `critic` (mapping `[N, D]` to `[N, 1]` or `[N]`), differentiable in
    /// the critic's parameters.
    public func penalty(critic: (Tensor) -> Tensor, at points: Tensor) -> Tensor {
        let inputs = points.detached().requiringGradient()
        let slopes = gradient(of: critic(inputs).sum(), wrt: inputs, createGraph: true)
        let norms = ((slopes * slopes).sum(axis: 1) + 1e-12).sqrt()
        let deviation = norms - 1
        switch form {
        case .oneSided: return deviation.relu().mean() * weight
        case .twoSided: return (deviation * deviation).mean() * weight
        }
    }

    /// The penalty at fresh interpolates of `real` and `fake`.
    public func penalty(
        critic: (Tensor) -> Tensor, real: Tensor, fake: Tensor, using generator: inout RandomGenerator
    ) -> Tensor {
        penalty(critic: critic, at: Self.interpolates(real: real, fake: fake, using: &generator))
    }
}

/// The zero-centred gradient penalty on real data, R1 (Mescheder, Geiger & Nowozin, "Which Training Methods for GANs
/// do actually Converge?", ICML 2018, eq. 9): `γ/2 · E_{x~P}[‖∇ₓV(x)‖²]` on the critic's raw output `V`, added to
/// the critic's loss. Unlike WGAN-GP's penalty it pulls the slopes towards 0 at the data, for any GAN objective.
public struct RealDataGradientPenalty: Sendable {
    /// γ.
    public let weight: Float

    /// A penalty of weight `weight` (≥ 0).
    public init(weight: Float) {
        precondition(weight >= 0, "RealDataGradientPenalty: weight \(weight) must be ≥ 0")
        self.weight = weight
    }

    /// The penalty at real points `real` (`[N, D]`) for `critic`, differentiable in the critic's parameters (the
    /// input gradient is taken with `createGraph: true`).
    public func penalty(critic: (Tensor) -> Tensor, at real: Tensor) -> Tensor {
        let inputs = real.detached().requiringGradient()
        let slopes = gradient(of: critic(inputs).sum(), wrt: inputs, createGraph: true)
        return (slopes * slopes).sum(axis: 1).mean() * (weight / 2)
    }
}
