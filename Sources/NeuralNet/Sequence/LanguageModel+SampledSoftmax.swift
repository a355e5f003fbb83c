import Autodiff

extension RecurrentLanguageModel {
    /// The training loss of `batch` with the output softmax replaced by ``SampledSoftmax`` (for large
    /// vocabularies): mean over the predicted (non-padding) tokens of `−s_t + log Ẑ`, one candidate set drawn from
    /// `generator` for the whole batch. Dropout (when the model has it) is drawn from `generator` too, before the
    /// candidates. Evaluate with ``loss(_:)`` or ``perplexity(on:batchSize:)``, which use the full softmax.
    public func sampledLoss(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, using generator: inout RandomGenerator
    ) -> Tensor {
        precondition(
            softmax.proposal.vocabularySize == vocabularySize,
            "LanguageModel.sampledLoss: proposal over \(softmax.proposal.vocabularySize) classes, "
                + "vocabulary \(vocabularySize)")
        var random: RandomGenerator? = generator
        let (outputs, _) = hiddenStates(batch.inputs, lengths: batch.lengths, dropoutUsing: &random)
        generator = random ?? generator
        let rows = batch.targets.indices.filter { batch.targets[$0] != LanguageModelBatch.ignoredTarget }
        let hidden = outputs.reshaped([-1, outputs.shape[2]]).indexSelect(axis: 0, indices: IndexTensor(rows))
        return softmax.loss(
            hidden: hidden, weight: output.weight.value, bias: output.bias?.value,
            targets: rows.map { batch.targets[$0] },
            using: &generator)
    }
}
