import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The settings of `--method dual-rl` (stored in the model directory with the other network settings).
public struct DualRLSettings: Codable, Equatable, Sendable {
    /// Pseudo-parallel pairs made per style (by ``pseudoPairSource``) for the warm start and the annealed MLE term.
    public var pseudoPairs: Int
    /// Adam's learning rate in the reinforcement-learning phase (Luo et al.'s code: 10⁻⁵ after 5 epochs of MLE; a
    /// shorter warm start needs a larger one).
    public var reinforcementLearningRate: Float
    /// Reinforcement steps after which the gap between pseudo-pair MLE updates grows by 10 % (Luo et al.'s annealing:
    /// the gap starts at 1 and is capped at 100); 0 switches the pseudo-pair term off after the warm start.
    public var annealSteps: Int
    /// The two direction models' network: nil for the attentive GRU encoder–decoder with copy, or a Transformer
    /// encoder–decoder (Vaswani et al. 2017; ``TransformerSeq2SeqModel``, as `train seq2seq --arch transformer`).
    public var transformer: DualRLTransformerSettings?
    /// How the content reward is measured (nil: ``DualRLContentReward/relative``).
    public var contentReward: DualRLContentReward?
    /// How the style reward is measured (nil: ``DualRLStyleReward/probability``).
    public var styleReward: DualRLStyleReward?
    /// What is subtracted from a sample's reward in REINFORCE (nil: ``DualRLBaseline/greedy``, self-critical).
    public var baseline: DualRLBaseline?
    /// The weight b of the content reward in the combined reward `(1 + b)·s·c / (s + b·c)` (nil: 1, the harmonic
    /// mean; Luo et al.'s code uses 0.25).
    public var contentWeight: Double?
    /// When true, the dual model also learns to restore each source from its *sampled* transfer, not only from the
    /// greedy one (nil: false).
    public var backTranslateSamples: Bool?
    /// The non-neural system whose transfers make the pseudo-parallel pairs (nil: ``DualRLPseudoPairSource/template``,
    /// the source of directories written before the choice existed).
    public var pseudoPairSource: DualRLPseudoPairSource?

    /// A warm start on 20,000 pairs per style, reinforcement at 10⁻⁴, annealing every 1,000 steps (Luo et al.'s),
    /// recurrent direction models unless `transformer` is given.
    public init(
        pseudoPairs: Int = 20_000, reinforcementLearningRate: Float = 1e-4, annealSteps: Int = 1_000,
        transformer: DualRLTransformerSettings? = nil, contentReward: DualRLContentReward? = nil,
        styleReward: DualRLStyleReward? = nil, baseline: DualRLBaseline? = nil, contentWeight: Double? = nil,
        backTranslateSamples: Bool? = nil, pseudoPairSource: DualRLPseudoPairSource? = nil
    ) {
        self.pseudoPairSource = pseudoPairSource
        self.contentReward = contentReward
        self.styleReward = styleReward
        self.baseline = baseline
        self.contentWeight = contentWeight
        self.backTranslateSamples = backTranslateSamples
        self.pseudoPairs = pseudoPairs
        self.reinforcementLearningRate = reinforcementLearningRate
        self.annealSteps = annealSteps
        self.transformer = transformer
    }

    /// The first invalid setting, or nil.
    public var problem: String? {
        if pseudoPairs < 1 { return "dual-rl needs at least one pseudo-parallel pair per style" }
        if !(reinforcementLearningRate > 0 && reinforcementLearningRate.isFinite) {
            return "the reinforcement learning rate must be positive"
        }
        if annealSteps < 0 { return "the annealing interval must be ≥ 0" }
        if let contentWeight, !(contentWeight > 0 && contentWeight.isFinite) {
            return "the content reward's weight must be positive"
        }
        if let transformer {
            if transformer.layers < 1 { return "the Transformer needs at least one layer" }
            if let problem = transformer.network.problem { return problem }
        }
        return nil
    }

    /// The gap between pseudo-pair MLE updates after `step` reinforcement steps: `min(100, ⌊1.1^(step / anneal)⌋)`
    /// (nil when the term is off).
    public func pseudoGap(afterReinforcementSteps step: Int) -> Int? {
        guard annealSteps > 0 else { return nil }
        let grown = Foundation.pow(1.1, Double(step) / Double(annealSteps))
        return max(1, Int(min(100, grown)))
    }
}

