import Autodiff

/// The sizes and choices of a ``TransformerSeq2SeqModel``.
public struct TransformerSeq2SeqConfiguration: Sendable, Equatable, Codable {
    /// Number of source symbols (index 0 padding).
    public var sourceVocabularySize: Int
    /// Number of target symbols, reserved ones included (0 padding, 1 `<bos>`, 2 `<eos>`).
    public var targetVocabularySize: Int
    /// Layer sizes and choices (shared by encoder and decoder).
    public var layer: TransformerLayerConfiguration
    /// Number of encoder layers.
    public var encoderLayerCount: Int
    /// Number of decoder layers.
    public var decoderLayerCount: Int
    /// How positions enter.
    public var positionalEncoding: PositionalEncodingKind
    /// Rows of learned position tables (longer inputs reuse the last row).
    public var maximumLength: Int
    /// Whether the output layer is the transposed target embedding (plus a bias), Press & Wolf 2017.
    public var tiesEmbeddings: Bool

    /// A configuration; defaults follow the base model of Vaswani et al. scaled down, with pre-norm layers.
    public init(
        sourceVocabularySize: Int, targetVocabularySize: Int, modelSize: Int = 256, headCount: Int = 4,
        feedForwardSize: Int? = nil, encoderLayerCount: Int = 3, decoderLayerCount: Int = 3, dropout: Float = 0.1,
        activation: TransformerActivation = .relu, normPlacement: TransformerNormPlacement = .preNorm,
        positionalEncoding: PositionalEncodingKind = .sinusoidal, maximumLength: Int = 512, tiesEmbeddings: Bool = true
    ) {
        self.sourceVocabularySize = sourceVocabularySize
        self.targetVocabularySize = targetVocabularySize
        layer = TransformerLayerConfiguration(
            modelSize: modelSize, headCount: headCount, feedForwardSize: feedForwardSize, dropout: dropout,
            activation: activation, normPlacement: normPlacement)
        self.encoderLayerCount = encoderLayerCount
        self.decoderLayerCount = decoderLayerCount
        self.positionalEncoding = positionalEncoding
        self.maximumLength = maximumLength
        self.tiesEmbeddings = tiesEmbeddings
    }
}

/// An encoder's view of a batch of sources for a ``TransformerSeq2SeqModel``.
public struct TransformerEncoding {
    /// Encoder outputs `[B, Tₛ, D]`.
    public let memory: Tensor
    /// `[B, 1, Tₛ]`, nonzero at padded source positions, or `nil`.
    public let paddingMask: Tensor?
    /// Each decoder layer's projection of the memory into keys and values.
    public let memoryKeysValues: [AttentionKeysValues]

    /// Rows `rows` of every tensor (to repeat a source for each beam).
    public func selectingRows(_ rows: [Int]) -> TransformerEncoding {
        let indices = IndexTensor(rows)
        return TransformerEncoding(
            memory: memory.indexSelect(axis: 0, indices: indices),
            paddingMask: paddingMask?.indexSelect(axis: 0, indices: indices),
            memoryKeysValues: memoryKeysValues.map { $0.selectingRows(indices) })
    }
}

/// The decoder's key/value cache for incremental decoding: each layer's self-attention keys and values of the
/// positions decoded so far, so a step costs attention over the prefix instead of recomputing it.
public struct TransformerDecoderCache {
    /// Per layer, `nil` before the first step.
    public var layers: [AttentionKeysValues?]
    /// Number of positions decoded.
    public var position: Int

    /// An empty cache for `layerCount` layers.
    public init(layerCount: Int) {
        layers = Array(repeating: nil, count: layerCount)
        position = 0
    }

    /// Rows `rows` of the batch (beam search's reordering).
    public func selectingRows(_ rows: IndexTensor) -> TransformerDecoderCache {
        var result = self
        result.layers = layers.map { $0?.selectingRows(rows) }
        return result
    }
}

/// A Transformer encoder–decoder for sequence-to-sequence transduction (Vaswani et al. 2017, "Attention Is All
/// You Need"), with the interface of ``Seq2SeqModel``: ``encode(_:)``, ``decodeStep(previousTokens:states:encoding:)``
/// with a key/value cache as the state, teacher-forced ``loss(sources:targets:using:)``, ``greedyDecode(_:maxLength:)``
/// and ``beamSearch(_:width:maxLength:lengthPenalty:)``.
///
/// Tokens as in ``Seq2SeqModel``: 0 padding on both sides, the decoder reads `<bos>` (1) and is trained to end with
/// `<eos>` (2). Parameters: `source.embedding.weight`, `source.positions.weight` (learned positions),
/// `encoder.layer0.selfAttention.query.weight`, …, `encoder.norm.*` (pre-norm), `target.embedding.weight`,
/// `decoder.layer0.crossAttention.…`, `decoder.norm.*`, and `output.weight`/`output.bias` or, tied, `outputBias`.
public struct TransformerSeq2SeqModel: ParameterContainer {
    /// Sizes and choices.
    public let configuration: TransformerSeq2SeqConfiguration
    /// Source tokens and positions.
    public let sourceInput: TransformerTokenInput
    /// Target tokens and positions.
    public let targetInput: TransformerTokenInput
    /// Encoder layers.
    public let encoderLayers: [TransformerEncoderLayer]
    /// Final encoder norm (pre-norm only).
    public let encoderNorm: LayerNorm?
    /// Decoder layers.
    public let decoderLayers: [TransformerDecoderLayer]
    /// Final decoder norm (pre-norm only).
    public let decoderNorm: LayerNorm?
    /// Untied output layer.
    public let output: Linear?
    /// Output bias of the tied output layer.
    public let outputBias: Parameter?
    /// Rotary position embedding, when chosen.
    public let rotary: RotaryPositionalEmbedding?

