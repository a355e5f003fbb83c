import Autodiff
import Foundation

/// The sizes and choices of a ``TransformerLanguageModel``.
public struct TransformerLanguageModelConfiguration: Sendable, Equatable, Codable {
    /// Number of tokens.
    public var vocabularySize: Int
    /// Layer sizes and choices.
    public var layer: TransformerLayerConfiguration
    /// Number of layers.
    public var layerCount: Int
    /// How positions enter.
    public var positionalEncoding: PositionalEncodingKind
    /// Rows of a learned position table (longer contexts reuse the last row).
    public var maximumLength: Int
    /// Whether the output layer is the transposed embedding plus a bias (Press & Wolf 2017).
    public var tiesEmbeddings: Bool

    /// A configuration; the defaults are a small GPT-2-like model (pre-norm, GELU, learned positions, tied).
    public init(
        vocabularySize: Int, modelSize: Int = 256, headCount: Int = 4, feedForwardSize: Int? = nil,
        layerCount: Int = 4, dropout: Float = 0.1, activation: TransformerActivation = .gelu,
        normPlacement: TransformerNormPlacement = .preNorm, positionalEncoding: PositionalEncodingKind = .learned,
        maximumLength: Int = 512, tiesEmbeddings: Bool = true
    ) {
        self.vocabularySize = vocabularySize
        layer = TransformerLayerConfiguration(
            modelSize: modelSize, headCount: headCount, feedForwardSize: feedForwardSize, dropout: dropout,
            activation: activation, normPlacement: normPlacement)
        self.layerCount = layerCount
        self.positionalEncoding = positionalEncoding
        self.maximumLength = maximumLength
        self.tiesEmbeddings = tiesEmbeddings
    }
}

/// A decoder-only Transformer language model (Radford et al. 2018/2019, GPT): token input → L causally masked
/// self-attention layers → (pre-norm) final norm → logits, with the interface of ``LanguageModel``: ``loss(_:)``
/// on a ``LanguageModelBatch``, ``perplexity(on:batchSize:)`` and ``generate(prefix:count:selection:stopToken:using:)``
/// (greedy or sampling, incremental with a key/value cache). Parameters `input.embedding.weight`,
/// `input.positions.weight`, `layer0.selfAttention.query.weight`, …, `norm.*`, `output.*` or `outputBias`.
public struct TransformerLanguageModel: ParameterContainer {
    /// Sizes and choices.
    public let configuration: TransformerLanguageModelConfiguration
    /// Tokens and positions.
    public let input: TransformerTokenInput
    /// The layers.
    public let layers: [TransformerEncoderLayer]
    /// Final norm (pre-norm only).
    public let norm: LayerNorm?
    /// Untied output layer.
    public let output: Linear?
    /// Bias of the tied output layer.
    public let outputBias: Parameter?
    /// Rotary position embedding, when chosen.
    public let rotary: RotaryPositionalEmbedding?

    /// A model drawn from `generator`.
    public init(_ configuration: TransformerLanguageModelConfiguration, using generator: inout RandomGenerator) {
        let c = configuration
        c.layer.validate("TransformerLanguageModel")
        precondition(
            c.vocabularySize > 0 && c.layerCount > 0 && c.maximumLength > 0,
            "TransformerLanguageModel: invalid configuration \(c)")
        self.configuration = c
        let d = c.layer.modelSize
        input = TransformerTokenInput(
            vocabularySize: c.vocabularySize, modelSize: d, kind: c.positionalEncoding,
            maximumLength: c.maximumLength, paddingIndex: nil, using: &generator)
        layers = (0..<c.layerCount).map { _ in TransformerEncoderLayer(c.layer, using: &generator) }
        norm = c.layer.normPlacement == .preNorm ? LayerNorm([d], epsilon: c.layer.layerNormEpsilon) : nil
        output = c.tiesEmbeddings ? nil : Linear(inputSize: d, outputSize: c.vocabularySize, using: &generator)
        outputBias = c.tiesEmbeddings ? Parameter(Tensor.zeros([c.vocabularySize])) : nil
        rotary = c.positionalEncoding == .rotary ? RotaryPositionalEmbedding(headSize: d / c.layer.headCount) : nil
    }

