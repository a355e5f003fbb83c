import Foundation
import NeuralNet
import Testing

/// The three network families of `train lm`, tiny, without dropout.
private func tinyModels(vocabulary: Int, seed: UInt64) -> [(String, any NextTokenLanguageModel)] {
    var generator = RandomGenerator(seed: seed)
    let lstm = LanguageModel(
        vocabularySize: vocabulary, embeddingSize: 5, hiddenSize: 6, layerCount: 2, using: &generator)
    let gru = GRULanguageModel(vocabularySize: vocabulary, embeddingSize: 5, hiddenSize: 6, using: &generator)
    let transformer = TransformerLanguageModel(
        TransformerLanguageModelConfiguration(
            vocabularySize: vocabulary, modelSize: 8, headCount: 2, feedForwardSize: 12, layerCount: 2, dropout: 0,
            maximumLength: 16),
        using: &generator)
    return [("lstm", lstm), ("gru", gru), ("transformer", transformer)]
}

private func maximumDifference(_ a: [Tensor], _ b: [Tensor]) -> Float {
    zip(a, b).map { x, y in zip(x.scalars, y.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
}

@Suite("Language models of every architecture: accumulation, token batches, scheduled sampling")
struct NextTokenLanguageModelTests {
    static let sequences = [
        [1, 4, 2, 5, 3], [1, 2, 3], [1, 5, 5, 4, 2, 6, 3], [1, 6, 3], [1, 4, 4, 3], [1, 2, 6, 5, 3],
    ]

    @Test("Accumulated gradients of several batches equal the gradient of one batch of all their sentences")
    func accumulationEqualsOneBigBatch() {
        for (name, model) in tinyModels(vocabulary: 7, seed: 11) {
            let whole = LanguageModelBatch(sequences: Self.sequences)
            let expected = gradients(of: model.loss(whole), wrt: model.parameterValues)
            let parts = [[0, 1], [2], [3, 4, 5]].map { LanguageModelBatch(sequences: $0.map { Self.sequences[$0] }) }
            let (loss, accumulated) = LanguageModelBatching.accumulatedGradients(of: model, batches: parts) {
                model.loss($0)
            }
            #expect(abs(loss - model.loss(whole).item) < 1e-5, "\(name)")
            #expect(accumulated.count == expected.count, "\(name)")
            #expect(maximumDifference(accumulated, expected) < 1e-5, "\(name)")
            // Unweighted averaging of the batch gradients would differ: the weights matter.
            let plain = parts.map { gradients(of: model.loss($0), wrt: model.parameterValues) }
            let mean = (0..<expected.count).map { i in
                plain.map { $0[i] }.reduce(Tensor.zeros(expected[i].shape), +) * (1 / 3)
            }
            #expect(maximumDifference(mean, expected) > 1e-5, "\(name)")
        }
    }

    @Test("Token batches hold every sentence once and stay within the budget")
    func tokenBatches() {
        var generator = RandomGenerator(seed: 5)
        let lengths = (0..<200).map { _ in 2 + generator.nextInt(below: 30) }
        for budget in [1, 16, 64, 100] {
            let batches = LanguageModelBatching.tokenBatches(lengths: lengths, maximumTokens: budget)
            #expect(batches.flatMap { $0 }.sorted() == Array(0..<lengths.count))
            for batch in batches where batch.count > 1 {
                let longest = batch.map { lengths[$0] - 1 }.max() ?? 0
                #expect(longest * batch.count <= budget)
            }
        }
        #expect(
            LanguageModelBatching.fixedBatches(count: 7, size: 3) == [[0, 1, 2], [3, 4, 5], [6]])
    }

    @Test("Scheduled sampling with gold probability 1 is teacher forcing, for every architecture")
    func goldProbabilityOneIsTeacherForcing() {
        let batch = LanguageModelBatch(sequences: Self.sequences)
        for (name, model) in tinyModels(vocabulary: 7, seed: 3) {
            var generator = RandomGenerator(seed: 1)
            let scheduled = model.scheduledSamplingLoss(
                batch, goldProbability: 1, choice: .argmax, using: &generator)
            #expect(abs(scheduled.item - model.loss(batch).item) < 1e-5, "\(name)")
            let a = gradients(of: scheduled, wrt: model.parameterValues)
            let b = gradients(of: model.loss(batch), wrt: model.parameterValues)
            #expect(maximumDifference(a, b) < 1e-5, "\(name)")
        }
    }

    @Test("Scheduled sampling with gold probability 0 reads the model's own argmax predictions")
    func goldProbabilityZeroFeedsPredictions() {
        let sequence = [1, 4, 2, 5, 3, 6]
        let batch = LanguageModelBatch(sequences: [sequence])
        for (name, model) in tinyModels(vocabulary: 7, seed: 8) {
            var generator = RandomGenerator(seed: 2)
            let scheduled = model.scheduledSamplingLoss(
                batch, goldProbability: 0, choice: .argmax, using: &generator
            ).item
            let inputs: [Int]
            if name == "transformer" {
                // Two passes: each input after the first is the first pass's prediction on the gold prefix.
                let logits = model.logitsForTest(batch.inputs)
                inputs = [sequence[0]] + (0..<(sequence.count - 2)).map { logits[$0] }
            } else {
                // One pass: the recurrent model reads its own greedy continuation.
                var unused = RandomGenerator(seed: 0)
                let continuation = model.generate(
                    prefix: [sequence[0]], count: sequence.count - 2, selection: .greedy, stopToken: nil,
                    using: &unused)
                inputs = [sequence[0]] + continuation
            }
            let mixed = batch.replacingInputs(IndexTensor(shape: [inputs.count, 1], indices: inputs))
            #expect(abs(scheduled - model.loss(mixed).item) < 1e-5, "\(name)")
        }
    }
}

extension NextTokenLanguageModel {
    /// The argmax of the logits at each position of one time-major sequence `[T, 1]` (full recomputation).
    fileprivate func logitsForTest(_ tokens: IndexTensor) -> [Int] {
        var predictions: [Int] = []
        var unused = RandomGenerator(seed: 0)
        for t in 0..<tokens.shape[0] {
            let prefix = Array(tokens.indices[0...t])
            predictions.append(
                generate(prefix: prefix, count: 1, selection: .greedy, stopToken: nil, using: &unused)[0])
        }
        return predictions
    }
}