    /// A model drawn from `generator`.
    public init(_ configuration: TransformerSeq2SeqConfiguration, using generator: inout RandomGenerator) {
        let c = configuration
        c.layer.validate("TransformerSeq2SeqModel")
        precondition(
            c.sourceVocabularySize > 1 && c.targetVocabularySize > SequenceVocabulary.end && c.encoderLayerCount > 0
                && c.decoderLayerCount > 0 && c.maximumLength > 0,
            "TransformerSeq2SeqModel: invalid configuration \(c)")
        self.configuration = c
        let d = c.layer.modelSize
        sourceInput = TransformerTokenInput(
            vocabularySize: c.sourceVocabularySize, modelSize: d, kind: c.positionalEncoding,
            maximumLength: c.maximumLength, paddingIndex: SequenceVocabulary.padding, using: &generator)
        targetInput = TransformerTokenInput(
            vocabularySize: c.targetVocabularySize, modelSize: d, kind: c.positionalEncoding,
            maximumLength: c.maximumLength, paddingIndex: SequenceVocabulary.padding, using: &generator)
        encoderLayers = (0..<c.encoderLayerCount).map { _ in TransformerEncoderLayer(c.layer, using: &generator) }
        decoderLayers = (0..<c.decoderLayerCount).map { _ in TransformerDecoderLayer(c.layer, using: &generator) }
        let preNorm = c.layer.normPlacement == .preNorm
        encoderNorm = preNorm ? LayerNorm([d], epsilon: c.layer.layerNormEpsilon) : nil
        decoderNorm = preNorm ? LayerNorm([d], epsilon: c.layer.layerNormEpsilon) : nil
        output = c.tiesEmbeddings ? nil : Linear(inputSize: d, outputSize: c.targetVocabularySize, using: &generator)
        outputBias = c.tiesEmbeddings ? Parameter(Tensor.zeros([c.targetVocabularySize])) : nil
        rotary =
            c.positionalEncoding == .rotary ? RotaryPositionalEmbedding(headSize: d / c.layer.headCount) : nil
    }

