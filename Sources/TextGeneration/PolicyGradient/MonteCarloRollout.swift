import Autodiff
import NeuralNet

/// Per-token rewards of sampled sequences by Monte Carlo search (Yu et al. 2017, "SeqGAN: Sequence generative
/// adversarial nets with policy gradient", eq. 4):
///
/// ```
/// Q(Y₁..ₜ₋₁, yₜ) = (1/N) Σₙ R(Y₁..ₜ ⊕ MCⁿ)   for t < T,      Q(Y₁..ₜ₋₁, y_T) = R(Y₁..T)
/// ```
///
/// where `MCⁿ` completes the prefix `Y₁..ₜ` by sampling from the rollout policy (SeqGAN: a delayed copy of the
/// generator) and `R` is any ``SequenceReward`` of complete sequences. The reward is evaluated once, on all
/// `N·(T−1)·B` completions together, so a discriminator sees large batches.
public struct MonteCarloRollout<Policy: SequenceGenerator> {
    /// The rollout policy that completes prefixes (an LSTM or a Transformer).
    public let policy: Policy
    /// Completions per prefix, `N`.
    public let rolloutCount: Int
    /// The token fed before the first token of every sequence.
    public let startToken: Int

    /// A rollout with `rolloutCount` completions per prefix.
    public init(policy: Policy, rolloutCount: Int, startToken: Int) {
        precondition(rolloutCount > 0, "MonteCarloRollout: rolloutCount \(rolloutCount) must be positive")
        self.policy = policy
        self.rolloutCount = rolloutCount
        self.startToken = startToken
    }

    /// `Q[b][t]` for equal-length `sequences` (the full sequence's reward at the last position).
    public func tokenRewards(
        for sequences: [[Int]], reward: some SequenceReward, using generator: inout RandomGenerator
    ) -> [[Double]] {
        guard let length = sequences.first?.count, length > 0 else { return sequences.map { _ in [] } }
        precondition(
            sequences.allSatisfy { $0.count == length }, "MonteCarloRollout: sequences must have equal lengths")
        let batch = sequences.count
        var completions: [[Int]] = []
        completions.reserveCapacity(rolloutCount * (length - 1) * batch)
        for _ in 0..<rolloutCount {
            var cursor = SequenceSampler.advance(
                policy, tokens: Array(repeating: startToken, count: batch), after: nil)
            for t in 0..<(length - 1) {
                let prefixTokens = sequences.map { $0[t] }
                cursor = SequenceSampler.advance(policy, tokens: prefixTokens, after: cursor.states)
                let tails = SequenceSampler.complete(
                    policy, from: cursor, count: length - 1 - t, using: &generator)
                for b in 0..<batch { completions.append(Array(sequences[b][...t]) + tails[b]) }
            }
        }
        let completionRewards = completions.isEmpty ? [] : reward.rewards(for: completions)
        let finalRewards = reward.rewards(for: sequences)
        var result = [[Double]](repeating: [Double](repeating: 0, count: length), count: batch)
        var index = 0
        for _ in 0..<rolloutCount {
            for t in 0..<(length - 1) {
                for b in 0..<batch {
                    result[b][t] += completionRewards[index] / Double(rolloutCount)
                    index += 1
                }
            }
        }
        for b in 0..<batch { result[b][length - 1] = finalRewards[b] }
        return result
    }
}
