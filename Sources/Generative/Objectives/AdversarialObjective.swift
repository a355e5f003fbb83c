import Foundation
import NeuralNet

/// A two-player objective on critic outputs: what the discriminator minimizes given its raw outputs on real and
/// generated samples, and what the generator minimizes given the outputs on its samples.
///
/// Outputs are raw (before any sigmoid), shape `[N, 1]` or `[N]`; losses are scalar means, so a training loop can
/// take D steps per G step (Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, Algorithm 1).
public protocol AdversarialObjective: Sendable {
    /// The discriminator's (critic's) loss on raw outputs for real and generated samples.
    func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor
    /// The generator's loss on raw outputs for generated samples.
    func generatorLoss(fake: Tensor) -> Tensor
}

/// The minimax GAN (Goodfellow et al. 2014): D maximizes `V = E_P[log D(x)] + E_Q[log(1 − D(x̃))]` with
/// `D = σ(v)`, and G minimizes `E_Q[log(1 − D(x̃))] = −E_Q[softplus(v)]` (saturates when D wins early).
///
/// With a real label `t < 1` (one-sided label smoothing, Salimans et al., "Improved Techniques for Training GANs",
/// NeurIPS 2016, §3.4) D's loss on real samples is the cross-entropy against `t`:
/// `E_P[t·softplus(−v) + (1 − t)·softplus(v)]`; generated samples keep the target 0.
public struct MinimaxGANObjective: AdversarialObjective {
    /// The discriminator's target for real samples (1: the plain loss).
    public let realLabel: Float

    /// The objective, with real samples labelled `realLabel`.
    public init(realLabel: Float = 1) { self.realLabel = realLabel }

    /// `−V = E_P[softplus(−v)] + E_Q[softplus(v)]` (with label smoothing, the real term against `realLabel`).
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        let realTerm =
            realLabel == 1
            ? (-real).softplus().mean()
            : ((-real).softplus() * realLabel + real.softplus() * (1 - realLabel)).mean()
        return realTerm + fake.softplus().mean()
    }

    /// `E_Q[log(1 − σ(v))] = −E_Q[softplus(v)]`.
    public func generatorLoss(fake: Tensor) -> Tensor { -fake.softplus().mean() }
}

/// The non-saturating GAN (Goodfellow et al. 2014, §3): the same discriminator, while G maximizes `E_Q[log D(x̃)]`,
/// i.e. minimizes `E_Q[softplus(−v)]`, which has strong gradients when D rejects the samples.
public struct NonSaturatingGANObjective: AdversarialObjective {
    /// The discriminator's target for real samples (1: the plain loss; see ``MinimaxGANObjective``).
    public let realLabel: Float

    /// The objective, with real samples labelled `realLabel`.
    public init(realLabel: Float = 1) { self.realLabel = realLabel }

    /// The minimax discriminator loss, `E_P[softplus(−v)] + E_Q[softplus(v)]`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        MinimaxGANObjective(realLabel: realLabel).discriminatorLoss(real: real, fake: fake)
    }

    /// `−E_Q[log σ(v)] = E_Q[softplus(−v)]`.
    public func generatorLoss(fake: Tensor) -> Tensor { (-fake).softplus().mean() }
}

/// f-GAN (Nowozin, Cseke & Tomioka 2016): the critic `T = g_f(V)` maximizes `E_P[T] − E_Q[f*(T)]`, a lower bound
/// on `D_f(P ‖ Q)` (see ``FDivergence``). By default the generator maximizes `E_Q[g_f(V)]`, the alternative update of
/// their §3.2, which has the same fixed point and stronger gradients early in training; with `saddlePoint` it
/// minimizes the bound itself, `−E_Q[f*(g_f(V))]` (their eq. 6), whose gradient at the optimal critic is the
/// gradient of `D_f(P ‖ Q)`. The two differ in kind for the KL divergence: with `T* = 1 + log(p/q)` the alternative
/// maximizes `E_Q[log(p/q)]`, i.e. minimizes the reverse KL `KL(Q ‖ P)`, which seeks modes, while the saddle-point
/// update maximizes `E_Q[exp(T − 1)] = E_Q[p/q]` and keeps the forward KL's covering of every mode.
public struct FGANObjective: AdversarialObjective {
    /// The divergence.
    public let divergence: FDivergence
    /// Whether the generator minimizes the bound (`−E_Q[f*(g_f(V))]`) rather than the alternative `−E_Q[g_f(V)]`.
    public let saddlePoint: Bool