/// The non-neural system whose transfers of real sentences become ``DualRLStyleTransfer``'s pseudo-parallel pairs
/// (``DualRLPseudoPairs``). Luo et al. 2019 warm-start from a strong non-neural system's transfers; the warm start
/// then distils that system into the two direction models, in the back-translation direction (the system's transfer
/// is the input, the real sentence the output).
public enum DualRLPseudoPairSource: String, Codable, Sendable, CaseIterable {
    /// The template method (Li et al. 2018, TemplateBased): ``TemplateTransfer``.
    case template
    /// Marker editing with its default minimal-edit search (``MarkerEditTransfer`` with
    /// ``MarkerEditSettings/minimalEdits``, scored by the styles' trigram models, so the reward classifier does not
    /// steer the pairs).
    case markerEdit = "marker-edit"
}

/// How ``DualRLTraining`` measures the content reward of a transfer `y` of a source `x` with the dual model `g`.
public enum DualRLContentReward: String, Codable, Sendable, CaseIterable {
    /// `σ(log p_g(x | y') − log p_g(x | ŷ))` for a sample `y'` against the greedy transfer `ŷ`, whose own content
    /// reward is then σ(0) = 0.5 (the baseline inside the content term, as in Luo et al.'s code). Samples rarely
    /// restore the source better than the greedy transfer that `g` is trained on, so most advantages are negative.
    case relative
    /// `p_g(x | y)^(1/|x|)`, the dual model's mean per-token probability of restoring the source, for the sample
    /// and the greedy transfer alike, so the self-critical baseline is the same reward of the greedy transfer.
    case tokenProbability = "token-probability"
}

/// How ``DualRLTraining`` measures the style reward of a transfer.
public enum DualRLStyleReward: String, Codable, Sendable, CaseIterable {
    /// The classifier's probability of the target style.
    case probability
    /// 1 when the classifier's most probable style is the target, else 0 (Luo et al.'s released code).
    case binary
}

/// The baseline subtracted from each sample's reward in ``DualRLTraining``'s REINFORCE term.
public enum DualRLBaseline: String, Codable, Sendable, CaseIterable {
    /// The reward of the greedy transfer of the same source (self-critical sequence training, Rennie et al. 2017).
    case greedy
    /// The mean reward of the batch's samples.
    case batchMean = "batch-mean"
    /// None: every sample is reinforced in proportion to its (non-negative) reward, as in Luo et al.'s released code,
    /// whose only baseline is the greedy transfer's reconstruction inside the relative content reward.
    case none
}

/// The Transformer direction models of ``DualRLStyleTransfer``: the network settings of `train seq2seq --arch
/// transformer` and the number of encoder (and decoder) layers; dropout is the run's `--dropout`.
public struct DualRLTransformerSettings: Codable, Equatable, Sendable {
    /// Model size, heads, feed-forward size, positions, norm placement, activation, tied embeddings.
    public var network: Seq2SeqTransformerSettings
    /// Encoder layers (and as many decoder layers).
    public var layers: Int

    /// Settings.
    public init(network: Seq2SeqTransformerSettings = Seq2SeqTransformerSettings(), layers: Int = 2) {
        self.network = network
        self.layers = layers
    }
}

