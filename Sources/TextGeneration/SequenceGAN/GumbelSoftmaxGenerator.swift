import Autodiff
import Foundation
import NeuralNet

/// The temperature of a Gumbel-softmax generator over training (Jang, Gu & Poole 2017, §4: `τ = max(τ_min,
/// τ₀·exp(−r·step))`).
public struct GumbelTemperature: Codable, Equatable, Sendable {
    /// `τ₀`.
    public var initial: Float
    /// `τ_min`.
    public var minimum: Float
    /// `r`, per generator step.
    public var decayRate: Double

    /// A schedule.
    public init(initial: Float = 1, minimum: Float = 0.1, decayRate: Double = 1e-3) {
        self.initial = initial
        self.minimum = minimum
        self.decayRate = decayRate
    }

    /// `τ` at 0-based generator step `step`.
    public func value(atStep step: Int) -> Float {
        max(minimum, initial * Float(Foundation.exp(-decayRate * Double(step))))
    }
}

/// A ``SequenceGenerator`` (LSTM or Transformer) run as a differentiable generator of token distributions: at each
/// step the logits give a Gumbel-softmax sample (Jang et al. 2017; Maddison et al. 2017) — soft, or straight-through
/// one-hot — whose embedding `y·E` is fed back as the next input, so a discriminator's verdict on the whole sequence
/// back-propagates into the generator (the GAN for discrete sequences of Kusner & Hernández-Lobato 2016, "GANs for
/// sequences of discrete elements with the Gumbel-softmax distribution").
public enum GumbelSoftmaxGenerator {
    /// `count` sequences of `length` distributions over the vocabulary, `[count, length, V]`, started from
    /// `startToken`; recorded for gradients.
    public static func sample(
        _ model: some SequenceGenerator, count: Int, length: Int, startToken: Int, temperature: Float, hard: Bool,
        using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(count > 0 && length > 0, "GumbelSoftmaxGenerator.sample: sizes must be positive")
        return model.gumbelSoftmaxSample(
            count: count, length: length, startToken: startToken, temperature: temperature, hard: hard,
            using: &generator)
    }

    /// The non-saturating generator loss `−mean log D(real | G(noise))` of a two-class `discriminator` (class 1 real)
    /// on Gumbel-softmax samples.
    public static func generatorLoss(
        _ model: some SequenceGenerator, discriminator: TextCNN, count: Int, length: Int, startToken: Int,
        temperature: Float, hard: Bool, using generator: inout RandomGenerator
    ) -> Tensor {
        let samples = sample(
            model, count: count, length: length, startToken: startToken, temperature: temperature, hard: hard,
            using: &generator)
        var none: RandomGenerator? = nil
        let logits = discriminator.logits(distributions: samples, dropoutUsing: &none)
        return crossEntropy(logits: logits, targets: Array(repeating: 1, count: count))
    }
}
