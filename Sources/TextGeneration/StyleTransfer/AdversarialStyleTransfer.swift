import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// How a style-transfer generator learns from a discriminator's verdict on its discrete outputs.
public enum GeneratorTraining: String, Codable, CaseIterable, Sendable {
    /// Straight-through Gumbel-softmax samples (Jang, Gu & Poole 2017) fed back as `y·E`, so the discriminator's
    /// gradient reaches the generator (Kusner & Hernández-Lobato 2016).
    case gumbel
    /// REINFORCE (Williams 1992) on sampled sentences with the discriminator's probability of "real" as the
    /// sentence reward and the batch mean as baseline (Yu et al. 2017 use the same estimator with rollouts).
    case policyGradient = "policy-gradient"
}

/// The losses of one training step of an ``AdversarialStyleTransferNetwork``.
public struct AdversarialStyleLosses {
    /// What the encoder–decoder (generator) minimizes.
    public var generator: Tensor
    /// What the discriminators minimize (nil: no discriminator update this step).
    public var discriminator: Tensor?
    /// The generator's adversarial term alone, before its weight (part of ``generator``).
    public var adversarial: Tensor?
    /// Scalar parts for the log (`reconstruction`, `adversarial`, `cycle`, …).
    public var metrics: [String: Double]
}

/// A style-transfer network built around a ``CrossAlignedAutoencoder`` generator (no hidden-state discriminators)
/// with its own discriminators and losses; ``AdversarialStyleTraining`` trains any of them, and transfer is the
/// autoencoder's greedy decoding `G(x, s → t)`.
public protocol AdversarialStyleTransferNetwork: ParameterContainer {
    /// The generator: encoder, style-conditioned decoder, embeddings.
    var autoencoder: CrossAlignedAutoencoder { get }
    /// The discriminators' parameters (possibly none).
    var discriminatorNamedParameters: [(name: String, parameter: Parameter)] { get }
    /// The losses of one batch of (sentence ids, style) at 0-based `step`.
    func losses(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, step: Int, using generator: inout RandomGenerator
    ) -> AdversarialStyleLosses
}

extension AdversarialStyleTransferNetwork {
    /// The generator's parameters, then the discriminators'.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        autoencoder.generatorNamedParameters.map { ("generator.\($0.name)", $0.parameter) }
            + discriminatorNamedParameters
    }
}

/// The weights of the extra losses of the adversarial methods (each 0 switches its term off).
public struct AdversarialStyleWeights: Codable, Equatable, Sendable {
    /// Weight of the adversarial term `ρ`.
    public var adversarial: Float
    /// Weight of cycle-consistency reconstruction `x → G(x, t) → G(·, s) ≈ x`.
    public var cycle: Float
    /// Weight of the plain reconstruction `G(x, s) ≈ x` (input/output consistency of the identity mapping).
    public var reconstruction: Float
    /// `common-space`: weight of semantic consistency `‖E(G(x, t)) − E(x)‖²`.
    public var semantic: Float
    /// `stargan`: weight of the discriminator's style-classification term on transferred sentences.
    public var classification: Float

    /// All terms on with weight 1.
    public init(
        adversarial: Float = 1, cycle: Float = 1, reconstruction: Float = 1, semantic: Float = 1,
        classification: Float = 1
    ) {
        self.adversarial = adversarial
        self.cycle = cycle
        self.reconstruction = reconstruction
        self.semantic = semantic
        self.classification = classification
    }
}

extension CrossAlignedAutoencoder {
    /// The content vectors of soft sentences: per-step distributions `steps[t] [B, V]` (row `b` has `lengths[b]`
    /// steps; later steps are zero), embedded as `p·E` and read reversed and left-padded like ``encode(_:styles:
    /// dropoutUsing:)``, so gradients reach whatever produced the distributions.
    public func encode(distributions steps: [Tensor], lengths: [Int], styles: [Int]) -> Tensor {
        encodeSource(distributions: steps, lengths: lengths, styles: styles).content
    }

    /// The content vectors of soft sentences and, with attention, the encoder states over them.
    public func encodeSource(distributions steps: [Tensor], lengths: [Int], styles: [Int])
        -> (content: Tensor, memory: SourceMemory?)
    {
        precondition(!steps.isEmpty && lengths.count == styles.count, "encode(distributions:): sizes disagree")
        let batch = styles.count
        let length = steps.count
        let reversed = Tensor.stack(steps.reversed(), axis: 0)  // [L, B, V]
        let inputs = reversed.reshaped([length * batch, configuration.vocabularySize]).matmul(embedding.weight.value)
            .reshaped([length, batch, configuration.embeddingSize])
        let step = encoder.sequenceStepper(inputs)
        var state = Tensor.concatenate(
            [encoderStyle(oneHot(styles)), Tensor.zeros([batch, configuration.contentSize])], axis: 1)
        var states: [Tensor] = []
        var masks: [[Float]] = []
        for t in 0..<length {
            let next = step(t, state)
            // Reversed step t is original step L − 1 − t: present when L − 1 − t < length of the row.
            let mask = lengths.map { Float(length - 1 - t < $0 ? 1 : 0) }
            state =
                mask.allSatisfy({ $0 == 1 })
                ? next : Tensor.where(Tensor(shape: [batch, 1], scalars: mask), next, state)
            if configuration.attention {
                states.append(state)
                masks.append(mask)
            }
        }
        let content = state.slice(axis: 1, range: configuration.styleSize..<configuration.hiddenSize)
        guard configuration.attention else { return (content, nil) }
        // Memory position t holds the reversed step t: the distributions themselves, batch-major [B, L, V].
        return (content, SourceMemory(states: states, present: masks, words: Tensor.stack(steps.reversed(), axis: 1)))
    }

