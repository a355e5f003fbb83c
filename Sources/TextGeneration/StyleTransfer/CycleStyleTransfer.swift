import Autodiff
import Corpus
import Foundation
import NeuralNet

/// Unsupervised style transfer by direct transformation with cycle consistency (CycleGAN, Zhu et al. 2017, for
/// text): a generator `G(x, s → t)` rewrites a sentence of style `s` into style `t`; per style `t` a discriminator
/// `D_t` — a ``TextCNN`` over word sequences (Kim 2014) — tells real sentences of `t` from transferred ones; the
/// generator also has to reconstruct the input from its own transfer (`A → B → A`) and, as input/output
/// consistency, to reproduce a sentence when asked for its own style.
///
/// ```
/// L_D = Σ_t  −log D_t(x_t) − log(1 − D_t(G(x, s → t)))
/// L_G = λ_rec·L_rec(G(x, s → s), x) + λ_cyc·L_rec(G(G(x, s → t), t → s), x) + ρ·(−log D_t(G(x, s → t)))
/// ```
///
/// `G_A→B` and `G_B→A` are one encoder–decoder conditioned on the target style (the ``CrossAlignedAutoencoder``
/// network without its hidden-state discriminators), which shares their parameters. The discrete outputs are
/// crossed by straight-through Gumbel-softmax samples (Jang et al. 2017), through which the adversarial and the
/// cycle gradients flow, or by REINFORCE with the discriminator's probability as reward (``GeneratorTraining``);
/// with REINFORCE the cycle term reads the sampled words, as back-translation does (Lample et al. 2019).
public struct CycleStyleTransfer: AdversarialStyleTransferNetwork {
    /// The generator.
    public let autoencoder: CrossAlignedAutoencoder
    /// One discriminator per style; class 1 means "a real sentence of this style".
    public let discriminators: [TextCNN]
    /// How the generator learns from the discriminators.
    public let training: GeneratorTraining
    /// Loss weights.
    public let weights: AdversarialStyleWeights
    /// Gumbel-softmax temperature.
    public let temperature: Float
    /// Steps at the start of training in which the generator learns reconstruction alone and the discriminators
    /// rest (autoencoder pre-training).
    public let pretrainingSteps: Int
    /// Policy gradient: Monte Carlo rollouts per prefix for per-token rewards (SeqGAN; 0: one whole-sentence
    /// reward for every token).
    public let rollouts: Int

    /// A network with parameters drawn from `generator`.
    public init(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, styleCount: Int, using generator: inout RandomGenerator
    ) {
        autoencoder = CrossAlignedAutoencoder(
            settings.configuration(vocabulary: vocabulary, styleCount: styleCount, discriminators: false),
            using: &generator)
        discriminators = (0..<styleCount).map { _ in
            AdversarialStyleParts.textCNN(settings: settings, vocabulary: vocabulary, classCount: 2, using: &generator)
        }
        training = settings.generatorTraining ?? .gumbel
        weights = settings.adversarialWeights
        temperature = settings.gumbelTemperature ?? 0.5
        pretrainingSteps = settings.training.pretrainingSteps ?? 0
        rollouts = settings.rollouts ?? 0
    }

    /// `discriminator{t}.…`.
    public var discriminatorNamedParameters: [(name: String, parameter: Parameter)] {
        discriminators.enumerated().flatMap { index, network in
            network.namedParameters.map { ("discriminator\(index).\($0.name)", $0.parameter) }
        }
    }

