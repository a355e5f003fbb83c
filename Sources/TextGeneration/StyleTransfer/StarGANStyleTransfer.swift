import Autodiff
import Corpus
import Foundation
import NeuralNet

/// StarGAN for text (Choi et al. 2018, "StarGAN: unified generative adversarial networks for multi-domain
/// image-to-image translation"): one generator `G(x, c)` controlled by a target style label serves every pair of
/// `k ≥ 2` styles, and one discriminator has two heads over the same ``TextCNN`` features (Kim 2014) — `D_src`
/// (real or transferred) and `D_cls` (which style):
///
/// ```
/// L_D = −log D_src(x) − log(1 − D_src(G(x, c))) + λ_cls·(−log D_cls(s | x))
/// L_G = −log D_src(G(x, c)) + λ_cls·(−log D_cls(c | G(x, c))) + λ_cyc·L_rec(G(G(x, c), s), x) + λ_rec·L_rec(G(x, s), x)
/// ```
///
/// The generator is the ``CrossAlignedAutoencoder`` network without hidden-state discriminators; its discrete
/// outputs reach the discriminator as straight-through Gumbel-softmax samples (Jang et al. 2017). The target `c` is
/// drawn uniformly among the styles other than the source.
public struct StarGANStyleTransfer: AdversarialStyleTransferNetwork {
    /// The generator.
    public let autoencoder: CrossAlignedAutoencoder
    /// The discriminator: logit 0 is `D_src`, logits `1…k` are `D_cls`.
    public let discriminator: TextCNN
    /// Loss weights.
    public let weights: AdversarialStyleWeights
    /// Gumbel-softmax temperature.
    public let temperature: Float
    /// Steps of reconstruction alone before the adversarial terms start.
    public let pretrainingSteps: Int

    /// A network with parameters drawn from `generator`.
    public init(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, styleCount: Int, using generator: inout RandomGenerator
    ) {
        autoencoder = CrossAlignedAutoencoder(
            settings.configuration(vocabulary: vocabulary, styleCount: styleCount, discriminators: false),
            using: &generator)
        discriminator = AdversarialStyleParts.textCNN(
            settings: settings, vocabulary: vocabulary, classCount: 1 + styleCount, using: &generator)
        weights = settings.adversarialWeights
        temperature = settings.gumbelTemperature ?? 0.5
        pretrainingSteps = settings.training.pretrainingSteps ?? 0
    }

    /// `discriminator.…`.
    public var discriminatorNamedParameters: [(name: String, parameter: Parameter)] {
        discriminator.namedParameters.map { ("discriminator.\($0.name)", $0.parameter) }
    }

    /// The two heads of `logits [B, 1 + k]`.
    func heads(_ logits: Tensor) -> (source: Tensor, style: Tensor) {
        (
            logits.slice(axis: 1, range: 0..<1).reshaped([logits.shape[0]]),
            logits.slice(axis: 1, range: 1..<logits.shape[1])
        )
    }

    /// The losses of one batch.
    public func losses(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, step: Int, using generator: inout RandomGenerator
    ) -> AdversarialStyleLosses {
        let model = autoencoder
        let first = AdversarialStyleParts.reconstruct(batch, model: model, vocabulary: vocabulary, using: &generator)
        let (sentences, sources, targets) = (first.sentences, first.sources, first.targets)
        let (content, reconstruction) = (first.content, first.loss)
        let real = AdversarialStyleParts.withEnd(sentences, vocabulary: vocabulary)
        let lengths = real.map(\.count)
        if step < pretrainingSteps {
            return AdversarialStyleLosses(
                generator: reconstruction, discriminator: nil, adversarial: nil,
                metrics: ["reconstruction": Double(reconstruction.item)])
        }
        let soft = model.gumbelDecode(
            initial: model.initialState(content: content, styles: targets), memory: first.memory, lengths: lengths,
            vocabulary: vocabulary,
            temperature: temperature, using: &generator)
        var none: RandomGenerator? = nil
        let realHeads = heads(discriminator.logits(tokens: discriminator.batch(real), dropoutUsing: &none))
        let fakeHeads = heads(discriminator.logits(distributions: Tensor.stack(soft, axis: 1), dropoutUsing: &none))
        let realClass = crossEntropy(logits: realHeads.style, targets: sources)
        let discriminatorLoss =
            AdversarialStyleParts.binary(realHeads.source, label: 1)
            + AdversarialStyleParts.binary(fakeHeads.source, label: 0) + realClass * weights.classification
        let adversarial = AdversarialStyleParts.binary(fakeHeads.source, label: 1)
        let fakeClass = crossEntropy(logits: fakeHeads.style, targets: targets)
        var total =
            reconstruction * weights.reconstruction + adversarial * weights.adversarial
            + fakeClass * weights.classification
        var metrics = [
            "reconstruction": Double(reconstruction.item), "adversarial": Double(adversarial.item),
            "classification": Double(fakeClass.item), "discriminator": Double(discriminatorLoss.item),
        ]
        if weights.cycle > 0 {
            let back = model.encodeSource(distributions: soft, lengths: lengths, styles: targets)
            let cycle = model.reconstructionLoss(
                sentences, initial: model.initialState(content: back.content, styles: sources), memory: back.memory,
                vocabulary: vocabulary, dropoutUsing: &none)
            total = total + cycle * weights.cycle
            metrics["cycle"] = Double(cycle.item)
        }
        return AdversarialStyleLosses(
            generator: total, discriminator: discriminatorLoss, adversarial: adversarial, metrics: metrics)
    }
}
