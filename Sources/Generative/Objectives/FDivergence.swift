import Foundation
import NeuralNet

/// The f-divergences of f-GAN, `D_f(P ‖ Q) = ∫ q(x) f(p(x) / q(x)) dx` for convex `f` with `f(1) = 0`, with the
/// Fenchel conjugate `f*(t) = sup_u {u t − f(u)}` and the output activation `g_f` that maps a critic's raw output
/// `v` into the domain of `f*` (Nowozin, Cseke & Tomioka, "f-GAN: Training Generative Neural Samplers using
/// Variational Divergence Minimization", NeurIPS 2016, Table 1 and Table 2).
///
/// The variational bound the critic `T = g_f(V)` maximizes is
/// ```
/// D_f(P ‖ Q) ≥ E_{x~P}[T(x)] − E_{x~Q}[f*(T(x))],
/// ```
/// with equality at `T*(x) = f′(p(x) / q(x))`. P is the data distribution, Q the generator's.
///
/// | divergence | f(u) | g_f(v) | f*(t) |
/// |---|---|---|---|
/// | KL | u log u | v | exp(t − 1) |
/// | reverse KL | −log u | −exp(−v) | −1 − log(−t) |
/// | Pearson χ² | (u − 1)² | v | t²/4 + t |
/// | squared Hellinger | (√u − 1)² | 1 − exp(−v) | t / (1 − t) |
/// | Jensen–Shannon | u log u − (u + 1) log((u + 1)/2) | log 2 − log(1 + exp(−v)) | −log(2 − exp t) |
/// | GAN | u log u − (u + 1) log(u + 1) | −log(1 + exp(−v)) | −log(1 − exp t) |
public enum FDivergence: String, Codable, Sendable, CaseIterable {
    /// Kullback–Leibler `KL(P ‖ Q)`.
    case kullbackLeibler = "kl"
    /// Reverse Kullback–Leibler `KL(Q ‖ P)`.
    case reverseKullbackLeibler = "reverse-kl"
    /// Pearson χ².
    case pearsonChiSquared = "pearson"
    /// Squared Hellinger distance.
    case squaredHellinger = "hellinger"
    /// Jensen–Shannon in f-GAN's form `KL(P ‖ M) + KL(Q ‖ M)` with `M = (P + Q)/2`: twice the Jensen–Shannon
    /// divergence, at most log 4.
    case jensenShannon = "js"
    /// The original GAN's divergence, `2·JS − log 4` (in [−log 4, 0]; Goodfellow et al. 2014, Theorem 1).
    case gan

    /// The generator function `f(u)` for `u > 0`.
    public func f(_ u: Double) -> Double {
        switch self {
        case .kullbackLeibler: u * Foundation.log(u)
        case .reverseKullbackLeibler: -Foundation.log(u)
        case .pearsonChiSquared: (u - 1) * (u - 1)
        case .squaredHellinger: (u.squareRoot() - 1) * (u.squareRoot() - 1)
        case .jensenShannon: u * Foundation.log(u) - (u + 1) * Foundation.log((u + 1) / 2)
        case .gan: u * Foundation.log(u) - (u + 1) * Foundation.log(u + 1)
        }
    }

    /// `f′(u)`, the optimal critic value at density ratio `u = p/q`.
    public func derivative(_ u: Double) -> Double {
        switch self {
        case .kullbackLeibler: 1 + Foundation.log(u)
        case .reverseKullbackLeibler: -1 / u
        case .pearsonChiSquared: 2 * (u - 1)
        case .squaredHellinger: 1 - 1 / u.squareRoot()
        case .jensenShannon: Foundation.log(2 * u / (1 + u))
        case .gan: Foundation.log(u / (u + 1))
        }
    }

    /// The Fenchel conjugate `f*(t)`; `+∞` outside its domain.
    public func conjugate(_ t: Double) -> Double {
        switch self {
        case .kullbackLeibler: return Foundation.exp(t - 1)
        case .reverseKullbackLeibler: return t < 0 ? -1 - Foundation.log(-t) : .infinity
        case .pearsonChiSquared: return t * t / 4 + t
        case .squaredHellinger: return t < 1 ? t / (1 - t) : .infinity
        case .jensenShannon: return t < Foundation.log(2) ? -Foundation.log(2 - Foundation.exp(t)) : .infinity
        case .gan: return t < 0 ? -Foundation.log(1 - Foundation.exp(t)) : .infinity
        }
    }

    /// The output activation `g_f(v)` on a scalar.
    public func activation(_ v: Double) -> Double {
        switch self {
        case .kullbackLeibler, .pearsonChiSquared: v
        case .reverseKullbackLeibler: -Foundation.exp(-v)
        case .squaredHellinger: 1 - Foundation.exp(-v)
        case .jensenShannon: Foundation.log(2) - Foundation.log(1 + Foundation.exp(-v))
        case .gan: -Foundation.log(1 + Foundation.exp(-v))
        }
    }

    /// `T = g_f(V)` on a tensor of raw critic outputs (differentiable to any order).
    public func activation(_ v: Tensor) -> Tensor {
        switch self {
        case .kullbackLeibler, .pearsonChiSquared: v
        case .reverseKullbackLeibler: -(-v).exp()
        case .squaredHellinger: 1 - (-v).exp()
        case .jensenShannon: Float(Foundation.log(2.0)) - (-v).softplus()
        case .gan: -(-v).softplus()
        }
    }

    /// `f*(g_f(V))` on raw critic outputs, simplified so it stays finite for every `v`:
    /// KL `exp(v − 1)`, reverse KL `v − 1`, Pearson `v²/4 + v`, Hellinger `exp(v) − 1`, JS `softplus(v) − log 2`,
    /// GAN `softplus(v)`.
    public func conjugateOfActivation(_ v: Tensor) -> Tensor {
        switch self {
        case .kullbackLeibler: (v - 1).exp()
        case .reverseKullbackLeibler: v - 1
        case .pearsonChiSquared: v * v * 0.25 + v
        case .squaredHellinger: v.exp() - 1
        case .jensenShannon: v.softplus() - Float(Foundation.log(2.0))
        case .gan: v.softplus()
        }
    }

    /// The divergence between two discrete distributions on the same support (`q > 0` wherever `p > 0`).
    public func divergence(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "FDivergence.divergence: \(p.count) vs \(q.count) probabilities")
        return zip(p, q).reduce(0) { sum, pair in pair.1 > 0 ? sum + pair.1 * f(pair.0 / pair.1) : sum }
    }

    /// The variational lower bound `E_P[T] − E_Q[f*(T)]` of a critic with values `t` on a discrete support.
    public func variationalBound(critic t: [Double], _ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count && t.count == p.count, "FDivergence.variationalBound: length mismatch")
        return zip(t, zip(p, q)).reduce(0) { sum, item in
            sum + item.1.0 * item.0 - item.1.1 * conjugate(item.0)
        }
    }
}
