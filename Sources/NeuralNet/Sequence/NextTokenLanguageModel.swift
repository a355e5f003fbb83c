import Autodiff
import Foundation

/// What training, evaluation and sampling code needs from a next-token language model, whatever its network:
/// the recurrent ``RecurrentLanguageModel`` (LSTM, GRU) and the decoder-only ``TransformerLanguageModel`` conform.
///
/// Every loss is the mean cross entropy per predicted (non-padding) token of a ``LanguageModelBatch``.
public protocol NextTokenLanguageModel: ParameterContainer {
    /// Number of tokens.
    var vocabularySize: Int { get }
    /// The training loss of `batch`, with dropout drawn from `generator` (nothing is drawn without dropout).
    func loss(_ batch: LanguageModelBatch, dropoutUsing generator: inout RandomGenerator) -> Tensor
    /// The loss of `batch` without dropout.
    func loss(_ batch: LanguageModelBatch) -> Tensor
    /// The training loss of `batch` under scheduled sampling (Bengio et al. 2015, see ``ScheduledSampling``):
    /// every input after the first reads the gold token with probability `goldProbability` and the model's own
    /// prediction of that position otherwise (`choice`); targets stay gold; no gradient flows through the choice.
    func scheduledSamplingLoss(
        _ batch: LanguageModelBatch, goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor
    /// The training loss of `batch` with the output softmax replaced by ``SampledSoftmax`` (Jean et al. 2015): one
    /// candidate set drawn from `generator` for the batch, after the dropout masks.
    func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, using generator: inout RandomGenerator
    ) -> Tensor
    /// Perplexity over every predicted token of `sequences`, without gradients.
    func perplexity(on sequences: [[Int]], batchSize: Int) -> Double
    /// Continues `prefix` by up to `count` tokens chosen by `selection`, stopping after `stopToken`.
    func generate(
        prefix: [Int], count: Int, selection: TokenSelection, stopToken: Int?, using generator: inout RandomGenerator
    ) -> [Int]
}

extension LanguageModelBatch {
    /// The same targets and lengths read from other inputs `[T, B]` (scheduled sampling's mixed inputs).
    public func replacingInputs(_ newInputs: IndexTensor) -> LanguageModelBatch {
        precondition(
            newInputs.shape == inputs.shape,
            "LanguageModelBatch.replacingInputs: shape \(newInputs.shape) is not \(inputs.shape)")
        return LanguageModelBatch(inputs: newInputs, targets: targets, lengths: lengths)
    }
}

/// The token scheduled sampling feeds back for one position: the model's argmax or a draw from its softmax.
func scheduledSamplingToken(
    _ logits: ArraySlice<Float>, choice: ScheduledSamplingChoice, using generator: inout RandomGenerator
) -> Int {
    let selection: TokenSelection = choice == .argmax ? .greedy : .sample(temperature: 1)
    return selection.select(from: Array(logits), using: &generator)
}

