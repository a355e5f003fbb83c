import Autodiff
import Corpus
import Foundation
import NeuralNet

/// Unsupervised style transfer by projection to a common latent space (UNIT, Liu et al. 2017; XGAN, Royer et al.
/// 2017; DTN, Taigman et al. 2017, for text): sentences of every style are encoded into one content space, from
/// which a style-conditioned decoder writes any style.
///
/// - **Structure sharing**: `enc_A/enc_B` and `dec_A/dec_B` share all their layers and differ only by the style
///   embedding they start from (the ``CrossAlignedAutoencoder`` network without hidden-state discriminators).
/// - **Hidden-space discriminator**: an MLP `D_z` guesses the style from the content `z = E(x, s)`; the encoder is
///   trained to leave it at chance (cross entropy against the uniform distribution; Fu et al. 2018).
/// - **Cycle consistency**: `x → E → z → dec_t → y → E → z' → dec_s ≈ x`, with `y` the greedy transfer (no
///   gradient through the discrete words, as back-translation; Lample et al. 2019).
/// - **Semantic consistency**: `‖z' − z‖²` (the transfer keeps the content vector).
///
/// ```
/// L_Dz = −log D_z(s | z)
/// L_G  = λ_rec·L_rec + ρ·CE(D_z(z), uniform) + λ_cyc·L_cyc + λ_sem·mean ‖z' − z‖²
/// ```
///
/// Each term is switched off by a zero weight.
public struct CommonSpaceStyleTransfer: AdversarialStyleTransferNetwork {
    /// The encoder–decoder.
    public let autoencoder: CrossAlignedAutoencoder
    /// `D_z`'s hidden layer.
    public let latentHidden: Linear
    /// `D_z`'s output (one logit per style).
    public let latentOutput: Linear
    /// Loss weights.
    public let weights: AdversarialStyleWeights
    /// Steps of reconstruction alone before the other terms start.
    public let pretrainingSteps: Int

    /// A network with parameters drawn from `generator`.
    public init(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, styleCount: Int, using generator: inout RandomGenerator
    ) {
        autoencoder = CrossAlignedAutoencoder(
            settings.configuration(vocabulary: vocabulary, styleCount: styleCount, discriminators: false),
            using: &generator)
        latentHidden = Linear(inputSize: settings.contentSize, outputSize: settings.filterCount, using: &generator)
        latentOutput = Linear(inputSize: settings.filterCount, outputSize: styleCount, using: &generator)
        weights = settings.adversarialWeights
        pretrainingSteps = settings.training.pretrainingSteps ?? 0
    }

    /// `latentDiscriminator.…`.
    public var discriminatorNamedParameters: [(name: String, parameter: Parameter)] {
        (prefixed("hidden", latentHidden) + prefixed("output", latentOutput)).map {
            ("latentDiscriminator.\($0.name)", $0.parameter)
        }
    }

    /// Style logits `[B, k]` of content vectors.
    public func latentLogits(_ content: Tensor) -> Tensor {
        latentOutput(latentHidden(content).leakyRelu(negativeSlope: 0.2))
    }

    /// The losses of one batch.
    public func losses(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, step: Int, using generator: inout RandomGenerator
    ) -> AdversarialStyleLosses {
        let model = autoencoder
        let sentences = batch.map { $0.ids.isEmpty ? [vocabulary.unknownIndex] : $0.ids }
        let sources = batch.map(\.style)
        let targets = AdversarialStyleParts.targets(
            for: sources, styleCount: model.configuration.styleCount, using: &generator)
        var dropout: RandomGenerator? = generator
        let (content, memory) = model.encodeSource(sentences, styles: sources, dropoutUsing: &dropout)
        let reconstruction = model.reconstructionLoss(
            sentences, initial: model.initialState(content: content, styles: sources), memory: memory,
            vocabulary: vocabulary, dropoutUsing: &dropout)
        var total = reconstruction * weights.reconstruction
        var metrics = ["reconstruction": Double(reconstruction.item)]
        if step < pretrainingSteps {
            if let dropout { generator = dropout }
            return AdversarialStyleLosses(generator: total, discriminator: nil, adversarial: nil, metrics: metrics)
        }
        var discriminatorLoss: Tensor?
        var adversarial: Tensor?
        if weights.adversarial > 0 {
            let logits = latentLogits(content)
            let dLoss = crossEntropy(logits: logits, targets: sources)
            // Cross entropy against the uniform distribution: the mean of −log softmax over styles and rows.
            let confusion = -logits.logSoftmax(axis: -1).mean()
            discriminatorLoss = dLoss
            adversarial = confusion
            total = total + confusion * weights.adversarial
            metrics["discriminator"] = Double(dLoss.item)
            metrics["adversarial"] = Double(confusion.item)
        }
        if weights.cycle > 0 || weights.semantic > 0 {
            let longest = sentences.map(\.count).max() ?? 1
            let transferred = model.transfer(
                sentences, from: sources, to: targets, vocabulary: vocabulary, maximumLength: longest + 5
            ).map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
            let (back, backMemory) = model.encodeSource(transferred, styles: targets, dropoutUsing: &dropout)
            if weights.cycle > 0 {
                let cycle = model.reconstructionLoss(
                    sentences, initial: model.initialState(content: back, styles: sources), memory: backMemory,
                    vocabulary: vocabulary, dropoutUsing: &dropout)
                total = total + cycle * weights.cycle
                metrics["cycle"] = Double(cycle.item)
            }
            if weights.semantic > 0 {
                let semantic = (back - content).squared().sum(axis: 1).mean()
                total = total + semantic * weights.semantic
                metrics["semantic"] = Double(semantic.item)
            }
        }
        if let dropout { generator = dropout }
        return AdversarialStyleLosses(
            generator: total, discriminator: discriminatorLoss, adversarial: adversarial, metrics: metrics)
    }
}