    /// Gumbel-softmax decoding from `initial`: `lengths[b]` straight-through samples for row `b` (the last meant to
    /// be `</s>`; with attention and a `memory` the backward path is the copy mixture's probabilities rather than
    /// the tempered softmax), each step's sample embedded and fed back; returns `max(lengths)` distributions
    /// `[B, V]`, zero beyond a row's length. Recorded for gradients.
    public func gumbelDecode(
        initial: Tensor, memory: SourceMemory? = nil, lengths: [Int], vocabulary: Vocabulary, temperature: Float,
        using generator: inout RandomGenerator
    ) -> [Tensor] {
        let batch = initial.shape[0]
        let steps = max(1, lengths.max() ?? 1)
        var input = embedding(
            IndexTensor(shape: [batch], indices: Array(repeating: vocabulary.beginningIndex, count: batch)))
        var state = initial
        var outputs: [Tensor] = []
        for t in 0..<steps {
            state = decoder(input, state: state)
            var none: RandomGenerator? = nil
            let stepLogits = logits(state, memory: memory, dropoutUsing: &none)
            var sample = gumbelSoftmax(logits: stepLogits, temperature: temperature, hard: true, using: &generator)
            if configuration.attention, memory != nil {
                // Only with a source memory are `stepLogits` the copy mixture's log-probabilities; without one
                // (conditional generation from noise) they are raw logits, whose `exp` is unnormalized: its
                // gradients grow with the logits (the likely cause of NaN losses from the first adversarial step
                // of a conditional run on Yelp), so those take the ordinary straight-through path below.
                // The copy mixture is nearly one-hot once the decoder copies, so a tempered softmax of its logits
                // passes almost no gradient. Straight-through on the mixture's probabilities instead: the forward
                // value is the Gumbel sample, the backward path is ∂p, which reaches the copy gate undiminished.
                let probabilities = stepLogits.exp()
                sample = sample.detached() + probabilities - probabilities.detached()
            }
            let mask = lengths.map { Float(t < $0 ? 1 : 0) }
            if !mask.allSatisfy({ $0 == 1 }) { sample = sample * Tensor(shape: [batch, 1], scalars: mask) }
            outputs.append(sample)
            input = sample.matmul(embedding.weight.value)
        }
        return outputs
    }

    /// Sampled decoding without gradients: each row draws words from `softmax(logits)` until `</s>` or
    /// `maximumLength` words (the `</s>` is not included).
    public func sampleDecode(
        initial: Tensor, memory: SourceMemory? = nil, vocabulary: Vocabulary, maximumLength: Int,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        withoutGradients {
            let batch = initial.shape[0]
            var state = initial
            var current = [Int](repeating: vocabulary.beginningIndex, count: batch)
            var outputs = [[Int]](repeating: [], count: batch)
            var finished = [Bool](repeating: false, count: batch)
            let width = configuration.vocabularySize
            for _ in 0..<maximumLength {
                state = decoder(embedding(IndexTensor(shape: [batch], indices: current)), state: state)
                var none: RandomGenerator? = nil
                let probabilities = logits(state, memory: memory, dropoutUsing: &none).softmax(axis: -1).scalars
                for row in 0..<batch {
                    let chosen = vocabulary.drawWord(
                        from: probabilities[(row * width)..<((row + 1) * width)], using: &generator)
                    current[row] = chosen
                    if !finished[row] {
                        if chosen == vocabulary.endIndex { finished[row] = true } else { outputs[row].append(chosen) }
                    }
                }
                if !finished.contains(false) { break }
            }
            return outputs
        }
    }

    /// The teacher-forced cross entropy of `sentences` decoded from `initial`, summed over tokens and averaged over
    /// sentences.
    func reconstructionLoss(
        _ sentences: [[Int]], initial: Tensor, memory: SourceMemory? = nil, vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        let teacher = teacherForced(
            sentences, initial: initial, memory: memory, vocabulary: vocabulary, dropoutUsing: &generator)
        return crossEntropy(
            logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex, reduction: .sum)
            / Float(sentences.count)
    }