extension LanguageModelBatch {
    /// Scheduled sampling's inputs at time step `t ≥ 1` (Bengio et al. 2015), the one mixing rule of both language
    /// models: each sequence still running at `t` reads its gold input with probability `goldProbability` (one
    /// uniform draw per sequence, in batch order), else the token chosen (`choice`) from `previousLogits`, the
    /// model's logits `[B, V]` at step `t − 1`. Sequences already ended keep their (padding) input.
    func scheduledSamplingInputs(
        atStep t: Int, previousLogits: ArraySlice<Float>, goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> [Int] {
        let width = inputs.shape[1]
        let vocabulary = previousLogits.count / max(width, 1)
        var tokens = Array(inputs.indices[(t * width)..<((t + 1) * width)])
        for b in 0..<width where t < lengths[b] && generator.nextUnitFloat() >= goldProbability {
            let start = previousLogits.startIndex + b * vocabulary
            tokens[b] = scheduledSamplingToken(
                previousLogits[start..<(start + vocabulary)], choice: choice, using: &generator)
        }
        return tokens
    }
}

extension RecurrentLanguageModel: NextTokenLanguageModel {
    /// Scheduled sampling as Bengio et al. 2015 define it for recurrent networks: the sequence is unrolled one step
    /// at a time, and at step `t ≥ 1` each sequence reads its gold token `s_t` with probability `goldProbability`
    /// (one uniform draw per position, in time-major order), else the token chosen from the logits the model
    /// produced at step `t − 1` on its own mixed history. Dropout (when the model has it) comes from `generator`
    /// too, after the coin of each step.
    public func scheduledSamplingLoss(
        _ batch: LanguageModelBatch, goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(
            (0...1).contains(goldProbability),
            "RecurrentLanguageModel.scheduledSamplingLoss: goldProbability \(goldProbability) not in [0, 1]")
        let (steps, width) = (batch.inputs.shape[0], batch.inputs.shape[1])
        var states: [Cell.State]?
        var previous: [Float] = []
        var stepLogits: [Tensor] = []
        stepLogits.reserveCapacity(steps)
        for t in 0..<steps {
            let tokens =
                t == 0
                ? Array(batch.inputs.indices[0..<width])
                : batch.scheduledSamplingInputs(
                    atStep: t, previousLogits: previous[...], goldProbability: goldProbability, choice: choice,
                    using: &generator)
            var random: RandomGenerator? = dropout > 0 ? generator : nil
            let (outputs, next) = hiddenStates(
                IndexTensor(shape: [1, width], indices: tokens), initialStates: states, dropoutUsing: &random)
            if let random { generator = random }
            states = next
            let logits = output(outputs.reshaped([width, -1]))
            stepLogits.append(logits)
            if t + 1 < steps { previous = logits.detached().scalars }
        }
        return crossEntropy(
            logits: Tensor.concatenate(stepLogits, axis: 0), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }
}

extension TransformerLanguageModel: NextTokenLanguageModel {
    /// Scheduled sampling for a Transformer in two passes (Mihaylova & Martins 2019, "Scheduled Sampling for
    /// Transformers"): a first pass over the gold inputs, without gradients or dropout, predicts every position;
    /// then input `t ≥ 1` of each sequence is the gold `s_t` with probability `goldProbability` (one uniform draw
    /// per position, time-major order), else the token chosen from the first pass's logits at `t − 1`; the second
    /// pass trains on the mixed inputs with the gold targets.
    public func scheduledSamplingLoss(
        _ batch: LanguageModelBatch, goldProbability: Float, choice: ScheduledSamplingChoice,
        using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(
            (0...1).contains(goldProbability),
            "TransformerLanguageModel.scheduledSamplingLoss: goldProbability \(goldProbability) not in [0, 1]")
        let (steps, width) = (batch.inputs.shape[0], batch.inputs.shape[1])
        let stepSize = width * vocabularySize
        let firstPass = withoutGradients { logits(batch.inputs) }.scalars  // [T, B, V]
        var mixed = batch.inputs.indices
        for t in 1..<max(steps, 1) {
            mixed.replaceSubrange(
                (t * width)..<((t + 1) * width),
                with: batch.scheduledSamplingInputs(
                    atStep: t, previousLogits: firstPass[((t - 1) * stepSize)..<(t * stepSize)],
                    goldProbability: goldProbability, choice: choice, using: &generator))
        }
        return loss(
            batch.replacingInputs(IndexTensor(shape: [steps, width], indices: mixed)), dropoutUsing: &generator)
    }
}

/// How `montague train lm` groups sentences into batches and batches into optimizer steps: fixed-size batches in
/// corpus order, or token-budget batches (sentences of similar length together, at most a number of padded tokens
/// per batch, as fairseq's `--max-tokens`); and gradient accumulation over several batches per step.
public enum LanguageModelBatching {
    /// Indices of consecutive groups of `size` sequences (the last may be smaller).
    public static func fixedBatches(count: Int, size: Int) -> [[Int]] {
        precondition(size > 0, "LanguageModelBatching.fixedBatches: size \(size) must be positive")
        return stride(from: 0, to: count, by: size).map { Array($0..<min($0 + size, count)) }
    }

    /// Batches of sequence indices whose padded size (`count × longest input`, the input of a sequence being its
    /// length minus one) stays within `maximumTokens`: the sequences sorted by length (ties by index) are cut
    /// greedily; a sequence longer than the budget forms a batch of its own. Deterministic; every index appears
    /// exactly once.
    public static func tokenBatches(lengths: [Int], maximumTokens: Int) -> [[Int]] {
        precondition(maximumTokens > 0, "LanguageModelBatching.tokenBatches: maximumTokens must be positive")
        let order = lengths.indices.sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var batches: [[Int]] = []
        var current: [Int] = []
        var longest = 0
        for index in order {
            let inputLength = max(lengths[index] - 1, 1)
            let widened = max(longest, inputLength)
            if !current.isEmpty && widened * (current.count + 1) > maximumTokens {
                batches.append(current)
                current = []
                longest = 0
            }
            current.append(index)
            longest = max(longest, inputLength)
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// The loss and gradients of one optimizer step over several batches (gradient accumulation): each batch's
    /// gradient is weighted by its share of the predicted tokens, so the result equals the gradient of the mean
    /// per-token loss over all of them as one batch (exactly, up to float rounding, without dropout). `lossOf`
    /// computes one batch's mean per-token loss (it may draw dropout or scheduled-sampling choices).
    public static func accumulatedGradients<Model: ParameterContainer>(
        of model: Model, batches: [LanguageModelBatch], lossOf: (LanguageModelBatch) -> Tensor
    ) -> (loss: Float, gradients: [Tensor]) {
        precondition(!batches.isEmpty, "LanguageModelBatching.accumulatedGradients: no batches")
        let total = Float(batches.reduce(0) { $0 + $1.tokenCount })
        var sum: [Tensor]?
        var loss: Float = 0
        for batch in batches {
            let weight = Float(batch.tokenCount) / max(total, 1)
            let batchLoss = lossOf(batch)
            let grads = gradients(of: batchLoss, wrt: model.parameterValues)
            loss += weight * batchLoss.item
            if let current = sum {
                sum = zip(current, grads).map { $0 + $1 * weight }
            } else {
                sum = grads.map { $0 * weight }
            }
        }
        return (loss, sum ?? [])
    }
}