/// The dual reinforcement-learning framework of Luo, Li, Zhou, Yang, Chang, Sui & Sun 2019 ("A Dual Reinforcement
/// Learning Framework for Unsupervised Text Style Transfer", IJCAI): two sequence-to-sequence models — `f` from
/// style 0 to style 1 and `g` from style 1 to style 0, each an attentive encoder–decoder with a copy mechanism
/// (``CrossAlignedAutoencoder`` with attention, no discriminators) — transfer directly, without separating content
/// from style.
///
/// With ``DualRLSettings/transformer`` the two models are Transformer encoder–decoders (``TransformerSeq2SeqModel``,
/// the model of `train seq2seq --arch transformer`; no copy mechanism, shared source and target vocabulary).
///
/// Training (``DualRLTraining``) first warm-starts both on pseudo-parallel pairs made by the template method
/// (Li et al. 2018) or marker editing (``DualRLSettings/pseudoPairSource``) — the system's transfer of a real sentence
/// is the *input*, the real sentence the output, as Luo et al. recommend — then, for a real sentence `x` of style `s`
/// and the model `f` into the other style `t`:
///
/// ```
/// y' ~ f(· | x)  (a sample),  ŷ = greedy f(x)
/// R_style   = P_cls(t | y')                                    (the pretrained TextCNN classifier)
/// R_content = σ(log p_g(x | y') − log p_g(x | ŷ))              (the dual model reconstructs the source; or
///             p_g(x | y')^(1/|x|) with ``DualRLContentReward/tokenProbability``)
/// R = 2·R_style·R_content / (R_style + R_content)              (harmonic mean)
/// L_f = −(R(y') − R(ŷ)) · log p_f(y' | x)                       (REINFORCE, self-critical baseline)
/// L_g = −log p_g(x | ŷ)                                         (dual back-translation MLE, Luo et al.'s code)
/// ```
///
/// These are the defaults. ``DualRLSettings`` records the alternatives: a binary style reward
/// (``DualRLStyleReward/binary``), the content-weighted F-score `(1 + b)·s·c / (s + b·c)` instead of the harmonic
/// mean (``DualRLSettings/contentWeight``), the batch-mean baseline or none (``DualRLBaseline``), and
/// back-translation on samples as well (``DualRLSettings/backTranslateSamples``). Luo et al.'s released code uses the
/// binary style reward, b = 0.25 and no baseline outside the content reward, so every sample is reinforced in
/// proportion to its non-negative reward and a copied (unflipped) sample gets almost none.
///
/// plus MLE of `f` on pseudo pairs every `gap` steps, the gap growing as training goes on (annealed teacher
/// forcing). Both directions are trained at every step.
public struct DualRLStyleTransfer: ParameterContainer {
    /// `models[t]` transfers sentences of the other style into style `t` (empty with Transformers).
    public let models: [CrossAlignedAutoencoder]
    /// `transformers[t]`, the same with Transformer encoder–decoders (empty with the recurrent models).
    public let transformers: [TransformerSeq2SeqModel]
    /// Our vocabulary's ids → the Transformer's (`<pad>` 0, `<bos>` 1, `<eos>` 2 there), a permutation.
    let toTransformer: [Int]
    /// The inverse permutation.
    let fromTransformer: [Int]

    /// Two models drawn from `generator`: attentive copy models of the settings' sizes (attention is always on), or
    /// Transformers when ``DualRLSettings/transformer`` is set.
    ///
    /// - Precondition: the settings give a valid configuration.
    public init(settings: CrossAlignedSettings, vocabulary: Vocabulary, using generator: inout RandomGenerator) {
        if let transformer = settings.dualRL?.transformer {
            let configuration = transformer.network.configuration(
                sourceVocabularySize: vocabulary.count, targetVocabularySize: vocabulary.count,
                layerCount: transformer.layers, dropout: settings.dropout, maximumLength: 256)
            models = []
            transformers = (0..<2).map { _ in TransformerSeq2SeqModel(configuration, using: &generator) }
        } else {
            var configuration = settings.configuration(vocabulary: vocabulary, styleCount: 2, discriminators: false)
            configuration.attention = true
            models = (0..<2).map { _ in CrossAlignedAutoencoder(configuration, using: &generator) }
            transformers = []
        }
        (toTransformer, fromTransformer) = vocabulary.transformerPermutation()
    }

