import Autodiff

/// Which score a ``Seq2SeqModel`` decoder uses to attend over the encoder's outputs, or none (the decoder reads
/// only the encoder's final state, Sutskever et al. 2014).
public enum Seq2SeqAttentionKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// No attention.
    case none
    /// `hᵀ m` (Luong et al. 2015 "dot"), ``DotProductAttention``.
    case dot
    /// `hᵀ W m` (Luong et al. 2015 "general"), ``GeneralAttention``.
    case general
    /// `vᵀ tanh(W_q h + W_k m)` (Bahdanau et al. 2015), ``AdditiveAttention``.
    case additive
}

/// Where attention enters the decoder step.
public enum Seq2SeqAttentionStyle: String, Sendable, Equatable, CaseIterable, Codable {
    /// Luong, Pham & Manning 2015: the cell runs first; its new top hidden vector `hₜ` queries the memory, and
    /// `h̃ₜ = tanh(W_c [hₜ; cₜ])` is projected to the logits.
    case luong
    /// Bahdanau, Cho & Bengio 2015: the previous top hidden vector `hₜ₋₁` queries the memory, the context `cₜ` is
    /// fed to the cell with the previous token's embedding, and `h̃ₜ = tanh(W_c [hₜ; cₜ])` is projected to the logits.
    case bahdanau
}

/// The sizes and choices of a ``Seq2SeqModel``.
public struct Seq2SeqConfiguration: Sendable, Equatable {
    /// Number of source symbols (``SequenceVocabulary/count`` of the source side).
    public var sourceVocabularySize: Int
    /// Number of target symbols, reserved ones included (index 0 padding, 1 `<bos>`, 2 `<eos>`).
    public var targetVocabularySize: Int
    /// Length of the source and target token embeddings.
    public var embeddingSize: Int
    /// Hidden size H of every encoder and decoder cell.
    public var hiddenSize: Int
    /// Number of stacked layers in the encoder and in the decoder.
    public var layerCount: Int
    /// Whether the encoder also reads the source backwards (its two directions are merged into H features).
    public var bidirectional: Bool
    /// The attention score, or `.none`.
    public var attention: Seq2SeqAttentionKind
    /// Where attention enters the decoder step.
    public var attentionStyle: Seq2SeqAttentionStyle
    /// Dropout probability on embeddings, between stacked layers and before the output layer, in training.
    public var dropout: Float
    /// Whether the decoder can copy source tokens (the pointer-generator of See, Liu & Manning 2017; see
    /// ``Seq2SeqModel``). Needs attention and one vocabulary shared by source and target (equal sizes, and index
    /// `i` the same token on both sides).
    public var copy: Bool

    /// A configuration; the defaults are a 1-layer unidirectional model with Luong dot attention, no dropout and
    /// no copying.
    public init(
        sourceVocabularySize: Int, targetVocabularySize: Int, embeddingSize: Int = 32, hiddenSize: Int = 64,
        layerCount: Int = 1, bidirectional: Bool = false, attention: Seq2SeqAttentionKind = .dot,
        attentionStyle: Seq2SeqAttentionStyle = .luong, dropout: Float = 0, copy: Bool = false
    ) {
        self.sourceVocabularySize = sourceVocabularySize
        self.targetVocabularySize = targetVocabularySize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.bidirectional = bidirectional
        self.attention = attention
        self.attentionStyle = attentionStyle
        self.dropout = dropout
        self.copy = copy
    }
}

/// An encoder's view of a batch of sources, which every decoder step reads.
public struct Seq2SeqEncoding<State> {
    /// Encoder outputs `[B, Tₛ, H]` (zeros at padded positions), the attention memory (`2H` features from a
    /// bidirectional encoder without attention, where the memory is unused).
    public let memory: Tensor
    /// `[B, 1, Tₛ]`, nonzero at padded source positions (not attended), or `nil` when nothing is padded.
    public let paddingMask: Tensor?
    /// The decoder's initial state per layer (the encoder's final states; both directions summed if bidirectional).
    public let initialStates: [State]
    /// The source tokens `[B, Tₛ]` (padding 0 after each source), which a copying decoder scatters its attention
    /// onto; `nil` for a model without copying.
    public let sourceTokens: IndexTensor?

    /// An encoding.
    public init(memory: Tensor, paddingMask: Tensor?, initialStates: [State], sourceTokens: IndexTensor? = nil) {
        self.memory = memory
        self.paddingMask = paddingMask
        self.initialStates = initialStates
        self.sourceTokens = sourceTokens
    }

