import Autodiff
import Foundation

/// Sampled softmax for large vocabularies: the cross entropy of a softmax output layer with the normalizer `Z`
/// estimated by importance sampling over `K` classes drawn from a proposal `q`, instead of summed over all `V`.
///
/// Bengio & Senécal, "Adaptive Importance Sampling to Accelerate Training of a Neural Probabilistic Language
/// Model" (IEEE TNN 2008); Jean, Cho, Memisevic & Bengio, "On Using Very Large Target Vocabulary for Neural Machine
/// Translation" (ACL 2015). As in any importance sampler, the target `p̄` need not be normalized.
///
/// With scores `sₖ = wₖ·h + bₖ`, target `t` and draws `y₁ … y_K ~ q` (independent, with replacement, shared by
/// the rows of a batch), the loss of a row is
/// ```
/// L̃ = −s_t + log Ẑ,    Ẑ = (1/K) Σⱼ exp(s_{yⱼ} − log q(yⱼ))
/// ```
/// i.e. the sampled logits corrected by `−log q`. What holds, and what the tests check:
/// - `Ẑ` is an unbiased estimator of `Z = Σₖ exp(sₖ)`: `E_q[Ẑ] = Z` for every `K` (so `L̃` is biased downwards by
///   Jensen's inequality, `E[L̃] ≤ L`, by `O(1/K)`).
/// - `∇L̃ = −∇s_t + Σⱼ ωⱼ ∇s_{yⱼ}` with `ωⱼ ∝ exp(s_{yⱼ}) / q(yⱼ)` normalized to sum 1: the self-normalized
///   importance-sampling estimate of `∇log Z = E_{p}[∇s]`. It is biased for finite `K` (bias `O(1/K)`) and
///   consistent (the bias vanishes as `K → ∞`); it is exactly unbiased when `q` equals the row's model softmax.
/// Accidental hits (a draw equal to the target) are kept: they are part of the estimate of `Z`.
/// Use the full ``crossEntropy(logits:targets:ignoreIndex:labelSmoothing:reduction:)`` for evaluation.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let softmax = SampledSoftmax(proposal: .logUniform(vocabularySize: 10_000), sampleCount: 64)
/// let hidden = Tensor.normal([8, 32], using: &generator)           // [N, D]
/// let weight = Tensor.normal([10_000, 32], using: &generator)      // [V, D]
/// let loss = softmax.loss(hidden: hidden, weight: weight, bias: nil,
///                         targets: Array(0..<8), using: &generator)
/// ```
public struct SampledSoftmax: Sendable, Equatable {
    /// The proposal `q` the candidates are drawn from.
    public let proposal: SampledSoftmaxProposal
    /// Number of candidates `K` drawn per call.
    public let sampleCount: Int

    /// Sampled softmax drawing `sampleCount` candidates from `proposal`.
    public init(proposal: SampledSoftmaxProposal, sampleCount: Int) {
        precondition(sampleCount > 0, "SampledSoftmax: sampleCount \(sampleCount) must be positive")
        self.proposal = proposal
        self.sampleCount = sampleCount
    }

    /// The mean sampled loss over the rows of `hidden [N, D]` for output weights `weight [V, D]`, optional `bias
    /// [V]` and one target class per row, with ``sampleCount`` candidates drawn from `generator`.
    public func loss(
        hidden: Tensor, weight: Tensor, bias: Tensor?, targets: [Int], using generator: inout RandomGenerator
    ) -> Tensor {
        loss(
            hidden: hidden, weight: weight, bias: bias, targets: targets,
            samples: proposal.sample(count: sampleCount, using: &generator))
    }

    /// The mean sampled loss with the given candidate draws (any number ≥ 1; e.g. to enumerate every draw).
    /// Differentiable in `hidden`, `weight` and `bias` to any order.
    public func loss(hidden: Tensor, weight: Tensor, bias: Tensor?, targets: [Int], samples: [Int]) -> Tensor {
        precondition(
            hidden.rank == 2 && weight.rank == 2 && hidden.shape[1] == weight.shape[1],
            "SampledSoftmax.loss: hidden \(hidden.shape) and weight \(weight.shape) are not [N, D] and [V, D]")
        let vocabularySize = weight.shape[0]
        precondition(
            vocabularySize == proposal.vocabularySize,
            "SampledSoftmax.loss: weight \(weight.shape) has \(vocabularySize) classes, the proposal "
                + "\(proposal.vocabularySize)")
        precondition(
            bias.map { $0.shape == [vocabularySize] } ?? true,
            "SampledSoftmax.loss: bias \(bias?.shape ?? []) is not [\(vocabularySize)]")
        precondition(
            targets.count == hidden.shape[0] && targets.allSatisfy { (0..<vocabularySize).contains($0) },
            "SampledSoftmax.loss: targets \(targets.count) for hidden \(hidden.shape), classes 0..<\(vocabularySize)")
        precondition(
            !samples.isEmpty
                && samples.allSatisfy { (0..<vocabularySize).contains($0) && proposal.probabilities[$0] > 0 },
            "SampledSoftmax.loss: samples must be non-empty classes in 0..<\(vocabularySize) with q > 0")
        let candidates = IndexTensor(samples)
        var sampledScores = Tensor.matmul(hidden, weight.indexSelect(axis: 0, indices: candidates), transposeB: true)
        let logCount = Foundation.log(Double(samples.count))
        let correction = Tensor(
            shape: [samples.count],
            scalars: samples.map { Float(-Foundation.log(proposal.probabilities[$0]) - logCount) })
        if let bias { sampledScores = sampledScores + bias.indexSelect(axis: 0, indices: candidates) }
        let logNormalizer = (sampledScores + correction).logSumExp(axis: 1)
        let targetIndices = IndexTensor(targets)
        var targetScores = (hidden * weight.indexSelect(axis: 0, indices: targetIndices)).sum(axis: 1)
        if let bias { targetScores = targetScores + bias.indexSelect(axis: 0, indices: targetIndices) }
        return (logNormalizer - targetScores).mean()
    }
}