    /// Number of tokens.
    public var vocabularySize: Int { configuration.vocabularySize }

    /// See the type's documentation.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        var result = prefixed("input", input)
        for (i, layer) in layers.enumerated() { result += prefixed("layer\(i)", layer) }
        if let norm { result += prefixed("norm", norm) }
        if let output { result += prefixed("output", output) }
        if let outputBias { result.append((name: "outputBias", parameter: outputBias)) }
        return result
    }

    /// Logits `[N, V]` of hidden rows `[N, D]` (after the final norm).
    private func project(_ hidden: Tensor) -> Tensor {
        projectNormalized(norm.map { $0(hidden) } ?? hidden)
    }

    /// Logits `[N, V]` of rows `[N, D]` that already went through the final norm.
    private func projectNormalized(_ h: Tensor) -> Tensor {
        if let output { return output(h) }
        return input.tiedLogits(h) + (outputBias?.value ?? Tensor.zeros([vocabularySize]))
    }

    /// The output layer as a weight `[V, D]` and bias `[V]`: the untied layer's, or the token embedding with
    /// ``outputBias`` when tied (what ``SampledSoftmax`` scores candidates with).
    public var outputWeightAndBias: (weight: Tensor, bias: Tensor?) {
        if let output { return (output.weight.value, output.bias?.value) }
        return (input.embedding.weight.value, outputBias?.value)
    }

    /// The rows `[B·T, D]` the output layer reads (after the final norm, batch-major) for batch-major
    /// `tokens [B, T]` under a causal mask; dropout when `generator` is non-nil.
    public func outputInputs(
        batchMajor tokens: IndexTensor, dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        precondition(tokens.rank == 2, "TransformerLanguageModel: tokens must be [B, T], got \(tokens.shape)")
        let (batch, length) = (tokens.shape[0], tokens.shape[1])
        let causal = TransformerMask.causal(queryCount: length, keyCount: length)
        var h = transformerDropout(input(tokens), configuration.layer.dropout, &generator)
        for layer in layers { h = layer(h, mask: causal, rotary: rotary, dropoutUsing: &generator) }
        let rows = h.reshaped([batch * length, configuration.layer.modelSize])
        return norm.map { $0(rows) } ?? rows
    }

    /// Logits `[B, T, V]` for batch-major `tokens [B, T]` under a causal mask; dropout when `generator` is non-nil.
    public func logits(batchMajor tokens: IndexTensor, dropoutUsing generator: inout RandomGenerator?) -> Tensor {
        let (batch, length) = (tokens.shape[0], tokens.shape[1])
        let h = outputInputs(batchMajor: tokens, dropoutUsing: &generator)
        return projectNormalized(h).reshaped([batch, length, vocabularySize])
    }

    /// Logits `[T, B, V]` for time-major `tokens [T, B]` (as ``LanguageModel/logits(_:lengths:initialStates:)``),
    /// at inference.
    public func logits(_ tokens: IndexTensor) -> Tensor {
        var none: RandomGenerator? = nil
        return logits(batchMajor: Self.transposed(tokens), dropoutUsing: &none).permuted([1, 0, 2])
    }

    /// `[T, B]` ↔ `[B, T]`.
    static func transposed(_ tokens: IndexTensor) -> IndexTensor {
        let (rows, columns) = (tokens.shape[0], tokens.shape[1])
        var indices = [Int](repeating: 0, count: rows * columns)
        for r in 0..<rows { for c in 0..<columns { indices[c * rows + r] = tokens.indices[r * columns + c] } }
        return IndexTensor(shape: [columns, rows], indices: indices)
    }

    /// Mean cross entropy per predicted token of `batch` (padding skipped), with dropout from `generator`.
    public func loss(_ batch: LanguageModelBatch, dropoutUsing generator: inout RandomGenerator) -> Tensor {
        var random: RandomGenerator? = configuration.layer.dropout > 0 ? generator : nil
        defer { if let random { generator = random } }
        return loss(batch, optionalDropout: &random)
    }

    /// Mean cross entropy per predicted token of `batch`, without dropout.
    public func loss(_ batch: LanguageModelBatch) -> Tensor {
        var none: RandomGenerator? = nil
        return loss(batch, optionalDropout: &none)
    }

    private func loss(_ batch: LanguageModelBatch, optionalDropout generator: inout RandomGenerator?) -> Tensor {
        // Time-major targets; the logits are batch-major, so bring them to [T, B, V] first.
        let logits = logits(batchMajor: Self.transposed(batch.inputs), dropoutUsing: &generator).permuted([1, 0, 2])
        return crossEntropy(
            logits: logits.reshaped([-1, vocabularySize]), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }

    /// Perplexity over every predicted token of `sequences` (each at least two tokens), without gradients.
    public func perplexity(on sequences: [[Int]], batchSize: Int = 32) -> Double {
        precondition(batchSize > 0, "TransformerLanguageModel.perplexity: batchSize \(batchSize) must be positive")
        var negativeLogLikelihood = 0.0
        var tokens = 0
        withoutGradients {
            for start in stride(from: 0, to: sequences.count, by: batchSize) {
                let batch = LanguageModelBatch(
                    sequences: Array(sequences[start..<min(start + batchSize, sequences.count)]))
                let losses = crossEntropy(
                    logits: logits(batch.inputs).reshaped([-1, vocabularySize]), targets: batch.targets,
                    ignoreIndex: LanguageModelBatch.ignoredTarget, reduction: .none)
                negativeLogLikelihood += losses.scalars.reduce(0.0) { $0 + Double($1) }
                tokens += batch.tokenCount
            }
        }
        return Foundation.exp(negativeLogLikelihood / Double(max(tokens, 1)))
    }

    /// Logits `[B, Tn, V]` of new tokens `[B, Tn]` after the positions in `cache`, and the grown cache (one entry
    /// per layer; empty for the first call). Inference.
    public func step(_ tokens: IndexTensor, cache: [AttentionKeysValues]) -> (
        logits: Tensor, cache: [AttentionKeysValues]
    ) {
        precondition(
            cache.isEmpty || cache.count == layers.count,
            "TransformerLanguageModel.step: cache of \(cache.count) layers for \(layers.count)")
        let offset = cache.first?.length ?? 0
        var h = input(tokens, offset: offset)
        var next: [AttentionKeysValues] = []
        for (i, layer) in layers.enumerated() {
            let result = layer.step(h, cache: cache.isEmpty ? nil : cache[i], rotary: rotary)
            h = result.output
            next.append(result.cache)
        }
        let (batch, length) = (tokens.shape[0], tokens.shape[1])
        let logits = project(h.reshaped([batch * length, configuration.layer.modelSize]))
        return (logits.reshaped([batch, length, vocabularySize]), next)
    }

    /// Continues `prefix` (at least one token) by up to `count` tokens chosen by `selection`, reusing the key/value
    /// cache; stops after `stopToken`. Returns the new tokens. Deterministic given the generator.
    public func generate(
        prefix: [Int], count: Int, selection: TokenSelection = .greedy, stopToken: Int? = nil,
        using generator: inout RandomGenerator
    ) -> [Int] {
        precondition(!prefix.isEmpty, "TransformerLanguageModel.generate: empty prefix (give a start token)")
        precondition(count >= 0, "TransformerLanguageModel.generate: count \(count) must not be negative")
        guard count > 0 else { return [] }
        return withoutGradients {
            var (logits, cache) = step(IndexTensor(shape: [1, prefix.count], indices: prefix), cache: [])
            var generated: [Int] = []
            while generated.count < count {
                let last = Array(logits.scalars[(logits.count - vocabularySize)...])
                let token = selection.select(from: last, using: &generator)
                generated.append(token)
                if token == stopToken || generated.count == count { break }
                (logits, cache) = step(IndexTensor(shape: [1, 1], indices: [token]), cache: cache)
            }
            return generated
        }
    }
}
