import Autodiff
import NeuralNet

/// A token-level generator that sequence-level training drives: ancestral sampling one token at a time
/// (``SequenceSampler``), Monte Carlo rollouts from prefixes (``MonteCarloRollout``), REINFORCE
/// (``SequencePolicyGradient``), Gumbel-softmax unrolling (``GumbelSoftmaxGenerator``) and scheduled sampling
/// (``NextTokenLanguageModel/scheduledSamplingLoss(_:goldProbability:choice:using:)``).
///
/// The recurrent ``RecurrentLanguageModel`` (state: the cells' states) and the decoder-only
/// ``TransformerLanguageModel`` (state: the key/value cache of every layer) conform, so SeqGAN (Yu et al. 2017) and
/// its baselines train either.
public protocol SequenceGenerator: NextTokenLanguageModel {
    /// What the network keeps of a prefix to continue it: recurrent states or a key/value cache.
    associatedtype DecodingState

    /// Feeds one token per sequence (`tokens.count` sequences) after `state` (nil: the empty prefix) and returns the
    /// next-token logits `[B, V]` and the state after the token. Gradients are recorded unless the caller turns
    /// them off; no dropout.
    func nextTokenLogits(feeding tokens: [Int], after state: DecodingState?) -> (logits: Tensor, state: DecodingState)

    /// Logits `[T·B, V]` (time-major rows, as ``LanguageModelBatch/targets``) of every position of `batch`, without
    /// dropout, recording gradients: the log-probabilities REINFORCE weighs.
    func policyLogits(_ batch: LanguageModelBatch) -> Tensor

    /// `count` sequences of `length` Gumbel-softmax samples `[count, length, V]` (Jang et al. 2017): each step's
    /// sample `y` (soft, or straight-through one-hot when `hard`) enters the next step as the embedding `y·E`;
    /// recorded for gradients, no dropout.
    func gumbelSoftmaxSample(
        count: Int, length: Int, startToken: Int, temperature: Float, hard: Bool,
        using generator: inout RandomGenerator
    ) -> Tensor
}

extension RecurrentLanguageModel: SequenceGenerator {
    /// One recurrent step: `[1, B]` tokens through the embedding, the cells and the output layer.
    public func nextTokenLogits(
        feeding tokens: [Int], after state: [Cell.State]?
    ) -> (logits: Tensor, state: [Cell.State]) {
        let batch = tokens.count
        let (logits, next) = self.logits(IndexTensor(shape: [1, batch], indices: tokens), initialStates: state)
        return (logits.reshaped([batch, vocabularySize]), next)
    }

    /// The unrolled network's logits over the whole batch.
    public func policyLogits(_ batch: LanguageModelBatch) -> Tensor {
        logits(batch.inputs, lengths: batch.lengths).logits.reshaped([-1, vocabularySize])
    }

    /// The recurrent unrolling of Kusner & Hernández-Lobato 2016: one cell step per token, fed `y·E`.
    public func gumbelSoftmaxSample(
        count: Int, length: Int, startToken: Int, temperature: Float, hard: Bool,
        using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(count > 0 && length > 0, "RecurrentLanguageModel.gumbelSoftmaxSample: sizes must be positive")
        let embeddingSize = embedding.weight.value.shape[1]
        var input = embedding(IndexTensor(shape: [1, count], indices: Array(repeating: startToken, count: count)))
        var states: [Cell.State]? = nil
        var steps: [Tensor] = []
        steps.reserveCapacity(length)
        for _ in 0..<length {
            let result = recurrent(input, initialStates: states)
            states = result.finalStates
            let logits = output(result.outputs.reshaped([count, -1]))
            let y = gumbelSoftmax(logits: logits, temperature: temperature, hard: hard, using: &generator)
            steps.append(y)
            input = y.matmul(embedding.weight.value).reshaped([1, count, embeddingSize])
        }
        return Tensor.stack(steps, axis: 1)
    }
}

extension TransformerLanguageModel: SequenceGenerator {
    /// One incremental step with the key/value cache (``step(_:cache:)``): `[B, 1]` tokens at the position after
    /// the cached ones.
    public func nextTokenLogits(
        feeding tokens: [Int], after state: [AttentionKeysValues]?
    ) -> (logits: Tensor, state: [AttentionKeysValues]) {
        let batch = tokens.count
        let (logits, cache) = step(IndexTensor(shape: [batch, 1], indices: tokens), cache: state ?? [])
        return (logits.reshaped([batch, vocabularySize]), cache)
    }

    /// The causally masked forward pass over the whole batch (padding positions are never attended to by earlier
    /// positions, so each row's logits equal those of its unpadded sequence).
    public func policyLogits(_ batch: LanguageModelBatch) -> Tensor {
        logits(batch.inputs).reshaped([-1, vocabularySize])
    }

    /// The decoder-only unrolling: step `t` feeds the embedding `y·E` of the previous sample, scaled by `√D` and
    /// placed at position `t` as a token would be, through every layer's incremental step with the key/value
    /// cache (keys and values stay on the gradient tape, so the verdict on the whole sequence reaches every step).
    public func gumbelSoftmaxSample(
        count: Int, length: Int, startToken: Int, temperature: Float, hard: Bool,
        using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(count > 0 && length > 0, "TransformerLanguageModel.gumbelSoftmaxSample: sizes must be positive")
        let modelSize = configuration.layer.modelSize
        var h = input(IndexTensor(shape: [count, 1], indices: Array(repeating: startToken, count: count)))
        var cache: [AttentionKeysValues] = []
        var steps: [Tensor] = []
        steps.reserveCapacity(length)
        for t in 0..<length {
            var next: [AttentionKeysValues] = []
            for (i, layer) in layers.enumerated() {
                let result = layer.step(h, cache: cache.isEmpty ? nil : cache[i], rotary: rotary)
                h = result.output
                next.append(result.cache)
            }
            cache = next
            var rows = h.reshaped([count, modelSize])
            if let norm { rows = norm(rows) }
            let logits =
                output.map { $0(rows) } ?? input.tiedLogits(rows)
                + (outputBias?.value ?? Tensor.zeros([vocabularySize]))
            let y = gumbelSoftmax(logits: logits, temperature: temperature, hard: hard, using: &generator)
            steps.append(y)
            if t + 1 < length { h = softInput(y, position: t + 1) }
        }
        return Tensor.stack(steps, axis: 1)
    }

    /// The input `[B, 1, D]` of distributions `y [B, V]` at `position`: `√D · y·E` plus the position's encoding
    /// (as ``TransformerTokenInput`` does for one-hot `y`).
    private func softInput(_ y: Tensor, position: Int) -> Tensor {
        let modelSize = configuration.layer.modelSize
        let scaled = (y.matmul(input.embedding.weight.value) * Float(modelSize).squareRoot())
            .reshaped([y.shape[0], 1, modelSize])
        switch input.kind {
        case .sinusoidal:
            return scaled + SinusoidalPositionalEncoding.table(length: 1, dimension: modelSize, offset: position)
        case .learned:
            guard let positions = input.positions else { return scaled }
            return scaled + positions(length: 1, offset: position)
        case .rotary:
            return scaled
        }
    }
}