    /// `to0.…` (g) and `to1.…` (f).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        models.enumerated().flatMap { prefixed("to\($0)", $1) }
            + transformers.enumerated().flatMap { prefixed("to\($0)", $1) }
    }

    /// Sentences in the Transformer's ids (an empty one read as `<unk>`).
    func transformerIDs(_ sentences: [[Int]], vocabulary: Vocabulary) -> [[Int]] {
        sentences.map { ($0.isEmpty ? [vocabulary.unknownIndex] : $0).map { toTransformer[$0] } }
    }

    /// Encodes `sentences` (an empty one read as `<unk>`) of `style` for `models[target]`.
    func encode(
        _ sentences: [[Int]], style: Int, target: Int, vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> (initial: Tensor, memory: SourceMemory?) {
        let model = models[target]
        let inputs = sentences.map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
        let (content, memory) = model.encodeSource(
            inputs, styles: Array(repeating: style, count: inputs.count), dropoutUsing: &generator)
        return (model.initialState(content: content, styles: Array(repeating: target, count: inputs.count)), memory)
    }

    /// The teacher-forced negative log-likelihood of `outputs` given `inputs` under `models[target]`, per sentence
    /// `[B]` (summed over tokens, `</s>` included).
    func negativeLogLikelihoods(
        outputs: [[Int]], inputs: [[Int]], target: Int, vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        if !transformers.isEmpty {
            let model = transformers[target]
            let encoding = model.encode(transformerIDs(inputs, vocabulary: vocabulary), dropoutUsing: &generator)
            let targets = outputs.map { $0.map { toTransformer[$0] } }
            let length = targets.map(\.count).max().map { $0 + 1 } ?? 1
            var labels = [Int](repeating: SequenceVocabulary.padding, count: targets.count * length)
            for (b, sentence) in targets.enumerated() {
                for (t, token) in (sentence + [SequenceVocabulary.end]).enumerated() { labels[b * length + t] = token }
            }
            let logits = model.logits(
                encoding: encoding, targetInputs: targets.map { [SequenceVocabulary.beginning] + $0 },
                dropoutUsing: &generator)
            let perToken = crossEntropy(
                logits: logits.reshaped([targets.count * length, vocabulary.count]), targets: labels,
                ignoreIndex: SequenceVocabulary.padding, reduction: .none)
            return perToken.reshaped([targets.count, length]).sum(axis: 1)
        }
        let (initial, memory) = encode(
            inputs, style: 1 - target, target: target, vocabulary: vocabulary, dropoutUsing: &generator)
        let teacher = models[target].teacherForced(
            outputs, initial: initial, memory: memory, vocabulary: vocabulary, dropoutUsing: &generator)
        let perToken = crossEntropy(
            logits: teacher.logits, targets: teacher.targets, ignoreIndex: vocabulary.paddingIndex, reduction: .none)
        return perToken.reshaped([teacher.targets.count / outputs.count, outputs.count]).sum(axis: 0)
    }

    /// Greedy transfer of `sentences` (ids) into style `target` (from the other style).
    public func transfer(_ sentences: [[Int]], to target: Int, vocabulary: Vocabulary, maximumLength: Int) -> [[Int]] {
        if !transformers.isEmpty {
            return transformers[target].greedyDecode(
                transformerIDs(sentences, vocabulary: vocabulary), maxLength: max(1, maximumLength)
            ).map { $0.tokens.map { fromTransformer[$0] } }
        }
        return models[target].transfer(
            sentences.map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 },
            from: Array(repeating: 1 - target, count: sentences.count),
            to: Array(repeating: target, count: sentences.count), vocabulary: vocabulary, maximumLength: maximumLength)
    }

    /// Sampled transfers (no gradients): words drawn from the model's distribution until `</s>`.
    public func sample(
        _ sentences: [[Int]], to target: Int, vocabulary: Vocabulary, maximumLength: Int,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        if !transformers.isEmpty {
            return sampleTransformer(
                sentences, to: target, vocabulary: vocabulary, maximumLength: maximumLength, using: &generator)
        }
        let (initial, memory) = withoutGradients {
            var none: RandomGenerator? = nil
            return encode(sentences, style: 1 - target, target: target, vocabulary: vocabulary, dropoutUsing: &none)
        }
        return models[target].sampleDecode(
            initial: initial, memory: memory, vocabulary: vocabulary, maximumLength: maximumLength, using: &generator)
    }
}

