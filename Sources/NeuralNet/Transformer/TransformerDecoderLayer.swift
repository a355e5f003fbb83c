import Autodiff

/// One Transformer decoder layer (Vaswani et al. 2017, §3.1): masked self-attention, attention over the encoder's
/// memory, and a feed-forward block, each with dropout, a residual connection and LayerNorm after (post-norm) or
/// before (pre-norm) — PyTorch's `nn.TransformerDecoderLayer(batch_first = True)`:
///
/// ```
/// post-norm:  x = LN₁(x + Drop(SelfAttn(x)));  x = LN₂(x + Drop(CrossAttn(x, m)));  x = LN₃(x + Drop(FF(x)))
/// pre-norm:   x = x + Drop(SelfAttn(LN₁(x)));  x = x + Drop(CrossAttn(LN₂(x), m));  x = x + Drop(FF(LN₃(x)))
/// ```
/// Parameters `selfAttention.*`, `crossAttention.*`, `feedForward.*`, `norm1.*`, `norm2.*`, `norm3.*`.
public struct TransformerDecoderLayer: ParameterContainer {
    /// Sizes and choices.
    public let configuration: TransformerLayerConfiguration
    /// Masked self-attention.
    public let selfAttention: MultiHeadAttention
    /// Attention over the memory.
    public let crossAttention: MultiHeadAttention
    /// Feed-forward block.
    public let feedForward: TransformerFeedForward
    /// Norm of the self-attention block.
    public let norm1: LayerNorm
    /// Norm of the cross-attention block.
    public let norm2: LayerNorm
    /// Norm of the feed-forward block.
    public let norm3: LayerNorm

    /// A layer drawn in the order self-attention, cross-attention, feed-forward.
    public init(_ configuration: TransformerLayerConfiguration, using generator: inout RandomGenerator) {
        configuration.validate("TransformerDecoderLayer")
        self.configuration = configuration
        let c = configuration
        selfAttention = MultiHeadAttention(modelSize: c.modelSize, headCount: c.headCount, using: &generator)
        crossAttention = MultiHeadAttention(modelSize: c.modelSize, headCount: c.headCount, using: &generator)
        feedForward = TransformerFeedForward(
            modelSize: c.modelSize, innerSize: c.feedForwardSize, activation: c.activation, using: &generator)
        norm1 = LayerNorm([c.modelSize], epsilon: c.layerNormEpsilon)
        norm2 = LayerNorm([c.modelSize], epsilon: c.layerNormEpsilon)
        norm3 = LayerNorm([c.modelSize], epsilon: c.layerNormEpsilon)
    }

    /// See the type's documentation.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("selfAttention", selfAttention) + prefixed("crossAttention", crossAttention)
            + prefixed("feedForward", feedForward) + prefixed("norm1", norm1) + prefixed("norm2", norm2)
            + prefixed("norm3", norm3)
    }

    /// The memory's keys and values for ``crossAttention`` (computed once per source batch).
    public func memoryKeysValues(_ memory: Tensor) -> AttentionKeysValues { crossAttention.keysValues(memory) }

    /// The layer on `x [B, T, D]` over `memory`'s keys and values; `selfMask` (e.g. causal `[T, T]`) and
    /// `memoryMask` (e.g. source padding `[B, 1, Tₛ]`) are nonzero where not attended; `cache` holds earlier
    /// positions' self-attention keys and values (incremental decoding). Returns the output and the grown cache.
    /// Dropout when `generator` is non-nil.
    public func callAsFunction(
        _ x: Tensor, memory: AttentionKeysValues, selfMask: Tensor? = nil, memoryMask: Tensor? = nil,
        cache: AttentionKeysValues? = nil, rotary: RotaryPositionalEmbedding? = nil,
        dropoutUsing generator: inout RandomGenerator?
    ) -> (output: Tensor, cache: AttentionKeysValues) {
        let p = configuration.dropout
        let offset = cache?.length ?? 0
        var newCache = AttentionKeysValues(keys: Tensor.zeros([0]), values: Tensor.zeros([0]))
        func selfAttend(_ input: Tensor, _ generator: inout RandomGenerator?) -> Tensor {
            let fresh = selfAttention.keysValues(input, rotary: rotary, offset: offset)
            newCache = cache.map { $0.appending(fresh) } ?? fresh
            return selfAttention.attend(
                queries: input, keysValues: newCache, mask: selfMask, rotary: rotary, offset: offset,
                attentionDropout: p, dropoutUsing: &generator)
        }
        func crossAttend(_ input: Tensor, _ generator: inout RandomGenerator?) -> Tensor {
            crossAttention.attend(
                queries: input, keysValues: memory, mask: memoryMask, attentionDropout: p, dropoutUsing: &generator)
        }
        var h = x
        switch configuration.normPlacement {
        case .postNorm:
            h = norm1(h + transformerDropout(selfAttend(h, &generator), p, &generator))
            h = norm2(h + transformerDropout(crossAttend(h, &generator), p, &generator))
            h = norm3(h + transformerDropout(feedForward(h, dropout: p, dropoutUsing: &generator), p, &generator))
        case .preNorm:
            h = h + transformerDropout(selfAttend(norm1(h), &generator), p, &generator)
            h = h + transformerDropout(crossAttend(norm2(h), &generator), p, &generator)
            h = h + transformerDropout(feedForward(norm3(h), dropout: p, dropoutUsing: &generator), p, &generator)
        }
        return (h, newCache)
    }

    /// The layer at inference (no dropout).
    public func callAsFunction(
        _ x: Tensor, memory: AttentionKeysValues, selfMask: Tensor? = nil, memoryMask: Tensor? = nil,
        cache: AttentionKeysValues? = nil, rotary: RotaryPositionalEmbedding? = nil
    ) -> (output: Tensor, cache: AttentionKeysValues) {
        var none: RandomGenerator? = nil
        return self(
            x, memory: memory, selfMask: selfMask, memoryMask: memoryMask, cache: cache, rotary: rotary,
            dropoutUsing: &none)
    }
}
