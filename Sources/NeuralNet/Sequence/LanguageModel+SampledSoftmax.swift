import Autodiff

extension RecurrentLanguageModel {
    /// The training loss of `batch` with the output softmax replaced by ``SampledSoftmax`` (for large
    /// vocabularies): mean over the predicted (non-padding) tokens of `−s_t + log Ẑ`, one candidate set drawn from
    /// `generator` for the whole batch. Dropout (when the model has it) is drawn from `generator` too, before the
    /// candidates. Evaluate with ``loss(_:)`` or ``perplexity(on:batchSize:)``, which use the full softmax.
    public func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, using generator: inout RandomGenerator
    ) -> Tensor {
        let (hidden, targets) = sampledSoftmaxRows(batch, softmax: softmax, dropoutUsing: &generator)
        return softmax.loss(
            hidden: hidden, weight: output.weight.value, bias: output.bias?.value, targets: targets,
            using: &generator)
    }

    /// The sampled loss with given candidate draws `samples` (e.g. every class once, which makes it the full
    /// softmax's loss for a uniform proposal); dropout from `generator`.
    public func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, samples: [Int],
        dropoutUsing generator: inout RandomGenerator
    ) -> Tensor {
        let (hidden, targets) = sampledSoftmaxRows(batch, softmax: softmax, dropoutUsing: &generator)
        return softmax.loss(
            hidden: hidden, weight: output.weight.value, bias: output.bias?.value, targets: targets, samples: samples)
    }

    /// The top layer's outputs at the predicted positions `[N, H]` and their targets.
    private func sampledSoftmaxRows(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, dropoutUsing generator: inout RandomGenerator
    ) -> (hidden: Tensor, targets: [Int]) {
        precondition(
            softmax.proposal.vocabularySize == vocabularySize,
            "LanguageModel.sampledLoss: proposal over \(softmax.proposal.vocabularySize) classes, "
                + "vocabulary \(vocabularySize)")
        var random: RandomGenerator? = generator
        let (outputs, _) = hiddenStates(batch.inputs, lengths: batch.lengths, dropoutUsing: &random)
        generator = random ?? generator
        let rows = batch.targets.indices.filter { batch.targets[$0] != LanguageModelBatch.ignoredTarget }
        let hidden = outputs.reshaped([-1, outputs.shape[2]]).indexSelect(axis: 0, indices: IndexTensor(rows))
        return (hidden, rows.map { batch.targets[$0] })
    }
}

extension TransformerLanguageModel {
    /// The training loss of `batch` with the output softmax replaced by ``SampledSoftmax`` (Jean et al. 2015):
    /// the final-norm outputs at the predicted (non-padding) positions are scored against ``sampleCount`` candidates
    /// drawn from `generator` for the whole batch, through the output layer (the transposed token embedding and
    /// ``outputBias`` when tied, Press & Wolf 2017). Dropout is drawn from `generator` first, as in
    /// ``loss(_:dropoutUsing:)``. Evaluate with the full softmax (``loss(_:)``, ``perplexity(on:batchSize:)``).
    public func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, using generator: inout RandomGenerator
    ) -> Tensor {
        let (hidden, targets) = sampledSoftmaxRows(batch, softmax: softmax, dropoutUsing: &generator)
        let (weight, bias) = outputWeightAndBias
        return softmax.loss(hidden: hidden, weight: weight, bias: bias, targets: targets, using: &generator)
    }

    /// The sampled loss with given candidate draws `samples` (e.g. every class once, which makes it the full
    /// softmax's loss for a uniform proposal); dropout from `generator`.
    public func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, samples: [Int],
        dropoutUsing generator: inout RandomGenerator
    ) -> Tensor {
        let (hidden, targets) = sampledSoftmaxRows(batch, softmax: softmax, dropoutUsing: &generator)
        let (weight, bias) = outputWeightAndBias
        return softmax.loss(hidden: hidden, weight: weight, bias: bias, targets: targets, samples: samples)
    }

    /// The final-norm outputs at the predicted positions `[N, D]` (time-major order, as the batch's targets) and
    /// their targets.
    private func sampledSoftmaxRows(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, dropoutUsing generator: inout RandomGenerator
    ) -> (hidden: Tensor, targets: [Int]) {
        precondition(
            softmax.proposal.vocabularySize == vocabularySize,
            "TransformerLanguageModel.sampledLoss: proposal over \(softmax.proposal.vocabularySize) classes, "
                + "vocabulary \(vocabularySize)")
        let (steps, width) = (batch.inputs.shape[0], batch.inputs.shape[1])
        var random: RandomGenerator? = configuration.layer.dropout > 0 ? generator : nil
        let outputs = outputInputs(batchMajor: Self.transposed(batch.inputs), dropoutUsing: &random)
        if let random { generator = random }
        // Targets are time-major (row t·B + b); the outputs are batch-major (row b·T + t).
        let rows = batch.targets.indices.filter { batch.targets[$0] != LanguageModelBatch.ignoredTarget }
        let batchMajorRows = rows.map { ($0 % width) * steps + $0 / width }
        return (outputs.indexSelect(axis: 0, indices: IndexTensor(batchMajorRows)), rows.map { batch.targets[$0] })
    }
}
