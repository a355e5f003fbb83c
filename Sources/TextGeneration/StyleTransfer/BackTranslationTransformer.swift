import Autodiff
import Corpus
import Foundation
import NeuralNet

/// The style-conditioned Transformer encoder–decoder of `train style-transfer --method back-translation --arch
/// transformer`: the network of `train seq2seq --arch transformer` (``TransformerSeq2SeqModel``, Vaswani et al. 2017)
/// with one shared vocabulary on both sides and the target style as the decoder's first input.
///
/// ```
/// encoder:  x₁ … xₙ                      (no style: the source style is not given, as in Lample et al. 2019)
/// decoder:  ⟨style t⟩ y₁ … y_m  →  y₁ … y_m </s>
/// ```
///
/// Lample, Subramanian, Smith, Denoyer, Ranzato & Boureau 2019 ("Multiple-attribute text rewriting", ICLR) start
/// their decoder from an embedding of the target attributes instead of `<s>`; here each style is one extra token of
/// the target vocabulary (ids `V … V + S − 1`, after the `V` words), read only at position 0 and never emitted
/// (greedy decoding excludes them, with `<pad>` and `<s>`). The GRU model of the same method
/// (``CrossAlignedAutoencoder``) instead puts the style into the decoder's initial state and gives the encoder the
/// source style; the training objective is the same (``CrossAlignedTraining/BackTranslation``).
///
/// Parameters: `transformer.source.…`, `transformer.encoder.…`, `transformer.target.…`, `transformer.decoder.…`
/// and the output layer, as ``TransformerSeq2SeqModel`` names them.
public struct BackTranslationTransformer: ParameterContainer {
    /// The encoder–decoder (source vocabulary `V`, target vocabulary `V + styleCount`).
    public let network: TransformerSeq2SeqModel
    /// Number of styles.
    public let styleCount: Int
    /// Words of our vocabulary, `V`.
    let vocabularySize: Int
    /// Our vocabulary's ids → the Transformer's (`<pad>` 0, `<bos>` 1, `<eos>` 2 there), a permutation of `0..<V`.
    let toTransformer: [Int]
    /// The inverse permutation.
    let fromTransformer: [Int]

    /// The largest sizes a model directory may ask for (a damaged manifest must not exhaust memory).
    static func problem(settings: DualRLTransformerSettings, vocabularySize: Int, styleCount: Int) -> String? {
        if vocabularySize < 5 { return "the vocabulary needs the 4 special tokens and at least one word" }
        if styleCount < 2 { return "at least two styles are needed" }
        if settings.layers < 1 { return "the Transformer needs at least one layer" }
        if let problem = settings.network.problem { return problem }
        let network = settings.network
        if settings.layers > 64 || styleCount > 1 << 16 || vocabularySize > 1 << 22 || network.modelSize > 1 << 14
            || network.feedForwardSize > 1 << 16
            || (vocabularySize + 16 * network.modelSize) * network.modelSize > 1 << 30
        {
            return "sizes are beyond what this model supports"
        }
        return nil
    }

    /// A model drawn from `generator` for `vocabulary` and `styleCount` styles; dropout `dropout` in training.
    ///
    /// - Precondition: `problem(settings:vocabularySize:styleCount:)` is nil and `dropout` is in `[0, 1)`.
    public init(
        settings: DualRLTransformerSettings, dropout: Float, vocabulary: Vocabulary, styleCount: Int,
        using generator: inout RandomGenerator
    ) {
        precondition(
            Self.problem(settings: settings, vocabularySize: vocabulary.count, styleCount: styleCount) == nil,
            "BackTranslationTransformer: invalid settings")
        vocabularySize = vocabulary.count
        self.styleCount = styleCount
        let configuration = settings.network.configuration(
            sourceVocabularySize: vocabulary.count, targetVocabularySize: vocabulary.count + styleCount,
            layerCount: settings.layers, dropout: dropout, maximumLength: 256)
        network = TransformerSeq2SeqModel(configuration, using: &generator)
        (toTransformer, fromTransformer) = vocabulary.transformerPermutation()
    }

    /// `transformer.…`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("transformer", network) }

    /// The target-vocabulary token of `style`, the decoder's first input.
    public func styleToken(_ style: Int) -> Int {
        precondition((0..<styleCount).contains(style), "BackTranslationTransformer: style \(style) out of range")
        return vocabularySize + style
    }

    /// Sentences in the Transformer's ids (an empty one read as `<unk>`).
    func transformerIDs(_ sentences: [[Int]], vocabulary: Vocabulary) -> [[Int]] {
        sentences.map { ($0.isEmpty ? [vocabulary.unknownIndex] : $0).map { toTransformer[$0] } }
    }