extension DualRLStyleTransfer {
    /// Sampling from a Transformer direction model with its key/value cache; `<pad>` and `<bos>` are never drawn.
    func sampleTransformer(
        _ sentences: [[Int]], to target: Int, vocabulary: Vocabulary, maximumLength: Int,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        let model = transformers[target]
        return withoutGradients {
            let batch = sentences.count
            let encoding = model.encode(transformerIDs(sentences, vocabulary: vocabulary))
            var states = model.initialStates(for: encoding)
            var previous = [Int](repeating: SequenceVocabulary.beginning, count: batch)
            var outputs = [[Int]](repeating: [], count: batch)
            var finished = [Bool](repeating: false, count: batch)
            var mask = [Float](repeating: 0, count: vocabulary.count)
            mask[SequenceVocabulary.padding] = -1e9
            mask[SequenceVocabulary.beginning] = -1e9
            let forbidden = Tensor(shape: [1, vocabulary.count], scalars: mask)
            for _ in 0..<max(1, maximumLength) where finished.contains(false) {
                let step = model.decodeStep(previousTokens: previous, states: states, encoding: encoding)
                states = step.states
                let drawn = sampleCategorical(logits: step.logits + forbidden, using: &generator)
                for b in 0..<batch where !finished[b] {
                    previous[b] = drawn[b]
                    if drawn[b] == SequenceVocabulary.end {
                        finished[b] = true
                    } else {
                        outputs[b].append(fromTransformer[drawn[b]])
                    }
                }
            }
            return outputs
        }
    }
}

/// Greedy transfer with a trained ``DualRLStyleTransfer``.
public struct DualRLTransfer: StyleTransferSystem {
    /// The two models.
    public let network: DualRLStyleTransfer
    /// Their vocabulary.
    public let vocabulary: Vocabulary
    /// Longest output, in tokens.
    public let maximumLength: Int

    /// A transfer system.
    public init(network: DualRLStyleTransfer, vocabulary: Vocabulary, maximumLength: Int) {
        self.network = network
        self.vocabulary = vocabulary
        self.maximumLength = maximumLength
    }

    /// Sentences already of the target style are returned as they are; the others go through the model into
    /// `target`, in batches of similar length.
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
        BatchedGreedyTransfer(vocabulary: vocabulary, maximumLength: maximumLength)(
            sentences, rows: sentences.indices.filter { sources[$0] != target }
        ) { ids, _, limit in
            network.transfer(ids, to: target, vocabulary: vocabulary, maximumLength: limit)
        }
    }
}

/// Pseudo-parallel pairs for ``DualRLStyleTransfer``'s warm start: for each style `t`, real sentences `y` of `t` with
/// their transfers into the other style by a non-neural system (``DualRLPseudoPairSource``) as inputs (`y'` → `y`,
/// Luo et al.'s recommended direction).
public struct DualRLPseudoPairs: Sendable, Equatable {
    /// `pairs[t]`: (input in the other style, real output of style `t`).
    public var pairs: [[(input: [String], output: [String])]]

    /// Equal when every pair is.
    public static func == (lhs: DualRLPseudoPairs, rhs: DualRLPseudoPairs) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { a, b in
                a.count == b.count && zip(a, b).allSatisfy { $0.input == $1.input && $0.output == $1.output }
            }
    }

    /// Pairs from up to `perStyle` sentences of each style of `corpus` (a seeded sample), transferred by
    /// `template`; pairs whose template transfer left the sentence unchanged are dropped.
    public init(corpus: StyleCorpus, template: TemplateTransfer, perStyle: Int, seed: UInt64) {
        self.init(corpus: corpus, perStyle: perStyle, seed: seed) { template.transfer($0, from: $1, to: $2) }
    }

    /// Pairs from up to `perStyle` sentences of each style of `corpus` (a seeded sample, the same sentences whatever
    /// the system), each transferred into the other style by `transfer(sentence, source, target)`; pairs whose
    /// transfer is empty or left the sentence unchanged are dropped.
    public init(
        corpus: StyleCorpus, perStyle: Int, seed: UInt64,
        transfer: (_ sentence: [String], _ source: Int, _ target: Int) -> [String]
    ) {
        precondition(corpus.styles.count == 2, "DualRLPseudoPairs: two styles")
        var generator = SplitMix64(seed: seed ^ 0xD0A1_5EED)
        pairs = corpus.sentences.enumerated().map { style, sentences in
            var order = Array(sentences.indices)
            generator.shuffle(&order)
            return order.prefix(perStyle).compactMap { index in
                let real = sentences[index]
                let pseudo = transfer(real, style, 1 - style)
                return pseudo == real || pseudo.isEmpty ? nil : (pseudo, real)
            }
        }
    }

    /// Pairs as given.
    public init(pairs: [[(input: [String], output: [String])]]) { self.pairs = pairs }

    /// The file of style `name`'s pairs in a model directory.
    static func file(_ name: String) -> String { "pseudo-pairs-\(name).tsv" }

    /// Writes one `input<TAB>output` line per pair and style.
    func save(to directory: ModelDirectory, styles: [String]) throws {
        for (style, name) in styles.enumerated() {
            try AtomicFile.write(
                pairs[style].map { $0.input.joined(separator: " ") + "\t" + $0.output.joined(separator: " ") + "\n" }
                    .joined(),
                to: directory.file(Self.file(name)))
        }
    }

    /// Reads the files written by `save`.
    ///
    /// - Throws: ``ModelDirectoryError`` naming the file and line of a malformed pair.
    static func load(from directory: ModelDirectory, styles: [String]) throws -> DualRLPseudoPairs {
        let pairs = try styles.map { name in
            let path = directory.file(file(name)).path
            let lines = try TextScoring.TextFile(contentsOf: path).lines
            return try lines.enumerated().map { number, line -> (input: [String], output: [String]) in
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw ModelDirectoryError(path: "\(path):\(number + 1)", "expected input<TAB>output")
                }
                return (
                    parts[0].split(separator: " ").map(String.init), parts[1].split(separator: " ").map(String.init)
                )
            }
        }
        return DualRLPseudoPairs(pairs: pairs)
    }
}

