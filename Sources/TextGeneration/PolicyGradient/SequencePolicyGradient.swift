import Autodiff
import Foundation
import NeuralNet
import RL

/// What is subtracted from a token's reward before it weighs the token's log-probability (a baseline lowers the
/// variance of REINFORCE without biasing it; Williams 1992).
public enum SequenceBaseline: Codable, Equatable, Sendable {
    /// No baseline: the weight is the reward itself (SeqGAN as published).
    case none
    /// The mean reward of the batch.
    case batchMean
    /// An exponential moving average of earlier batches' mean rewards, `b ← d·b + (1 − d)·mean r`.
    case movingAverage(decay: Double)
    /// The reward of the model's own greedy sequence (self-critical sequence training, Rennie et al. 2017): the
    /// caller decodes greedily, scores that sequence and passes its reward to
    /// ``SequencePolicyGradient/loss(of:sequences:tokenRewards:startToken:greedyReward:)``. Samples better than
    /// what the model would write at test time are reinforced, worse ones suppressed.
    case selfCritical
}

/// REINFORCE for a token-level generator (Williams 1992; as used for sequences by Ranzato et al. 2016 and Yu et al.
/// 2017): the loss
///
/// ```
/// L = −(1/(B·T)) Σ_b Σ_t (Q_bt − baseline) · log G(y_bt | Y_b,<t)  −  β · H[G(· | Y_b,<t)]
/// ```
///
/// whose gradient is the score-function estimate of `−∇ E[Q]`, with an optional entropy bonus `β`. The rewards
/// `Q` come from any source: a ``MonteCarloRollout`` over a ``SequenceReward`` (SeqGAN's discriminator, BLEU, a
/// classifier, a grammar), or sequence-level rewards repeated over the tokens.
public struct SequencePolicyGradient: Sendable {
    /// The baseline.
    public var baseline: SequenceBaseline
    /// The entropy bonus `β` (0: none).
    public var entropyCoefficient: Float
    /// The moving average's current value (nil before the first batch).
    public var movingAverage: Double?

    /// A REINFORCE estimator with `baseline` and entropy bonus `entropyCoefficient`.
    public init(baseline: SequenceBaseline = .none, entropyCoefficient: Float = 0) {
        self.baseline = baseline
        self.entropyCoefficient = entropyCoefficient
    }

    /// The loss to minimize for `sequences` (each fed after `startToken`) drawn from `model`, with per-token
    /// rewards `tokenRewards[b][t]`; updates the moving-average baseline. `greedyReward` is the reward of the
    /// model's greedy sequence, required by the ``SequenceBaseline/selfCritical`` baseline (ignored otherwise).
    public mutating func loss(
        of model: some SequenceGenerator, sequences: [[Int]], tokenRewards: [[Double]], startToken: Int,
        greedyReward: Double? = nil
    ) -> Tensor {
        precondition(
            sequences.count == tokenRewards.count && zip(sequences, tokenRewards).allSatisfy { $0.count == $1.count },
            "SequencePolicyGradient.loss: rewards must match the sequences' shape")
        precondition(!sequences.isEmpty && sequences.allSatisfy { !$0.isEmpty }, "SequencePolicyGradient: no tokens")
        let batch = LanguageModelBatch(sequences: sequences.map { [startToken] + $0 })
        let steps = batch.inputs.shape[0]
        let count = sequences.count
        var allRewards: [Double] = []
        for row in tokenRewards { allRewards += row }
        let meanReward = allRewards.reduce(0, +) / Double(max(allRewards.count, 1))
        let subtracted: Double
        switch baseline {
        case .none: subtracted = 0
        case .batchMean: subtracted = meanReward
        case .movingAverage(let decay):
            subtracted = movingAverage ?? meanReward
            movingAverage = decay * subtracted + (1 - decay) * meanReward
        case .selfCritical:
            precondition(greedyReward != nil, "SequencePolicyGradient: the self-critical baseline needs greedyReward")
            subtracted = greedyReward ?? 0
        }
        // Time-major weights, matching the batch's targets; padded positions weigh 0.
        var weights = [Float](repeating: 0, count: steps * count)
        for b in 0..<count {
            for t in 0..<tokenRewards[b].count { weights[t * count + b] = Float(tokenRewards[b][t] - subtracted) }
        }
        let logits = model.policyLogits(batch)
        let logProbabilities = -crossEntropy(
            logits: logits, targets: batch.targets, ignoreIndex: LanguageModelBatch.ignoredTarget, reduction: .none)
        var loss = PolicyGradientLoss.reinforce(
            logProbabilities: logProbabilities, weights: Tensor(shape: [steps * count], scalars: weights))
        if entropyCoefficient != 0 {
            loss = loss - PolicyGradientLoss.categoricalEntropy(logits: logits) * entropyCoefficient
        }
        return loss
    }
}