    /// Rows `rows` of every tensor (to repeat an example for each beam, or to reorder beams).
    public func selectingRows(_ rows: [Int], with map: (State, (Tensor) -> Tensor) -> State) -> Seq2SeqEncoding {
        let indices = IndexTensor(rows)
        let select = { (tensor: Tensor) in tensor.indexSelect(axis: 0, indices: indices) }
        let tokens = sourceTokens.map { tokens in
            let steps = tokens.shape[1]
            return IndexTensor(
                shape: [rows.count, steps],
                indices: rows.flatMap { tokens.indices[($0 * steps)..<(($0 + 1) * steps)] })
        }
        return Seq2SeqEncoding(
            memory: select(memory), paddingMask: paddingMask.map(select),
            initialStates: initialStates.map { map($0, select) }, sourceTokens: tokens)
    }
}

/// An encoder–decoder network with attention for sequence-to-sequence transduction (Sutskever, Vinyals & Le 2014;
/// Bahdanau, Cho & Bengio 2015; Luong, Pham & Manning 2015).
///
/// Encoder: source embedding → ``RecurrentNetwork`` (L layers, optionally bidirectional, padding masked) → memory
/// `[B, Tₛ, H]` (a bidirectional encoder's `2H` outputs are projected to H by `memoryProjection`). Decoder: target
/// embedding → L stacked cells initialised from the encoder's final states → attention over the memory (source
/// padding masked) → `h̃ = tanh(W_c [h; c])` → `output` logits over the target vocabulary. Without attention the
/// logits are `output(h)`.
///
/// With ``Seq2SeqConfiguration/copy`` the decoder is a pointer-generator (See, Liu & Manning 2017, "Get To The
/// Point"): the next-token distribution mixes the vocabulary softmax with the step's attention weights `αₜ`
/// scattered onto the source tokens `x₁ … x_Tₛ` (source and target share one vocabulary),
///
/// ```
/// p(w) = g·softmax(output(h̃))(w) + (1 − g)·Σ_{j: xⱼ = w} αₜⱼ,    g = σ(w_g·[hₜ; cₜ; eₜ] + b_g)
/// ```
///
/// (`hₜ` the top decoder state, `cₜ` the context, `eₜ` the previous token's embedding), and the step returns
/// `log(p + 10⁻⁷)` in place of logits, so the loss, greedy decoding and beam search read it unchanged
/// (`logSoftmax` of a log-distribution is itself up to rounding). The gate is `copyGate.weight`, `copyGate.bias`.
/// The same mixture is the copy decoder of the dual-RL style-transfer models (`CrossAlignedAutoencoder` in
/// TextGeneration, which keeps its own copy of the math over a one-hot source tensor). Tokens: the decoder starts from `<bos>` (1) and is trained to end with `<eos>` (2);
/// index 0 is padding on both sides. Parameters are named `sourceEmbedding.weight`, `targetEmbedding.weight`,
/// `encoder.layer0.forward.weightIH`, …, `memoryProjection.weight`, `decoder.layer0.weightIH`, …, `attention.…`,
/// `combination.weight`, `output.weight`, `output.bias`.
public struct Seq2SeqModel<Cell: Seq2SeqCell>: ParameterContainer {
    /// The sizes and choices.
    public let configuration: Seq2SeqConfiguration
    /// Source token vectors (row 0, padding, stays zero).
    public let sourceEmbedding: Embedding
    /// Target token vectors (row 0, padding, stays zero).
    public let targetEmbedding: Embedding
    /// The source reader.
    public let encoder: RecurrentNetwork<Cell>
    /// `2H → H` for a bidirectional encoder's outputs when there is attention, else `nil`.
    public let memoryProjection: Linear?
    /// One decoder cell per layer.
    public let decoderCells: [Cell]
    /// The dot-product attention, when chosen.
    public let dotAttention: DotProductAttention?
    /// The general (bilinear) attention, when chosen.
    public let generalAttention: GeneralAttention?
    /// The additive attention, when chosen.
    public let additiveAttention: AdditiveAttention?
    /// `W_c`, `[H, 2H]` without bias, when there is attention.
    public let combination: Linear?
    /// Logits layer `H → targetVocabularySize`.
    public let output: Linear
    /// `[hₜ; cₜ; eₜ] → 1`, the logit of the generate-or-copy gate `g`, when the model copies.
    public let copyGate: Linear?

