import Autodiff
import Corpus
import Foundation
import NeuralNet

/// A conditional GAN for text (Mirza & Osindero 2014; trained as in Reed et al. 2016 with mismatched-pair
/// negatives): the generator writes a sentence from noise `z ~ N(0, I)` and a style label `c`; the discriminator
/// `D(c, x)` judges a (style, sentence) pair and says "real" only for a real sentence paired with its own style.
///
/// ```
/// V_D = mean log D(c, x) + mean log(1 − D(c, G(z, c))) + mean log(1 − D(ĉ, x))     (ĉ ≠ the style of x)
/// V_G = mean log D(c, G(z, c))
/// ```
///
/// `D` is a ``TextCNN`` (Kim 2014) with one logit per style, `D(c, x) = σ(logit_c(x))`. The generator is the
/// decoder of a ``CrossAlignedAutoencoder`` started from `[W_y·c; z]`; its outputs reach `D` as straight-through
/// Gumbel-softmax samples (Jang et al. 2017). For transfer, the same decoder is started from the encoder's content
/// `E(x, s)` instead of noise, so the network also learns to reconstruct (`λ_rec·L_rec`), and the encoder's content
/// is pulled towards the noise distribution by a moment penalty `mean(z)² + (var(z) − 1)²` per dimension, so the
/// decoder's conditional behaviour learnt from noise carries over to encoded sentences. The first
/// `pretrainingSteps` steps train reconstruction and the moment penalty alone (no generation from noise, no
/// discriminator update), as the other adversarial methods' autoencoder pre-training.
public struct ConditionalStyleGAN: AdversarialStyleTransferNetwork {
    /// The generator (decoder from noise or content) and the encoder.
    public let autoencoder: CrossAlignedAutoencoder
    /// The pair discriminator: logit `c` scores "a real sentence of style c".
    public let discriminator: TextCNN
    /// Loss weights.
    public let weights: AdversarialStyleWeights
    /// Gumbel-softmax temperature.
    public let temperature: Float
    /// Steps of reconstruction (and the moment penalty) alone before the adversarial terms start.
    public let pretrainingSteps: Int

    /// A network with parameters drawn from `generator`.
    public init(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, styleCount: Int, using generator: inout RandomGenerator
    ) {
        autoencoder = CrossAlignedAutoencoder(
            settings.configuration(vocabulary: vocabulary, styleCount: styleCount, discriminators: false),
            using: &generator)
        discriminator = AdversarialStyleParts.textCNN(
            settings: settings, vocabulary: vocabulary, classCount: styleCount, using: &generator)
        weights = settings.adversarialWeights
        temperature = settings.gumbelTemperature ?? 0.5
        pretrainingSteps = settings.training.pretrainingSteps ?? 0
    }

    /// `discriminator.…`.
    public var discriminatorNamedParameters: [(name: String, parameter: Parameter)] {
        discriminator.namedParameters.map { ("discriminator.\($0.name)", $0.parameter) }
    }

    /// `count` sentences of style `styles[b]` generated from fresh noise (greedy words, no gradients).
    public func generate(
        styles: [Int], vocabulary: Vocabulary, maximumLength: Int, using generator: inout RandomGenerator
    ) -> [[Int]] {
        let noise = Tensor.normal([styles.count, autoencoder.configuration.contentSize], using: &generator)
        return autoencoder.sampleDecode(
            initial: autoencoder.initialState(content: noise, styles: styles), vocabulary: vocabulary,
            maximumLength: maximumLength, using: &generator)
    }

    /// The losses of one batch: the real sentences give the conditions `c_i` (their styles) and the lengths of the
    /// generated ones; the mismatched pairs are the real sentences with another style.
    public func losses(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, step: Int, using generator: inout RandomGenerator
    ) -> AdversarialStyleLosses {
        let model = autoencoder
        let first = AdversarialStyleParts.reconstruct(batch, model: model, vocabulary: vocabulary, using: &generator)
        let (sentences, styles, mismatched) = (first.sentences, first.sources, first.targets)
        let (content, reconstruction) = (first.content, first.loss)
        let mean = content.mean(axis: 0)
        let variance = (content - mean).squared().mean(axis: 0)
        let moments = (mean.squared() + (variance - 1).squared()).mean()
        if step < pretrainingSteps {
            return AdversarialStyleLosses(
                generator: reconstruction * weights.reconstruction + moments, discriminator: nil, adversarial: nil,
                metrics: ["reconstruction": Double(reconstruction.item), "moments": Double(moments.item)])
        }
        let real = AdversarialStyleParts.withEnd(sentences, vocabulary: vocabulary)
        let noise = Tensor.normal([batch.count, model.configuration.contentSize], using: &generator)
        let soft = model.gumbelDecode(
            initial: model.initialState(content: noise, styles: styles), lengths: real.map(\.count),
            vocabulary: vocabulary, temperature: temperature, using: &generator)
        var none: RandomGenerator? = nil
        let realLogits = discriminator.logits(tokens: discriminator.batch(real), dropoutUsing: &none)
        let fakeLogits = discriminator.logits(distributions: Tensor.stack(soft, axis: 1), dropoutUsing: &none)
        let paired = AdversarialStyleParts.pick(realLogits, columns: styles)
        let unpaired = AdversarialStyleParts.pick(realLogits, columns: mismatched)
        let generated = AdversarialStyleParts.pick(fakeLogits, columns: styles)
        let discriminatorLoss =
            AdversarialStyleParts.binary(paired, label: 1) + AdversarialStyleParts.binary(generated, label: 0)
            + AdversarialStyleParts.binary(unpaired, label: 0)
        let adversarial = AdversarialStyleParts.binary(generated, label: 1)
        let total = reconstruction * weights.reconstruction + adversarial * weights.adversarial + moments
        return AdversarialStyleLosses(
            generator: total, discriminator: discriminatorLoss, adversarial: adversarial,
            metrics: [
                "reconstruction": Double(reconstruction.item), "adversarial": Double(adversarial.item),
                "discriminator": Double(discriminatorLoss.item), "moments": Double(moments.item),
            ])
    }
}
