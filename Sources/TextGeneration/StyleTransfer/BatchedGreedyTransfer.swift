import Corpus

/// Greedy transfer of many sentences in batches of similar length, shared by the transfer systems of the neural
/// methods (``CrossAlignedTransfer``, ``BackTranslationTransformerTransfer``, ``DualRLTransfer``): the sentences to
/// transfer are sorted by length and cut into batches of `batchSize`; each batch is encoded with the vocabulary,
/// decoded by the model to at most `min(maximumLength, 2·n + 5)` tokens (`n`: the batch's longest input) and decoded
/// back to words. Sorting keeps padding low, so a batch costs about what its sentences need.
struct BatchedGreedyTransfer {
    /// The model's vocabulary.
    let vocabulary: Vocabulary
    /// The longest output, in tokens.
    let maximumLength: Int
    /// Sentences per batch.
    var batchSize = 128

    /// `sentences` with those at `rows` (all of them when nil) replaced by their transfers; `decode` transfers one
    /// batch of ids, given the batch's rows (indices into `sentences`) and the batch's longest output.
    func callAsFunction(
        _ sentences: [[String]], rows: [Int]? = nil,
        decode: (_ ids: [[Int]], _ rows: [Int], _ maximumLength: Int) -> [[Int]]
    ) -> [[String]] {
        var outputs = sentences
        let order = (rows ?? Array(sentences.indices)).sorted { sentences[$0].count < sentences[$1].count }
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let batch = Array(order[start..<min(start + batchSize, order.count)])
            let ids = batch.map { vocabulary.encode(sentences[$0]) }
            let longest = ids.map(\.count).max() ?? 0
            let transferred = decode(ids, batch, min(maximumLength, 2 * longest + 5))
            for (row, output) in zip(batch, transferred) { outputs[row] = vocabulary.decode(output) }
        }
        return outputs
    }
}