    /// A model with parameters drawn from `generator` (PyTorch-style default initializations).
    public init(_ configuration: Seq2SeqConfiguration, using generator: inout RandomGenerator) {
        let c = configuration
        precondition(
            c.sourceVocabularySize > SequenceVocabulary.unknown && c.targetVocabularySize > SequenceVocabulary.end
                && c.embeddingSize > 0 && c.hiddenSize > 0 && c.layerCount > 0 && (0..<1).contains(c.dropout)
                && (!c.copy || (c.attention != .none && c.sourceVocabularySize == c.targetVocabularySize)),
            "Seq2SeqModel: invalid configuration \(c) (copying needs attention and a shared vocabulary)")
        self.configuration = c
        let h = c.hiddenSize
        sourceEmbedding = Embedding(
            vocabularySize: c.sourceVocabularySize, dimension: c.embeddingSize,
            paddingIndex: SequenceVocabulary.padding, using: &generator)
        targetEmbedding = Embedding(
            vocabularySize: c.targetVocabularySize, dimension: c.embeddingSize,
            paddingIndex: SequenceVocabulary.padding, using: &generator)
        encoder = RecurrentNetwork(
            inputSize: c.embeddingSize, hiddenSize: h, layerCount: c.layerCount, bidirectional: c.bidirectional,
            dropout: c.dropout, using: &generator)
        memoryProjection =
            c.bidirectional && c.attention != .none
            ? Linear(inputSize: 2 * h, outputSize: h, bias: false, using: &generator) : nil
        let feedsContext = c.attention != .none && c.attentionStyle == .bahdanau
        decoderCells = (0..<c.layerCount).map { layer in
            let input = layer == 0 ? c.embeddingSize + (feedsContext ? h : 0) : h
            return Cell(inputSize: input, hiddenSize: h, bias: true, using: &generator)
        }
        dotAttention = c.attention == .dot ? DotProductAttention() : nil
        generalAttention =
            c.attention == .general ? GeneralAttention(queryDimension: h, keyDimension: h, using: &generator) : nil
        additiveAttention =
            c.attention == .additive
            ? AdditiveAttention(queryDimension: h, keyDimension: h, attentionSize: h, using: &generator) : nil
        combination =
            c.attention == .none ? nil : Linear(inputSize: 2 * h, outputSize: h, bias: false, using: &generator)
        output = Linear(inputSize: h, outputSize: c.targetVocabularySize, using: &generator)
        copyGate = c.copy ? Linear(inputSize: 2 * h + c.embeddingSize, outputSize: 1, using: &generator) : nil
    }

