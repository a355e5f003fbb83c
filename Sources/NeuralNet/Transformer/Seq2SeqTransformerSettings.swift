/// The Transformer-specific choices of a ``Seq2SeqExperiment`` run with architecture
/// ``Seq2SeqArchitecture/transformer`` (layer count and dropout are the run's shared ``Seq2SeqExperiment/Settings``
/// values): the encoder–decoder of Vaswani et al. 2017, "Attention Is All You Need", as
/// ``TransformerSeq2SeqModel`` builds it.
public struct Seq2SeqTransformerSettings: Sendable, Equatable, Codable {
    /// Model size D (embeddings, residual stream).
    public var modelSize: Int
    /// Attention heads h (dividing D).
    public var headCount: Int
    /// Inner size of the feed-forward blocks.
    public var feedForwardSize: Int
    /// How positions enter.
    public var positionalEncoding: PositionalEncodingKind
    /// Pre-norm (Xiong et al. 2020) or post-norm (Vaswani et al. 2017) layers.
    public var normPlacement: TransformerNormPlacement
    /// σ of the feed-forward blocks.
    public var activation: TransformerActivation
    /// Whether the output layer is the transposed target embedding (Press & Wolf 2017).
    public var tiesEmbeddings: Bool

    /// The layer count of a new Transformer run when none is given.
    public static let defaultLayerCount = 3

    /// Settings; the defaults are a small pre-norm model (D 128, 4 heads, feed-forward 4·D, sinusoidal positions,
    /// ReLU, tied output embedding), sized for SCAN-like data on a CPU.
    public init(
        modelSize: Int = 128, headCount: Int = 4, feedForwardSize: Int? = nil,
        positionalEncoding: PositionalEncodingKind = .sinusoidal, normPlacement: TransformerNormPlacement = .preNorm,
        activation: TransformerActivation = .relu, tiesEmbeddings: Bool = true
    ) {
        self.modelSize = modelSize
        self.headCount = headCount
        self.feedForwardSize = feedForwardSize ?? 4 * modelSize
        self.positionalEncoding = positionalEncoding
        self.normPlacement = normPlacement
        self.activation = activation
        self.tiesEmbeddings = tiesEmbeddings
    }

    /// The model configuration for these settings, `layerCount` encoder and as many decoder layers, and the
    /// given vocabulary sizes; positions up to `maximumLength` (learned tables).
    public func configuration(
        sourceVocabularySize: Int, targetVocabularySize: Int, layerCount: Int, dropout: Float, maximumLength: Int
    ) -> TransformerSeq2SeqConfiguration {
        TransformerSeq2SeqConfiguration(
            sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize,
            modelSize: modelSize, headCount: headCount, feedForwardSize: feedForwardSize,
            encoderLayerCount: layerCount, decoderLayerCount: layerCount, dropout: dropout, activation: activation,
            normPlacement: normPlacement, positionalEncoding: positionalEncoding, maximumLength: maximumLength,
            tiesEmbeddings: tiesEmbeddings)
    }

    /// A description of what is wrong with these sizes (non-positive, or D not divisible by h), or `nil`.
    public var problem: String? {
        if modelSize <= 0 { return "the model size must be positive, got \(modelSize)" }
        if headCount <= 0 { return "the head count must be positive, got \(headCount)" }
        if feedForwardSize <= 0 { return "the feed-forward size must be positive, got \(feedForwardSize)" }
        if modelSize % headCount != 0 {
            return "the model size \(modelSize) is not divisible by the head count \(headCount)"
        }
        if positionalEncoding == .rotary, (modelSize / headCount) % 2 != 0 {
            return "rotary positions need an even head size, got \(modelSize / headCount)"
        }
        return nil
    }
}