    /// `−log p(outputs | inputs, styles)` under teacher forcing, summed over tokens (`</s>` included) and averaged
    /// over the batch (the normalization of the GRU model's back-translation loss); dropout when `generator` is set.
    public func negativeLogLikelihood(
        outputs: [[Int]], inputs: [[Int]], styles: [Int], vocabulary: Vocabulary,
        dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        precondition(
            outputs.count == inputs.count && outputs.count == styles.count && !outputs.isEmpty,
            "BackTranslationTransformer: one input and one style per output")
        let encoding = network.encode(transformerIDs(inputs, vocabulary: vocabulary), dropoutUsing: &generator)
        let targets = outputs.map { $0.map { toTransformer[$0] } }
        let length = (targets.map(\.count).max() ?? 0) + 1
        var labels = [Int](repeating: SequenceVocabulary.padding, count: targets.count * length)
        for (b, sentence) in targets.enumerated() {
            for (t, token) in (sentence + [SequenceVocabulary.end]).enumerated() { labels[b * length + t] = token }
        }
        let decoderInputs = zip(targets, styles).map { [styleToken($1)] + $0 }
        let logits = network.logits(encoding: encoding, targetInputs: decoderInputs, dropoutUsing: &generator)
        return crossEntropy(
            logits: logits.reshaped([targets.count * length, network.configuration.targetVocabularySize]),
            targets: labels, ignoreIndex: SequenceVocabulary.padding, reduction: .sum) / Float(targets.count)
    }

    /// Greedy transfer of `sentences` (ids; an empty one is read as `<unk>`) into `targets` (one style each),
    /// stopping at `</s>` or after `maximumLength` words. No gradients.
    public func transfer(_ sentences: [[Int]], to targets: [Int], vocabulary: Vocabulary, maximumLength: Int)
        -> [[Int]]
    {
        precondition(sentences.count == targets.count, "BackTranslationTransformer.transfer: one style per sentence")
        guard !sentences.isEmpty else { return [] }
        let excluded = [SequenceVocabulary.padding, SequenceVocabulary.beginning] + (0..<styleCount).map(styleToken)
        return network.greedyDecode(
            transformerIDs(sentences, vocabulary: vocabulary), maxLength: max(1, maximumLength),
            startTokens: targets.map(styleToken), excluding: excluded
        ).map { $0.tokens.map { fromTransformer[$0] } }
    }

    /// The back-translation loss of one batch (Lample et al. 2019; the objective of
    /// ``CrossAlignedTraining/BackTranslation``): denoising `−log p(x | noise(x), s)` plus λ times back-translation
    /// `−log p(x | y', s)` with `y'` the current model's greedy transfer of `x` into another style (no gradient).
    func backTranslationLoss(
        batch: [(ids: [Int], style: Int)], vocabulary: Vocabulary, settings: CrossAlignedTraining.BackTranslation,
        using generator: inout RandomGenerator
    ) -> (total: Tensor, denoising: Tensor, backTranslation: Tensor) {
        let sentences = batch.map { $0.ids.isEmpty ? [vocabulary.unknownIndex] : $0.ids }
        let sources = batch.map(\.style)
        let targets = CrossAlignedTraining.otherStyles(of: sources, styleCount: styleCount, using: &generator)
        let noised = sentences.map { CrossAlignedTraining.noise($0, settings: settings, using: &generator) }
        let longest = sentences.map(\.count).max() ?? 1
        let transferred = transfer(sentences, to: targets, vocabulary: vocabulary, maximumLength: longest + 5)
            .map { $0.isEmpty ? [vocabulary.unknownIndex] : $0 }
        var dropout: RandomGenerator? = generator
        let denoising = negativeLogLikelihood(
            outputs: sentences, inputs: noised, styles: sources, vocabulary: vocabulary, dropoutUsing: &dropout)
        let backTranslation = negativeLogLikelihood(
            outputs: sentences, inputs: transferred, styles: sources, vocabulary: vocabulary, dropoutUsing: &dropout)
        if let dropout { generator = dropout }
        return (denoising + backTranslation * settings.weight, denoising, backTranslation)
    }
}

extension Vocabulary {
    /// Our ids → the ids of a ``TransformerSeq2SeqModel`` (`<pad>` 0, `<bos>` 1, `<eos>` 2 there, as
    /// ``SequenceVocabulary`` numbers them): a permutation of `0..<count` that swaps the three special tokens into
    /// place, and its inverse.
    func transformerPermutation() -> (forward: [Int], inverse: [Int]) {
        var permutation = Array(0..<count)
        let reserved = [
            (paddingIndex, SequenceVocabulary.padding), (beginningIndex, SequenceVocabulary.beginning),
            (endIndex, SequenceVocabulary.end),
        ]
        for (ours, theirs) in reserved {
            if let holder = permutation.firstIndex(of: theirs) { permutation.swapAt(ours, holder) }
        }
        var inverse = permutation
        for (ours, theirs) in permutation.enumerated() { inverse[theirs] = ours }
        return (permutation, inverse)
    }
}

/// Greedy transfer with a trained ``BackTranslationTransformer`` and its vocabulary.
public struct BackTranslationTransformerTransfer: StyleTransferSystem {
    /// The network.
    public let model: BackTranslationTransformer
    /// Its vocabulary.
    public let vocabulary: Vocabulary
    /// Longest output, in tokens.
    public let maximumLength: Int

    /// A transfer system.
    public init(model: BackTranslationTransformer, vocabulary: Vocabulary, maximumLength: Int) {
        self.model = model
        self.vocabulary = vocabulary
        self.maximumLength = maximumLength
    }

    /// Transfers `sentences` to `target` in batches of sentences of similar length (the source styles are not
    /// read: the encoder is style-free).
    public func transfer(_ sentences: [[String]], from sources: [Int], to target: Int) -> [[String]] {
        BatchedGreedyTransfer(vocabulary: vocabulary, maximumLength: maximumLength)(sentences) { ids, rows, limit in
            model.transfer(
                ids, to: Array(repeating: target, count: rows.count), vocabulary: vocabulary, maximumLength: limit)
        }
    }
}
