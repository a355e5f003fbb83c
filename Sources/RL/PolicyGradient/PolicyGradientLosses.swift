import Autodiff

/// The policy-gradient surrogate losses, as differentiable tensors to minimize.
public enum PolicyGradientLoss {
    /// REINFORCE (Williams, "Simple statistical gradient-following algorithms for connectionist reinforcement
    /// learning", 1992): `L = −mean_t [ w_t · log π(a_t|s_t) ]` with `w_t` the (baselined, reward-to-go,
    /// discounted) return or advantage, held constant. Its gradient is the score-function estimate
    /// `−(1/N) Σ w_t ∇ log π(a_t|s_t)`.
    public static func reinforce(logProbabilities: Tensor, weights: Tensor) -> Tensor {
        precondition(
            logProbabilities.shape == weights.shape,
            "PolicyGradientLoss.reinforce: log-probabilities \(logProbabilities.shape) vs weights \(weights.shape)")
        return -(logProbabilities * weights.detached()).mean()
    }

    /// PPO's importance-weighted surrogate with a KL penalty (Schulman et al., "Proximal policy optimization
    /// algorithms", 2017, eq. 8; the adaptive-β variant): `L = −mean[ρ_t A_t] + β·KL`, `ρ_t = π(a_t|s_t) /
    /// π_old(a_t|s_t)`.
    public static func ppoKLPenalty(
        logProbabilities: Tensor, oldLogProbabilities: Tensor, advantages: Tensor, klDivergence: Tensor, beta: Float
    ) -> Tensor {
        let ratio = (logProbabilities - oldLogProbabilities.detached()).exp()
        return -(ratio * advantages.detached()).mean() + klDivergence * beta
    }

    /// PPO2's clipped surrogate (Schulman et al. 2017, eq. 7), to minimize:
    /// `L = −mean[ min(ρ_t A_t, clip(ρ_t, 1 − ε, 1 + ε) A_t) ]`.
    ///
    /// Its gradient with respect to `log π(a_t|s_t)` vanishes where the clipped term is the smaller one: `A > 0`
    /// with `ρ > 1 + ε`, and `A < 0` with `ρ < 1 − ε`.
    public static func ppoClip(
        logProbabilities: Tensor, oldLogProbabilities: Tensor, advantages: Tensor, clipRange epsilon: Float
    ) -> Tensor {
        let ratio = (logProbabilities - oldLogProbabilities.detached()).exp()
        let fixedAdvantages = advantages.detached()
        let unclipped = ratio * fixedAdvantages
        let clipped = ratio.clamped(min: 1 - epsilon, max: 1 + epsilon) * fixedAdvantages
        return -Tensor.minimum(unclipped, clipped).mean()
    }

    /// The value loss `½·mean (V − R)²`, or with clipping around the old values (as OpenAI Baselines' PPO2):
    /// `½·mean max((V − R)², (V_old + clip(V − V_old, −ε, ε) − R)²)`.
    public static func value(
        predictions: Tensor, returns: Tensor, oldValues: Tensor? = nil, clipRange: Float? = nil
    ) -> Tensor {
        let target = returns.detached()
        let plain = (predictions - target).squared()
        guard let oldValues, let clipRange else { return plain.mean() * 0.5 }
        let old = oldValues.detached()
        let clippedPrediction = old + (predictions - old).clamped(min: -clipRange, max: clipRange)
        return Tensor.maximum(plain, (clippedPrediction - target).squared()).mean() * 0.5
    }

    /// Mean entropy of categorical distributions given by logits `[N, C]`: `−Σ_c p_c log p_c`, averaged over rows.
    public static func categoricalEntropy(logits: Tensor) -> Tensor {
        let logProbabilities = logits.logSoftmax(axis: -1)
        return -(logProbabilities.exp() * logProbabilities).sum(axis: -1).mean()
    }

    /// Mean `KL(π_old ‖ π)` of categorical distributions given by logits `[N, C]` (the old logits held constant).
    public static func categoricalKL(oldLogits: Tensor, logits: Tensor) -> Tensor {
        let oldLog = oldLogits.detached().logSoftmax(axis: -1)
        let newLog = logits.logSoftmax(axis: -1)
        return (oldLog.exp() * (oldLog - newLog)).sum(axis: -1).mean()
    }
}

/// The adaptive KL coefficient of PPO with a KL penalty: after each update, `β ← β·factor` when the measured KL
/// exceeds `maximum`, `β ← β / factor` when it is below `minimum` (Schulman et al. 2017, section 4, with
/// `maximum = 1.5·target`, `minimum = target / 1.5`, `factor = 2`).
public struct AdaptiveKLCoefficient: Codable, Equatable, Sendable {
    /// The current β.
    public var beta: Float
    /// Raise β above this KL.
    public var maximum: Float
    /// Lower β below this KL.
    public var minimum: Float
    /// The multiplier.
    public var factor: Float

    /// A coefficient around `target` KL, starting at `beta`.
    public init(target: Float = 0.01, beta: Float = 1, factor: Float = 2) {
        self.beta = beta
        maximum = target * 1.5
        minimum = target / 1.5
        self.factor = factor
    }

    /// Adapts β to the KL measured after an update.
    public mutating func update(klDivergence: Float) {
        if klDivergence > maximum {
            beta *= factor
        } else if klDivergence < minimum {
            beta /= factor
        }
    }
}