    /// The losses of one batch.
    public func losses(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, step: Int, using generator: inout RandomGenerator
    ) -> AdversarialStyleLosses {
        let model = autoencoder
        let first = AdversarialStyleParts.reconstruct(batch, model: model, vocabulary: vocabulary, using: &generator)
        let (sentences, sources, targets) = (first.sentences, first.sources, first.targets)
        let (content, reconstruction) = (first.content, first.loss)
        var metrics = ["reconstruction": Double(reconstruction.item)]
        if step < pretrainingSteps {
            return AdversarialStyleLosses(
                generator: reconstruction, discriminator: nil, adversarial: nil, metrics: metrics)
        }
        let transferInitial = model.initialState(content: content, styles: targets)
        let real = AdversarialStyleParts.withEnd(sentences, vocabulary: vocabulary)
        var discriminatorLoss: Tensor?
        var adversarial: Tensor?
        var cycle: Tensor?
        var none: RandomGenerator? = nil
        switch training {
        case .gumbel:
            let lengths = real.map(\.count)
            let soft = model.gumbelDecode(
                initial: transferInitial, memory: first.memory, lengths: lengths, vocabulary: vocabulary,
                temperature: temperature,
                using: &generator)
            let fake = Tensor.stack(soft, axis: 1)  // [B, L, V]
            for style in discriminators.indices {
                let realRows = sources.indices.filter { sources[$0] == style }
                let fakeRows = targets.indices.filter { targets[$0] == style }
                guard !realRows.isEmpty, !fakeRows.isEmpty else { continue }
                let d = discriminators[style]
                let realLogits = d.logits(
                    tokens: d.batch(realRows.map { real[$0] }), dropoutUsing: &none)
                let fakeLogits = d.logits(
                    distributions: AdversarialStyleParts.rows(fake, fakeRows), dropoutUsing: &none)
                let dLoss =
                    crossEntropy(logits: realLogits, targets: Array(repeating: 1, count: realRows.count))
                    + crossEntropy(logits: fakeLogits, targets: Array(repeating: 0, count: fakeRows.count))
                let gLoss = crossEntropy(logits: fakeLogits, targets: Array(repeating: 1, count: fakeRows.count))
                discriminatorLoss = discriminatorLoss.map { $0 + dLoss } ?? dLoss
                adversarial = adversarial.map { $0 + gLoss } ?? gLoss
            }
            if weights.cycle > 0 {
                let back = model.encodeSource(distributions: soft, lengths: lengths, styles: targets)
                cycle = model.reconstructionLoss(
                    sentences, initial: model.initialState(content: back.content, styles: sources),
                    memory: back.memory, vocabulary: vocabulary, dropoutUsing: &none)
            }
        case .policyGradient:
            let longest = sentences.map(\.count).max() ?? 1
            let samples = model.sampleDecode(
                initial: transferInitial.detached(), memory: first.memory, vocabulary: vocabulary,
                maximumLength: longest + 5,
                using: &generator
            ).map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
            var rewards = [Double](repeating: 0, count: batch.count)
            for style in discriminators.indices {
                let realRows = sources.indices.filter { sources[$0] == style }
                let fakeRows = targets.indices.filter { targets[$0] == style }
                guard !realRows.isEmpty, !fakeRows.isEmpty else { continue }
                let d = discriminators[style]
                let fakeIDs = AdversarialStyleParts.withEnd(fakeRows.map { samples[$0] }, vocabulary: vocabulary)
                let fakeLogits = d.logits(tokens: d.batch(fakeIDs), dropoutUsing: &none)
                let realLogits = d.logits(tokens: d.batch(realRows.map { real[$0] }), dropoutUsing: &none)
                let dLoss =
                    crossEntropy(logits: realLogits, targets: Array(repeating: 1, count: realRows.count))
                    + crossEntropy(logits: fakeLogits, targets: Array(repeating: 0, count: fakeRows.count))
                discriminatorLoss = discriminatorLoss.map { $0 + dLoss } ?? dLoss
                let probabilities = fakeLogits.softmax(axis: -1).scalars
                for (index, row) in fakeRows.enumerated() { rewards[row] = Double(probabilities[index * 2 + 1]) }
            }
            let baseline = rewards.reduce(0, +) / Double(max(rewards.count, 1))
            if rollouts > 0 {
                // SeqGAN: each token's reward is the mean reward of rollouts completing its prefix.
                let tokenRewards = model.rolloutRewards(
                    samples: samples, initial: transferInitial.detached(), memory: first.memory, targets: targets,
                    rewards: discriminators.map {
                        StyleDiscriminatorReward(discriminator: $0, endIndex: vocabulary.endIndex)
                    }, rollouts: rollouts, vocabulary: vocabulary, maximumLength: longest + 5, using: &generator)
                let teacher = model.teacherForced(
                    samples, initial: transferInitial, memory: first.memory, vocabulary: vocabulary,
                    dropoutUsing: &none)
                let perToken = crossEntropy(
                    logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex,
                    reduction: .none)
                // Time-major [(L+1)·B], as the teacher-forced targets: step t of row b is token t of `y </s>`.
                let steps = teacher.targets.count / batch.count
                var advantages = [Float](repeating: 0, count: teacher.targets.count)
                for t in 0..<steps {
                    for row in 0..<batch.count where t < tokenRewards[row].count {
                        advantages[t * batch.count + row] = Float(tokenRewards[row][t] - baseline)
                    }
                }
                adversarial =
                    (Tensor(shape: [advantages.count], scalars: advantages) * perToken).sum()
                    / Float(batch.count)
            } else {
                let advantages = Tensor(shape: [batch.count], scalars: rewards.map { Float($0 - baseline) })
                let negativeLogLikelihoods = model.sentenceNegativeLogLikelihoods(
                    samples, initial: transferInitial, memory: first.memory, vocabulary: vocabulary)
                // Minimizing Σ A·(−log p) follows the REINFORCE estimate of ∇E[reward].
                adversarial = (advantages * negativeLogLikelihoods).mean()
            }
            metrics["reward"] = baseline
            if weights.cycle > 0 {
                let back = model.encodeSource(samples, styles: targets, dropoutUsing: &none)
                cycle = model.reconstructionLoss(
                    sentences, initial: model.initialState(content: back.content, styles: sources),
                    memory: back.memory, vocabulary: vocabulary, dropoutUsing: &none)
            }
        }
        var total = reconstruction * weights.reconstruction
        if let adversarial {
            metrics["adversarial"] = Double(adversarial.item)
            if weights.adversarial > 0 { total = total + adversarial * weights.adversarial }
        }
        if let cycle {
            metrics["cycle"] = Double(cycle.item)
            total = total + cycle * weights.cycle
        }
        if let discriminatorLoss { metrics["discriminator"] = Double(discriminatorLoss.item) }
        return AdversarialStyleLosses(
            generator: total, discriminator: discriminatorLoss, adversarial: adversarial, metrics: metrics)
    }
}