    /// All parameters by stable names (see the type's documentation).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = prefixed("source", sourceInput)
        for (i, layer) in encoderLayers.enumerated() { result += prefixed("encoder.layer\(i)", layer) }
        if let encoderNorm { result += prefixed("encoder.norm", encoderNorm) }
        result += prefixed("target", targetInput)
        for (i, layer) in decoderLayers.enumerated() { result += prefixed("decoder.layer\(i)", layer) }
        if let decoderNorm { result += prefixed("decoder.norm", decoderNorm) }
        if let output { result += prefixed("output", output) }
        if let outputBias { result.append((name: "outputBias", parameter: outputBias)) }
        return result
    }

    // MARK: - Encoder

    /// Encodes a batch of sources (token indices, each nonempty); dropout when `generator` is non-nil.
    public func encode(_ sources: [[Int]], dropoutUsing generator: inout RandomGenerator?) -> TransformerEncoding {
        precondition(
            !sources.isEmpty && sources.allSatisfy { !$0.isEmpty },
            "TransformerSeq2SeqModel.encode: needs at least one source and no empty source")
        let (tokens, lengths) = paddedBatch(sources, padding: SequenceVocabulary.padding)
        let mask = TransformerMask.padding(lengths: lengths, length: tokens.shape[1])
        var h = transformerDropout(sourceInput(tokens), configuration.layer.dropout, &generator)
        for layer in encoderLayers { h = layer(h, mask: mask, rotary: rotary, dropoutUsing: &generator) }
        if let encoderNorm { h = encoderNorm(h) }
        return TransformerEncoding(
            memory: h, paddingMask: mask, memoryKeysValues: decoderLayers.map { $0.memoryKeysValues(h) })
    }

    /// Encodes a batch of sources at inference.
    public func encode(_ sources: [[Int]]) -> TransformerEncoding {
        var none: RandomGenerator? = nil
        return encode(sources, dropoutUsing: &none)
    }

    // MARK: - Decoder

    /// Logits `[B·T, V]` (row `b·T + t`) of the target vocabulary; `hidden [B, T, D]`.
    func logits(_ hidden: Tensor) -> Tensor {
        var h = hidden
        if let decoderNorm { h = decoderNorm(h) }
        let flat = h.reshaped([h.shape[0] * h.shape[1], configuration.layer.modelSize])
        if let output { return output(flat) }
        return targetInput.tiedLogits(flat) + (outputBias?.value ?? Tensor.zeros([configuration.targetVocabularySize]))
    }

    /// Logits `[B, T, V]` for the decoder inputs `targetInputs` (each starting with `<bos>`) read all at once under
    /// a causal mask (teacher forcing); dropout when `generator` is non-nil.
    public func logits(
        encoding: TransformerEncoding, targetInputs: [[Int]], dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        let (tokens, _) = paddedBatch(targetInputs, padding: SequenceVocabulary.padding)
        let (batch, length) = (tokens.shape[0], tokens.shape[1])
        let causal = TransformerMask.causal(queryCount: length, keyCount: length)
        var h = transformerDropout(targetInput(tokens), configuration.layer.dropout, &generator)
        for (i, layer) in decoderLayers.enumerated() {
            h =
                layer(
                    h, memory: encoding.memoryKeysValues[i], selfMask: causal, memoryMask: encoding.paddingMask,
                    rotary: rotary, dropoutUsing: &generator
                ).output
        }
        return logits(h).reshaped([batch, length, configuration.targetVocabularySize])
    }

    /// An empty cache for ``decodeStep(previousTokens:states:encoding:)``.
    public func initialStates(for encoding: TransformerEncoding) -> TransformerDecoderCache {
        TransformerDecoderCache(layerCount: decoderLayers.count)
    }

    /// One incremental decoder step: reads the previous tokens `[B]` at position `states.position`, returns logits
    /// `[B, V]` and the grown cache. Inference (no dropout); equal to the last row of the full recomputation.
    public func decodeStep(previousTokens: [Int], states: TransformerDecoderCache, encoding: TransformerEncoding)
        -> (logits: Tensor, states: TransformerDecoderCache)
    {
        precondition(
            previousTokens.count == encoding.memory.shape[0] && states.layers.count == decoderLayers.count,
            "TransformerSeq2SeqModel.decodeStep: \(previousTokens.count) tokens for memory \(encoding.memory.shape)")
        let tokens = IndexTensor(shape: [previousTokens.count, 1], indices: previousTokens)
        var h = targetInput(tokens, offset: states.position)
        var next = states
        for (i, layer) in decoderLayers.enumerated() {
            let result = layer(
                h, memory: encoding.memoryKeysValues[i], memoryMask: encoding.paddingMask, cache: states.layers[i],
                rotary: rotary)
            h = result.output
            next.layers[i] = result.cache
        }
        next.position += 1
        return (logits(h), next)
    }

    // MARK: - Training

    /// The mean per-token cross-entropy of `targets` given `sources` with teacher forcing: the decoder reads
    /// `<bos> y₁ … yₙ` and is trained to emit `y₁ … yₙ <eos>`; padding ignored. Dropout draws from `generator`.
    public func loss(sources: [[Int]], targets: [[Int]], using generator: inout RandomGenerator) -> Tensor {
        var random: RandomGenerator? = configuration.layer.dropout > 0 ? generator : nil
        defer { if let random { generator = random } }
        return loss(sources: sources, targets: targets, dropoutUsing: &random)
    }

    /// The loss at evaluation (no dropout).
    public func loss(sources: [[Int]], targets: [[Int]]) -> Tensor {
        var none: RandomGenerator? = nil
        return loss(sources: sources, targets: targets, dropoutUsing: &none)
    }

    private func loss(sources: [[Int]], targets: [[Int]], dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        precondition(
            sources.count == targets.count && !targets.isEmpty,
            "TransformerSeq2SeqModel.loss: \(sources.count) sources and \(targets.count) targets")
        let encoding = encode(sources, dropoutUsing: &generator)
        let inputs = targets.map { [SequenceVocabulary.beginning] + $0 }
        let length = inputs.map(\.count).max() ?? 1
        var labels = [Int](repeating: SequenceVocabulary.padding, count: targets.count * length)
        for (b, target) in targets.enumerated() {
            for (t, token) in (target + [SequenceVocabulary.end]).enumerated() { labels[b * length + t] = token }
        }
        let logits = self.logits(encoding: encoding, targetInputs: inputs, dropoutUsing: &generator)
        return crossEntropy(
            logits: logits.reshaped([targets.count * length, configuration.targetVocabularySize]), targets: labels,
            ignoreIndex: SequenceVocabulary.padding)
    }
}