/// Trains a ``DualRLStyleTransfer``: MLE on pseudo pairs for `pretrainingSteps`, then dual reinforcement learning;
/// resumable from the model directory's training state, keep-best by the validation score.
public enum DualRLTraining {
    /// The rewards of one direction's batch, for inspection and tests.
    public struct Rewards: Sendable {
        /// Classifier probability of the target style, per sample.
        public var style: [Double]
        /// σ(log p_g(x | sample) − log p_g(x | greedy)), per sample.
        public var content: [Double]
        /// The combined reward of the two (by default their harmonic mean), per sample.
        public var total: [Double]
        /// The baseline subtracted from each sample's reward (by default the greedy transfer's reward).
        public var baseline: [Double]
        /// The sampled transfers (ids).
        public var samples: [[Int]] = []
        /// The greedy transfers (ids).
        public var greedy: [[Int]] = []
    }

    /// The harmonic mean of a style and a content reward (0 when both are 0).
    public static func harmonicMean(_ style: Double, _ content: Double) -> Double {
        style + content > 0 ? 2 * style * content / (style + content) : 0
    }

    /// The combined reward `(1 + b)·s·c / (s + b·c)` of style reward `s` and content reward `c` with content weight
    /// `b` (an F-score; b = 1 is the harmonic mean, Luo et al.'s code takes b = 0.25); 0 when the denominator is 0.
    public static func combinedReward(_ style: Double, _ content: Double, contentWeight b: Double) -> Double {
        style + b * content > 0 ? (1 + b) * style * content / (style + b * content) : 0
    }