    /// The objective for `divergence`, with the alternative generator update unless `saddlePoint`.
    public init(divergence: FDivergence, saddlePoint: Bool = false) {
        self.divergence = divergence
        self.saddlePoint = saddlePoint
    }

    /// `−(E_P[g_f(v)] − E_Q[f*(g_f(v))])`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        divergence.conjugateOfActivation(fake).mean() - divergence.activation(real).mean()
    }

    /// `−E_Q[g_f(v)]`, or with ``saddlePoint`` `−E_Q[f*(g_f(v))]`.
    public func generatorLoss(fake: Tensor) -> Tensor {
        saddlePoint ? -divergence.conjugateOfActivation(fake).mean() : -divergence.activation(fake).mean()
    }

    /// The critic's estimate of `D_f(P ‖ Q)` from raw outputs (the negated discriminator loss).
    public func divergenceEstimate(real: Tensor, fake: Tensor) -> Tensor { -discriminatorLoss(real: real, fake: fake) }
}

/// Least-squares GAN (Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017): a linear critic
/// regressed to codes, fake `a`, real `b`, and the value G wants D to believe `c`:
/// ```
/// L_D = ½ E_P[(D(x) − b)²] + ½ E_Q[(D(x̃) − a)²]      L_G = ½ E_Q[(D(x̃) − c)²]
/// ```
/// `a = −1, b = 1, c = 0` minimizes the Pearson χ² divergence between `P + Q` and `2Q`; `a = 0,
/// b = c = 1` is the common 0-1 coding.
public struct LeastSquaresGANObjective: AdversarialObjective {
    /// Target for generated samples in D's loss.
    public let a: Float
    /// Target for real samples in D's loss.
    public let b: Float
    /// Target for generated samples in G's loss.
    public let c: Float

    /// The objective with codes `a`, `b`, `c` (default the 0-1 coding).
    public init(a: Float = 0, b: Float = 1, c: Float = 1) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// `½ E_P[(v − b)²] + ½ E_Q[(v − a)²]`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        ((real - b).squared().mean() + (fake - a).squared().mean()) * 0.5
    }

    /// `½ E_Q[(v − c)²]`.
    public func generatorLoss(fake: Tensor) -> Tensor { (fake - c).squared().mean() * 0.5 }
}

/// The Wasserstein GAN critic objective (Arjovsky, Chintala & Bottou, "Wasserstein GAN", ICML 2017): the critic
/// maximizes `E_P[D(x)] − E_Q[D(x̃)]`, an estimate of the Earth-Mover distance when D is 1-Lipschitz (enforced by
/// ``WeightClipping`` or ``WGANGradientPenalty``), and G minimizes `−E_Q[D(x̃)]`.
public struct WassersteinObjective: AdversarialObjective {
    /// The objective.
    public init() {}

    /// `E_Q[D] − E_P[D]`.
    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor { fake.mean() - real.mean() }

    /// `−E_Q[D]`.
    public func generatorLoss(fake: Tensor) -> Tensor { -fake.mean() }
}

/// WGAN's weight clipping (Arjovsky et al. 2017, Algorithm 1): after every critic update, clamp each weight to
/// `[−c, c]` (paper default `c = 0.01`), a crude way to keep the critic K-Lipschitz.
public struct WeightClipping: Sendable {
    /// The clipping bound `c > 0`.
    public let bound: Float

    /// Clipping to `[−bound, bound]`.
    public init(bound: Float = 0.01) {
        precondition(bound > 0, "WeightClipping: bound \(bound) must be positive")
        self.bound = bound
    }

    /// Clamps every parameter in place.
    public func apply(to parameters: [Parameter]) {
        let bound = bound
        for parameter in parameters {
            parameter.update(scalars: parameter.value.scalars.map { Swift.min(Swift.max($0, -bound), bound) })
        }
    }
}
