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
        return PrefixRollout.tokenRewards(
            of: sequences, prefixCount: { _ in length - 1 }, policy: GeneratorRolloutPolicy(model: policy),
            startToken: startToken, paddingToken: startToken, rollouts: rolloutCount, maximumLength: length,
            score: { completions, _ in reward.rewards(for: completions) }, using: &generator)
    }
}

/// What Monte Carlo rollouts need of a policy: reading a prefix one token per row, and sampling continuations.
protocol RolloutPolicy {
    /// What the policy keeps of a batch of prefixes.
    associatedtype PrefixState
    /// The state after feeding `tokens` (one per row) after `state`; nil: the empty prefix. No gradients, no
    /// randomness.
    func advance(_ tokens: [Int], after state: PrefixState?) -> PrefixState
    /// One sampled continuation per row of `state`, each at most `maximumLength` tokens.
    func sampleContinuations(
        from state: PrefixState, maximumLength: Int, using generator: inout RandomGenerator
    ) -> [[Int]]
}

/// A ``SequenceGenerator`` completing prefixes by ancestral sampling (``SequenceSampler``): always exactly the
/// requested number of tokens.
struct GeneratorRolloutPolicy<Model: SequenceGenerator>: RolloutPolicy {
    let model: Model

    func advance(_ tokens: [Int], after state: SequenceSampler.Cursor<Model.DecodingState>?)
        -> SequenceSampler.Cursor<Model.DecodingState>
    {
        SequenceSampler.advance(model, tokens: tokens, after: state?.states)
    }

    func sampleContinuations(
        from state: SequenceSampler.Cursor<Model.DecodingState>, maximumLength: Int,
        using generator: inout RandomGenerator
    ) -> [[Int]] {
        SequenceSampler.complete(model, from: state, count: maximumLength, using: &generator)
    }
}

/// Yu et al. 2017's eq. 4 for a batch of samples of any lengths: for every prefix `y₁..ₖ` of sample `b` (`k` from 1
/// to `prefixCount(b)`), `rollouts` sampled completions up to `maximumLength` tokens in all, scored together;
/// `Q[b][k−1]` is their mean reward and `Q[b][prefixCount(b)]` the reward of the whole sample. The prefix states are
/// computed once and shared by the rollouts; the random draws are those of completing the prefixes in the order
/// rollout, prefix length, row.
enum PrefixRollout {
    /// - Parameters:
    ///   - prefixCount: the prefixes of each sample that are completed (all but a final token that ends it, or
    ///     every token when the end is implicit).
    ///   - startToken: fed before the first token of every sample.
    ///   - paddingToken: fed to rows past their end while longer rows read on.
    ///   - score: rewards of complete sequences; the second argument gives each sequence's sample row.
    static func tokenRewards<Policy: RolloutPolicy>(
        of samples: [[Int]], prefixCount: (Int) -> Int, policy: Policy, startToken: Int, paddingToken: Int,
        rollouts: Int, maximumLength: Int, score: ([[Int]], [Int]) -> [Double], using generator: inout RandomGenerator
    ) -> [[Double]] {
        let counts = samples.indices.map(prefixCount)
        let longest = counts.max() ?? 0
        var states: [Policy.PrefixState] = []
        if longest > 0 {
            var state = policy.advance(Array(repeating: startToken, count: samples.count), after: nil)
            for k in 1...longest {
                state = policy.advance(samples.map { k <= $0.count ? $0[k - 1] : paddingToken }, after: state)
                states.append(state)
            }
        }
        var completions: [[Int]] = []
        var owners: [(row: Int, position: Int)] = []
        for _ in 0..<rollouts {
            for k in stride(from: 1, through: longest, by: 1) {
                let tails = policy.sampleContinuations(
                    from: states[k - 1], maximumLength: max(0, maximumLength - k), using: &generator)
                for row in samples.indices where k <= counts[row] {
                    completions.append(Array(samples[row][..<k]) + tails[row])
                    owners.append((row, k - 1))
                }
            }
        }
        var result = counts.map { [Double](repeating: 0, count: $0 + 1) }
        if !completions.isEmpty {
            for (owner, value) in zip(owners, score(completions, owners.map(\.row))) {
                result[owner.row][owner.position] += value / Double(rollouts)
            }
        }
        let whole = score(samples, Array(samples.indices))
        for row in samples.indices { result[row][counts[row]] = whole[row] }
        return result
    }
}