    /// The losses of one reinforcement direction: real sentences `sources` of style `1 − target` transferred by
    /// `models[target]`, scored by `styleProbability` (the target style's probability of each transfer).
    static func reinforcementLoss(
        network: DualRLStyleTransfer, sources: [[Int]], target: Int, vocabulary: Vocabulary, maximumLength: Int,
        styleProbability: ([[Int]]) -> [Double], contentReward: DualRLContentReward = .relative,
        styleReward: DualRLStyleReward = .probability, baselineKind: DualRLBaseline = .greedy,
        contentWeight: Double = 1, backTranslateSamples: Bool = false, using generator: inout RandomGenerator
    ) -> (policy: Tensor, backTranslation: Tensor, rewards: Rewards) {
        let source = 1 - target
        let inputs = sources.map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
        let longest = inputs.map(\.count).max() ?? 1
        let limit = min(maximumLength, longest + 5)
        let greedy = network.transfer(inputs, to: target, vocabulary: vocabulary, maximumLength: limit)
        let samples = network.sample(
            inputs, to: target, vocabulary: vocabulary, maximumLength: limit, using: &generator)
        func measureStyle(_ transfers: [[Int]]) -> [Double] {
            let probabilities = styleProbability(transfers)
            return styleReward == .binary ? probabilities.map { $0 > 0.5 ? 1 : 0 } : probabilities
        }
        let styleSample = measureStyle(samples)
        let styleGreedy = measureStyle(greedy)
        let reconstruction: (sample: [Float], greedy: [Float]) = withoutGradients {
            var none: RandomGenerator? = nil
            let sample = network.negativeLogLikelihoods(
                outputs: inputs, inputs: samples, target: source, vocabulary: vocabulary, dropoutUsing: &none)
            let greedyNLL = network.negativeLogLikelihoods(
                outputs: inputs, inputs: greedy, target: source, vocabulary: vocabulary, dropoutUsing: &none)
            return (sample.scalars, greedyNLL.scalars)
        }
        var rewards = Rewards(
            style: styleSample, content: [], total: [], baseline: [], samples: samples, greedy: greedy)
        for row in inputs.indices {
            let content: Double
            let greedyContent: Double
            switch contentReward {
            case .relative:
                let gain = Double(reconstruction.greedy[row] - reconstruction.sample[row])
                content = 1 / (1 + Foundation.exp(-gain))
                greedyContent = 0.5
            case .tokenProbability:
                // |x| tokens and </s>.
                let tokens = Double(inputs[row].count + 1)
                content = Foundation.exp(-Double(reconstruction.sample[row]) / tokens)
                greedyContent = Foundation.exp(-Double(reconstruction.greedy[row]) / tokens)
            }
            rewards.content.append(content)
            rewards.total.append(combinedReward(styleSample[row], content, contentWeight: contentWeight))
            rewards.baseline.append(combinedReward(styleGreedy[row], greedyContent, contentWeight: contentWeight))
        }
        switch baselineKind {
        case .greedy: break
        case .batchMean:
            let mean = rewards.total.reduce(0, +) / Double(max(1, rewards.total.count))
            rewards.baseline = rewards.total.map { _ in mean }
        case .none: rewards.baseline = rewards.total.map { _ in 0 }
        }
        // REINFORCE on the samples, the baseline subtracted.
        var none: RandomGenerator? = nil
        let negativeLogLikelihoods = network.negativeLogLikelihoods(
            outputs: samples, inputs: inputs, target: target, vocabulary: vocabulary, dropoutUsing: &none)
        let advantages = Tensor(
            shape: [inputs.count], scalars: inputs.indices.map { Float(rewards.total[$0] - rewards.baseline[$0]) })
        let policy = (negativeLogLikelihoods * advantages).sum() / Float(inputs.count)
        // The dual model learns to restore the sources from the greedy transfers (back-translation MLE), and from
        // the samples too when asked.
        var dropout: RandomGenerator? = generator
        let backInputs = backTranslateSamples ? greedy + samples : greedy
        let backOutputs = backTranslateSamples ? inputs + inputs : inputs
        let backTranslation =
            network.negativeLogLikelihoods(
                outputs: backOutputs, inputs: backInputs, target: source, vocabulary: vocabulary,
                dropoutUsing: &dropout
            ).sum() / Float(backInputs.count)
        if let dropout { generator = dropout }
        return (policy, backTranslation, rewards)
    }

    /// The MLE loss of `models[target]` on pseudo pairs (ids), averaged over pairs.
    static func pseudoLoss(
        network: DualRLStyleTransfer, pairs: [(input: [Int], output: [Int])], target: Int, vocabulary: Vocabulary,
        using generator: inout RandomGenerator
    ) -> Tensor {
        var dropout: RandomGenerator? = generator
        let loss =
            network.negativeLogLikelihoods(
                outputs: pairs.map(\.output), inputs: pairs.map(\.input), target: target, vocabulary: vocabulary,
                dropoutUsing: &dropout
            ).sum() / Float(pairs.count)
        if let dropout { generator = dropout }
        return loss
    }

