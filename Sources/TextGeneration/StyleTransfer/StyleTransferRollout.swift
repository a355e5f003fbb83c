import Autodiff
import Corpus
import NeuralNet

/// A style discriminator's probability that sequences are real sentences of its style, as a ``SequenceReward``
/// (the SeqGAN reward, Yu et al. 2017). Sequences are read with `</s>` appended, as real sentences are.
public struct StyleDiscriminatorReward: SequenceReward {
    /// The discriminator; class 1 means "a real sentence of this style".
    public let discriminator: TextCNN
    /// The `</s>` id.
    public let endIndex: Int

    /// The reward of `discriminator`.
    public init(discriminator: TextCNN, endIndex: Int) {
        self.discriminator = discriminator
        self.endIndex = endIndex
    }

    /// `D(y </s>)` for each sequence.
    public func rewards(for sequences: [[Int]]) -> [Double] {
        discriminator.probabilities(sequences.map { $0 + [endIndex] }).map { Double($0.count > 1 ? $0[1] : 0) }
    }
}

extension CrossAlignedAutoencoder {
    /// Per-token rewards of transferred samples by Monte Carlo rollouts (Yu et al. 2017, eq. 4): for every prefix
    /// `y₁..ₖ` of sample `b` (k ≤ its length) the decoder — conditioned on the same start state and source —
    /// completes the sentence `rollouts` times by sampling, and `Q[b][k−1]` is the mean reward of the completions;
    /// the last entry (the `</s>` step) is the reward of the whole sample. `rewards[targets[b]]` scores row
    /// `b`'s sequences (each target style has its own discriminator). No gradients.
    ///
    /// Each completion is cut at `maximumLength` words in all.
    public func rolloutRewards(
        samples: [[Int]], initial: Tensor, memory: SourceMemory?, targets: [Int], rewards: [any SequenceReward],
        rollouts: Int, vocabulary: Vocabulary, maximumLength: Int, using generator: inout RandomGenerator
    ) -> [[Double]] {
        precondition(rollouts > 0, "rolloutRewards: rollouts must be positive")
        precondition(
            samples.count == initial.shape[0] && targets.count == samples.count
                && targets.allSatisfy { rewards.indices.contains($0) },
            "rolloutRewards: batch sizes differ or a target has no reward")
        // One reward call per target style, over all of its sequences together.
        func score(_ sequences: [[Int]], rows: [Int]) -> [Double] {
            var values = [Double](repeating: 0, count: sequences.count)
            for style in rewards.indices {
                let indices = rows.indices.filter { targets[rows[$0]] == style }
                guard !indices.isEmpty else { continue }
                let scored = rewards[style].rewards(for: indices.map { sequences[$0] })
                for (index, value) in zip(indices, scored) { values[index] = value }
            }
            return values
        }
        return PrefixRollout.tokenRewards(
            of: samples, prefixCount: { samples[$0].count },
            policy: DecoderRolloutPolicy(autoencoder: self, initial: initial, memory: memory, vocabulary: vocabulary),
            startToken: vocabulary.beginningIndex, paddingToken: vocabulary.endIndex, rollouts: rollouts,
            maximumLength: maximumLength, score: score, using: &generator)
    }

    /// Sampled continuations without gradients from decoder states that have just read a prefix's last word:
    /// each row draws words from `softmax(logits)` until `</s>` or `maximumLength` words.
    func sampleContinuations(
        from states: Tensor, memory: SourceMemory?, vocabulary: Vocabulary, maximumLength: Int,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        withoutGradients {
            let batch = states.shape[0]
            var state = states
            var outputs = [[Int]](repeating: [], count: batch)
            var finished = [Bool](repeating: false, count: batch)
            let width = configuration.vocabularySize
            for step in 0..<maximumLength {
                if step > 0 {
                    let current = outputs.indices.map { outputs[$0].last ?? vocabulary.endIndex }
                    state = decoder(embedding(IndexTensor(shape: [batch], indices: current)), state: state)
                }
                var none: RandomGenerator? = nil
                let probabilities = logits(state, memory: memory, dropoutUsing: &none).softmax(axis: -1).scalars
                for row in 0..<batch where !finished[row] {
                    let chosen = vocabulary.drawWord(
                        from: probabilities[(row * width)..<((row + 1) * width)], using: &generator)
                    if chosen == vocabulary.endIndex { finished[row] = true } else { outputs[row].append(chosen) }
                }
                if !finished.contains(false) { break }
            }
            return outputs
        }
    }
}

/// The style-conditioned decoder as a rollout policy: prefixes read from the transfer's start state (and source
/// memory), continuations sampled until `</s>`.
struct DecoderRolloutPolicy: RolloutPolicy {
    let autoencoder: CrossAlignedAutoencoder
    let initial: Tensor
    let memory: SourceMemory?
    let vocabulary: Vocabulary

    func advance(_ tokens: [Int], after state: Tensor?) -> Tensor {
        withoutGradients {
            autoencoder.decoder(
                autoencoder.embedding(IndexTensor(shape: [tokens.count], indices: tokens)), state: state ?? initial)
        }
    }

    func sampleContinuations(from state: Tensor, maximumLength: Int, using generator: inout RandomGenerator)
        -> [[Int]]
    {
        autoencoder.sampleContinuations(
            from: state, memory: memory, vocabulary: vocabulary, maximumLength: maximumLength, using: &generator)
    }
}
