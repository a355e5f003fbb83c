import NeuralNet

/// Energy-based GAN (Zhao, Mathieu & LeCun, "Energy-based Generative Adversarial Network", ICLR 2017): the
/// discriminator is an autoencoder whose reconstruction error is an energy, low on data and pushed above a margin
/// `m` on generated samples.
///
/// ```
/// L_D = E_P[E(x)] + E_Q[max(0, m − E(x̃))]        E(x) = mean_d (AE(x)_d − x_d)²
/// L_G = E_Q[E(x̃)] + λ_PT · PT(S)
/// PT(S) = 1/(N(N − 1)) Σ_{i≠j} (sᵢᵀsⱼ / (‖sᵢ‖ ‖sⱼ‖))²     (the pull-away term on the encoder's codes S)
/// ```
public struct EBGANObjective: Sendable {
    /// The margin `m > 0`.
    public let margin: Float
    /// `λ_PT`, the weight of the pull-away term (0 disables it; the paper uses 0.1).
    public let pullAwayWeight: Float

    /// The objective.
    public init(margin: Float = 1, pullAwayWeight: Float = 0.1) {
        precondition(margin > 0 && pullAwayWeight >= 0, "EBGANObjective: margin \(margin), weight \(pullAwayWeight)")
        self.margin = margin
        self.pullAwayWeight = pullAwayWeight
    }

    /// Per-sample energies `mean_d (reconstruction − x)²`, shape `[N]`.
    public static func energy(input: Tensor, reconstruction: Tensor) -> Tensor {
        (reconstruction - input).squared().mean(axis: 1)
    }

    /// `E_P[E(x)] + E_Q[max(0, m − E(x̃))]`.
    public func discriminatorLoss(realEnergy: Tensor, fakeEnergy: Tensor) -> Tensor {
        realEnergy.mean() + (margin - fakeEnergy).relu().mean()
    }

    /// `E_Q[E(x̃)] + λ_PT PT(codes)`.
    public func generatorLoss(fakeEnergy: Tensor, fakeCodes: Tensor) -> Tensor {
        let energy = fakeEnergy.mean()
        guard pullAwayWeight > 0, fakeCodes.shape[0] > 1 else { return energy }
        return energy + Self.pullAwayTerm(fakeCodes) * pullAwayWeight
    }

    /// The pull-away term of a batch of codes `[N, K]` (N ≥ 2): the mean squared cosine similarity of distinct rows.
    public static func pullAwayTerm(_ codes: Tensor) -> Tensor {
        precondition(codes.rank == 2 && codes.shape[0] > 1, "EBGANObjective.pullAwayTerm: codes \(codes.shape)")
        let n = codes.shape[0]
        let norms = (codes.squared().sum(axis: 1, keepingDimensions: true) + 1e-12).sqrt()
        let unit = codes / norms
        let cosines = unit.matmul(unit.transposed())
        return (cosines.squared().sum() - Float(n)) / Float(n * (n - 1))
    }
}