    /// Per-sentence negative log-likelihoods `[B]` of `sentences` (each followed by `</s>`) decoded from `initial`.
    func sentenceNegativeLogLikelihoods(
        _ sentences: [[Int]], initial: Tensor, memory: SourceMemory? = nil, vocabulary: Vocabulary
    ) -> Tensor {
        var none: RandomGenerator? = nil
        let teacher = teacherForced(
            sentences, initial: initial, memory: memory, vocabulary: vocabulary, dropoutUsing: &none)
        let batch = sentences.count
        let perToken = crossEntropy(
            logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex, reduction: .none)
        // Time-major [(L+1)·B] → [L+1, B] → sum over time.
        return perToken.reshaped([teacher.targets.count / batch, batch]).sum(axis: 0)
    }
}

/// Helpers shared by the adversarial methods.
enum AdversarialStyleParts {
    /// What every adversarial method computes first for a batch: the sentences (an empty one read as `<unk>`), their
    /// styles, a random other style for each, the encoder's content vectors, and the reconstruction loss of the
    /// sentences from their own style (dropout drawn from `generator`).
    struct Reconstruction {
        let sentences: [[Int]]
        let sources: [Int]
        let targets: [Int]
        let content: Tensor
        /// The encoder states an attentive decoder reads (nil without attention).
        let memory: SourceMemory?
        let loss: Tensor
    }

    /// The ``Reconstruction`` of `batch` under `model`.
    static func reconstruct(
        _ batch: [(ids: [Int], style: Int)], model: CrossAlignedAutoencoder, vocabulary: Vocabulary,
        using generator: inout RandomGenerator
    ) -> Reconstruction {
        let sentences = batch.map { $0.ids.isEmpty ? [vocabulary.unknownIndex] : $0.ids }
        let sources = batch.map(\.style)
        let targets = Self.targets(for: sources, styleCount: model.configuration.styleCount, using: &generator)
        var dropout: RandomGenerator? = generator
        let (content, memory) = model.encodeSource(sentences, styles: sources, dropoutUsing: &dropout)
        let loss = model.reconstructionLoss(
            sentences, initial: model.initialState(content: content, styles: sources), memory: memory,
            vocabulary: vocabulary, dropoutUsing: &dropout)
        if let dropout { generator = dropout }
        return Reconstruction(
            sentences: sentences, sources: sources, targets: targets, content: content, memory: memory, loss: loss)
    }

    /// A random target style different from each source.
    static func targets(for sources: [Int], styleCount: Int, using generator: inout RandomGenerator) -> [Int] {
        sources.map { source in
            styleCount == 2 ? 1 - source : (source + 1 + generator.nextInt(below: styleCount - 1)) % styleCount
        }
    }

    /// The sentence ids with `</s>` appended (what a discriminator reads of a real sentence).
    static func withEnd(_ sentences: [[Int]], vocabulary: Vocabulary) -> [[Int]] {
        sentences.map { $0 + [vocabulary.endIndex] }
    }

    /// Rows of a `[B, …]` tensor.
    static func rows(_ tensor: Tensor, _ rows: [Int]) -> Tensor {
        tensor.indexSelect(axis: 0, indices: IndexTensor(shape: [rows.count], indices: rows))
    }

    /// The column `columns[b]` of each row `b` of `[B, C]` logits, `[B]`.
    static func pick(_ logits: Tensor, columns: [Int]) -> Tensor {
        let classes = logits.shape[1]
        let mask = Tensor.oneHot(IndexTensor(shape: [columns.count], indices: columns), classes: classes)
        return (logits * mask).sum(axis: 1)
    }

    /// `binaryCrossEntropyWithLogits` against a constant label.
    static func binary(_ logits: Tensor, label: Float) -> Tensor {
        binaryCrossEntropyWithLogits(
            logits: logits, targets: Tensor(shape: logits.shape, scalars: Array(repeating: label, count: logits.count)))
    }

    /// A style discriminator over word sequences: a ``TextCNN`` (Kim 2014) with the generator's embedding width.
    static func textCNN(
        settings: CrossAlignedSettings, vocabulary: Vocabulary, classCount: Int, using generator: inout RandomGenerator
    ) -> TextCNN {
        TextCNN(
            TextCNN.Configuration(
                vocabularySize: vocabulary.count, classCount: classCount, embeddingSize: settings.embeddingSize,
                filterWidths: settings.filterWidths,
                filterCounts: Array(repeating: settings.filterCount, count: settings.filterWidths.count),
                dropout: settings.dropout, paddingIndex: vocabulary.paddingIndex),
            using: &generator)
    }
}

extension Vocabulary {
    /// One word drawn from a probability row by inverse transform: a single uniform draw walks the row's mass,
    /// skipping padding and the beginning token; the end token when the draw falls past the remaining mass.
    func drawWord(from probabilities: ArraySlice<Float>, using generator: inout RandomGenerator) -> Int {
        var threshold = generator.nextUnitFloat()
        for (column, probability) in zip(0..., probabilities)
        where column != paddingIndex && column != beginningIndex {
            threshold -= probability
            if threshold < 0 { return column }
        }
        return endIndex
    }
}