    /// All parameters by stable names (see the type's documentation).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = prefixed("sourceEmbedding", sourceEmbedding) + prefixed("targetEmbedding", targetEmbedding)
        result += prefixed("encoder", encoder)
        if let memoryProjection { result += prefixed("memoryProjection", memoryProjection) }
        for (layer, cell) in decoderCells.enumerated() { result += prefixed("decoder.layer\(layer)", cell) }
        if let generalAttention { result += prefixed("attention", generalAttention) }
        if let additiveAttention { result += prefixed("attention", additiveAttention) }
        if let combination { result += prefixed("combination", combination) }
        result += prefixed("output", output)
        if let copyGate { result += prefixed("copyGate", copyGate) }
        return result
    }

    // MARK: - Encoder

    /// Encodes a batch of sources (token indices without `<bos>`/`<eos>`, each nonempty). `regularize` is applied
    /// to the embeddings (dropout in training; identity at inference); `generator`, when given, drives the
    /// encoder's between-layer dropout.
    public func encode(
        _ sources: [[Int]], regularize: (Tensor) -> Tensor = { $0 }, dropoutUsing generator: inout RandomGenerator?
    ) -> Seq2SeqEncoding<Cell.State> {
        precondition(
            !sources.isEmpty && sources.allSatisfy { !$0.isEmpty },
            "Seq2SeqModel.encode: needs at least one source and no empty source")
        let batch = sources.count
        let lengths = sources.map(\.count)
        let steps = lengths.max() ?? 0
        var tokens = [Int](repeating: SequenceVocabulary.padding, count: steps * batch)
        for (b, source) in sources.enumerated() {
            for (t, token) in source.enumerated() { tokens[t * batch + b] = token }
        }
        let embedded = regularize(sourceEmbedding(IndexTensor(shape: [steps, batch], indices: tokens)))
        let padded = lengths.contains { $0 < steps }
        let result: RecurrentOutput<Cell.State>
        if var random = generator, configuration.dropout > 0 {
            result = encoder(embedded, lengths: padded ? lengths : nil, dropoutUsing: &random)
            generator = random
        } else {
            result = encoder(embedded, lengths: padded ? lengths : nil)
        }
        var memory = result.outputs.permuted([1, 0, 2])  // [B, Tₛ, D·H]; unused without attention
        if let memoryProjection {
            let h = configuration.hiddenSize
            memory = memoryProjection(memory.reshaped([batch * steps, 2 * h])).reshaped([batch, steps, h])
        }
        var mask: Tensor? = nil
        if padded {
            var scalars = [Float](repeating: 0, count: batch * steps)
            for b in 0..<batch { for t in lengths[b]..<steps { scalars[b * steps + t] = 1 } }
            mask = Tensor(shape: [batch, 1, steps], scalars: scalars)
        }
        let states: [Cell.State]
        if configuration.bidirectional {
            states = (0..<configuration.layerCount).map { layer in
                Cell.combineStates(result.finalStates[2 * layer], result.finalStates[2 * layer + 1], +)
            }
        } else {
            states = result.finalStates
        }
        var sourceTokens: IndexTensor? = nil
        if configuration.copy {
            var batchMajor = [Int](repeating: SequenceVocabulary.padding, count: batch * steps)
            for (b, source) in sources.enumerated() {
                for (t, token) in source.enumerated() { batchMajor[b * steps + t] = token }
            }
            sourceTokens = IndexTensor(shape: [batch, steps], indices: batchMajor)
        }
        return Seq2SeqEncoding(memory: memory, paddingMask: mask, initialStates: states, sourceTokens: sourceTokens)
    }

    /// Encodes a batch of sources at inference (no dropout).
    public func encode(_ sources: [[Int]]) -> Seq2SeqEncoding<Cell.State> {
        var none: RandomGenerator? = nil
        return encode(sources, dropoutUsing: &none)
    }

    // MARK: - Decoder

    /// One decoder step: reads the previous tokens `[B]` and the per-layer states, returns logits `[B, V]` and the
    /// new states. `regularize` is applied to the embedding, between layers and before the output layer. A copying
    /// model returns the log-probabilities of its pointer-generator mixture as the logits.
    public func decodeStep(
        previousTokens: [Int], states: [Cell.State], encoding: Seq2SeqEncoding<Cell.State>,
        regularize: (Tensor) -> Tensor = { $0 }
    ) -> (logits: Tensor, states: [Cell.State]) {
        precondition(
            states.count == decoderCells.count && previousTokens.count == encoding.memory.shape[0],
            "Seq2SeqModel.decodeStep: \(previousTokens.count) tokens and \(states.count) states for memory "
                + "\(encoding.memory.shape) and \(decoderCells.count) layers")
        let embedded = regularize(targetEmbedding(IndexTensor(previousTokens)))
        var input = embedded
        var attended: (context: Tensor, weights: Tensor)? = nil
        if configuration.attentionStyle == .bahdanau && configuration.attention != .none {
            let early = attend(query: Cell.hidden(of: states[states.count - 1]), encoding: encoding)
            attended = early
            input = Tensor.concatenate([input, early.context], axis: 1)
        }
        var newStates: [Cell.State] = []
        newStates.reserveCapacity(states.count)
        for (layer, cell) in decoderCells.enumerated() {
            let state = cell(input, state: states[layer])
            newStates.append(state)
            input = Cell.hidden(of: state)
            if layer < decoderCells.count - 1 { input = regularize(input) }
        }
        var top = input
        guard let combination else { return (output(regularize(top)), newStates) }
        let hidden = top
        let (context, weights) = attended ?? attend(query: hidden, encoding: encoding)
        top = combination(Tensor.concatenate([hidden, context], axis: 1)).tanh()
        let logits = output(regularize(top))
        guard let copyGate else { return (logits, newStates) }
        guard let sourceTokens = encoding.sourceTokens else {
            preconditionFailure("Seq2SeqModel.decodeStep: a copying model needs the encoding's source tokens")
        }
        let batch = hidden.shape[0]
        let gate = copyGate(Tensor.concatenate([hidden, context, embedded], axis: 1)).sigmoid()  // [B, 1]
        let copied = Tensor.zeros([batch, configuration.targetVocabularySize]).scatterAdding(
            along: 1, indices: sourceTokens, source: weights.reshaped([batch, sourceTokens.shape[1]]))
        return ((logits.softmax(axis: 1) * gate + copied * (1 - gate) + 1e-7).log(), newStates)
    }

    /// The attention context `[B, H]` for `query [B, H]` and the attention weights `[B, 1, Tₛ]`.
    private func attend(query: Tensor, encoding: Seq2SeqEncoding<Cell.State>) -> (context: Tensor, weights: Tensor) {
        let batch = query.shape[0]
        let q = query.reshaped([batch, 1, query.shape[1]])
        let m = encoding.memory
        let result: AttentionOutput
        if let dotAttention {
            result = dotAttention(query: q, keys: m, values: m, mask: encoding.paddingMask)
        } else if let generalAttention {
            result = generalAttention(query: q, keys: m, values: m, mask: encoding.paddingMask)
        } else if let additiveAttention {
            result = additiveAttention(query: q, keys: m, values: m, mask: encoding.paddingMask)
        } else {
            preconditionFailure("Seq2SeqModel: attention requested without an attention layer")
        }
        return (result.context.reshaped([batch, m.shape[2]]), result.weights)
    }
}