    /// Trains `network` on real sentences (ids per style) and pseudo pairs (ids per target style), continuing the run
    /// saved in `directory` when there is one.
    ///
    /// - Parameters:
    ///   - styleProbabilities: the classifier's probability of style `target` for each transfer (the style reward).
    ///   - validate: called every `evaluationInterval` steps and at the end; its `score` selects the kept weights.
    /// - Throws: errors of the training state and the metrics file.
    public static func run(
        network: DualRLStyleTransfer, sentences: [[[Int]]], pseudoPairs: [[(input: [Int], output: [Int])]],
        vocabulary: Vocabulary, options: CrossAlignedTraining.Options, settings: DualRLSettings, maximumLength: Int,
        styleProbabilities: @escaping (_ sentences: [[Int]], _ target: Int) -> [Double], directory: ModelDirectory,
        timeLimit: Double? = nil, metricsURL: URL? = nil,
        validate: ((DualRLStyleTransfer) throws -> [String: Double])? = nil, log: ((String) -> Void)? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> CrossAlignedTraining.Summary {
        precondition(options.problem == nil && settings.problem == nil, "DualRLTraining: invalid settings")
        precondition(
            sentences.count == 2 && pseudoPairs.count == 2 && sentences.allSatisfy({ !$0.isEmpty })
                && pseudoPairs.allSatisfy({ !$0.isEmpty }),
            "DualRLTraining: sentences and pseudo pairs for two styles")
        let parameters = network.namedParameters.map(\.parameter)
        let warmOptimizer = Adam(parameters, learningRate: options.learningRate)
        let reinforceOptimizer = Adam(parameters, learningRate: settings.reinforcementLearningRate)
        let pretraining = options.pretrainingSteps ?? options.steps / 2
        let driver = StyleTrainingDriver(
            model: network, optimizers: [("warm", warmOptimizer), ("reinforce", reinforceOptimizer)],
            options: options, stepsPerEpoch: nil, directory: directory, timeLimit: timeLimit, metricsURL: metricsURL,
            validate: validate.map { validate in { try validate(network) } }, log: log)
        let perStyle = max(1, options.batchSize / 2)
        func draw<T>(_ list: [T], using random: inout RandomGenerator) -> [T] {
            (0..<perStyle).map { _ in list[random.nextInt(below: list.count)] }
        }
        return try driver.run(shouldStop: shouldStop) { context in
            // The terms of the step's loss, summed in this order.
            var terms: [Tensor] = []
            var parts: [String: Double] = [:]
            let optimizer: Adam
            if context.index < pretraining {
                let losses = (0..<2).map { target in
                    let pairs = draw(pseudoPairs[target], using: &context.generator)
                    return pseudoLoss(
                        network: network, pairs: pairs, target: target, vocabulary: vocabulary,
                        using: &context.generator)
                }
                terms.append(losses[0] + losses[1])
                parts["pseudo_mle"] = Double((losses[0] + losses[1]).item) / 2
                optimizer = warmOptimizer
            } else {
                let reinforcementStep = context.index - pretraining
                let gap = settings.pseudoGap(afterReinforcementSteps: reinforcementStep)
                for target in 0..<2 {
                    let sources = draw(sentences[1 - target], using: &context.generator)
                    let direction = reinforcementLoss(
                        network: network, sources: sources, target: target, vocabulary: vocabulary,
                        maximumLength: maximumLength,
                        styleProbability: { styleProbabilities($0, target) },
                        contentReward: settings.contentReward ?? .relative,
                        styleReward: settings.styleReward ?? .probability, baselineKind: settings.baseline ?? .greedy,
                        contentWeight: settings.contentWeight ?? 1,
                        backTranslateSamples: settings.backTranslateSamples ?? false, using: &context.generator)
                    terms.append(direction.policy + direction.backTranslation)
                    let count = Double(direction.rewards.total.count)
                    parts["reward", default: 0] += direction.rewards.total.reduce(0, +) / count / 2
                    parts["style_reward", default: 0] += direction.rewards.style.reduce(0, +) / count / 2
                    parts["content_reward", default: 0] += direction.rewards.content.reduce(0, +) / count / 2
                    parts["back_translation", default: 0] += Double(direction.backTranslation.item) / 2
                    if let gap, reinforcementStep % gap == 0 {
                        let pairs = draw(pseudoPairs[target], using: &context.generator)
                        let pseudo = pseudoLoss(
                            network: network, pairs: pairs, target: target, vocabulary: vocabulary,
                            using: &context.generator)
                        terms.append(pseudo)
                        parts["pseudo_mle", default: 0] += Double(pseudo.item) / 2
                    }
                }
                optimizer = reinforceOptimizer
            }
            let loss = terms.dropFirst().reduce(terms[0], +)
            var grads = gradients(of: loss, wrt: parameters.map(\.value))
            if options.maxGradientNorm > 0 { grads = clipByGlobalNorm(grads, maxNorm: options.maxGradientNorm).clipped }
            optimizer.step(grads)
            return parts
        }
    }
}
