import Autodiff

/// One Transformer encoder layer (Vaswani et al. 2017, §3.1): multi-head self-attention and a feed-forward block,
/// each with dropout, a residual connection and LayerNorm placed after (post-norm) or before (pre-norm) — the
/// computation of PyTorch's `nn.TransformerEncoderLayer(batch_first = True)`:
///
/// ```
/// post-norm:  x = LN₁(x + Drop(SelfAttn(x)));  x = LN₂(x + Drop(FF(x)))
/// pre-norm:   x = x + Drop(SelfAttn(LN₁(x)));  x = x + Drop(FF(LN₂(x)))
/// ```
/// Parameters `selfAttention.{query,key,value,output}.{weight,bias}`, `feedForward.linear{1,2}.*`,
/// `norm1.*`, `norm2.*`. Also the block of a decoder-only language model (with a causal mask and a key/value
/// cache, ``step(_:cache:rotary:)``).
public struct TransformerEncoderLayer: ParameterContainer {
    /// Sizes and choices.
    public let configuration: TransformerLayerConfiguration
    /// Self-attention.
    public let selfAttention: MultiHeadAttention
    /// Feed-forward block.
    public let feedForward: TransformerFeedForward
    /// Norm of the attention block.
    public let norm1: LayerNorm
    /// Norm of the feed-forward block.
    public let norm2: LayerNorm

    /// A layer drawn in the order self-attention, feed-forward.
    public init(_ configuration: TransformerLayerConfiguration, using generator: inout RandomGenerator) {
        configuration.validate("TransformerEncoderLayer")
        self.configuration = configuration
        let c = configuration
        selfAttention = MultiHeadAttention(modelSize: c.modelSize, headCount: c.headCount, using: &generator)
        feedForward = TransformerFeedForward(
            modelSize: c.modelSize, innerSize: c.feedForwardSize, activation: c.activation, using: &generator)
        norm1 = LayerNorm([c.modelSize], epsilon: c.layerNormEpsilon)
        norm2 = LayerNorm([c.modelSize], epsilon: c.layerNormEpsilon)
    }

    /// See the type's documentation.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("selfAttention", selfAttention) + prefixed("feedForward", feedForward) + prefixed("norm1", norm1)
            + prefixed("norm2", norm2)
    }

    /// The layer on `x [B, T, D]`; `mask` (nonzero = not attended) is a padding mask `[B, 1, T]`, a causal mask
    /// `[T, T]` or their union. Dropout when `generator` is non-nil.
    public func callAsFunction(
        _ x: Tensor, mask: Tensor? = nil, rotary: RotaryPositionalEmbedding? = nil,
        dropoutUsing generator: inout RandomGenerator?
    ) -> Tensor {
        forward(x, cache: nil, mask: mask, rotary: rotary, generator: &generator).output
    }

    /// The layer at inference on `x`, no dropout.
    public func callAsFunction(_ x: Tensor, mask: Tensor? = nil, rotary: RotaryPositionalEmbedding? = nil) -> Tensor {
        var none: RandomGenerator? = nil
        return self(x, mask: mask, rotary: rotary, dropoutUsing: &none)
    }

    /// Causal self-attention over `cache`'s positions and the new positions `x [B, Tn, D]` (each new position
    /// sees the cache and the new positions up to itself); returns the outputs and the grown cache. Inference.
    public func step(_ x: Tensor, cache: AttentionKeysValues?, rotary: RotaryPositionalEmbedding? = nil)
        -> (output: Tensor, cache: AttentionKeysValues)
    {
        let past = cache?.length ?? 0
        let count = x.shape[1]
        let mask = count > 1 ? TransformerMask.causal(queryCount: count, keyCount: past + count) : nil
        var none: RandomGenerator? = nil
        let result = forward(x, cache: cache, mask: mask, rotary: rotary, generator: &none)
        return (result.output, result.cache)
    }

    private func forward(
        _ x: Tensor, cache: AttentionKeysValues?, mask: Tensor?, rotary: RotaryPositionalEmbedding?,
        generator: inout RandomGenerator?
    ) -> (output: Tensor, cache: AttentionKeysValues) {
        let p = configuration.dropout
        let offset = cache?.length ?? 0
        var newCache = AttentionKeysValues(keys: Tensor.zeros([0]), values: Tensor.zeros([0]))
        func attention(_ input: Tensor, _ generator: inout RandomGenerator?) -> Tensor {
            let fresh = selfAttention.keysValues(input, rotary: rotary, offset: offset)
            newCache = cache.map { $0.appending(fresh) } ?? fresh
            return selfAttention.attend(
                queries: input, keysValues: newCache, mask: mask, rotary: rotary, offset: offset,
                attentionDropout: p, dropoutUsing: &generator)
        }
        var h = x
        switch configuration.normPlacement {
        case .postNorm:
            h = norm1(h + transformerDropout(attention(h, &generator), p, &generator))
            h = norm2(h + transformerDropout(feedForward(h, dropout: p, dropoutUsing: &generator), p, &generator))
        case .preNorm:
            h = h + transformerDropout(attention(norm1(h), &generator), p, &generator)
            h = h + transformerDropout(feedForward(norm2(h), dropout: p, dropoutUsing: &generator), p, &generator)
        }
        return (h, newCache)
    }
}
