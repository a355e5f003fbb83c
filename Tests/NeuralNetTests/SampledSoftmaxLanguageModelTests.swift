import Foundation
import NeuralNet
import Testing

/// LSTM, GRU and Transformer language models (tied and untied output layers), tiny, without dropout.
private func sampledSoftmaxModels(vocabulary: Int, seed: UInt64) -> [(String, any NextTokenLanguageModel)] {
    var generator = RandomGenerator(seed: seed)
    let lstm = LanguageModel(vocabularySize: vocabulary, embeddingSize: 5, hiddenSize: 6, using: &generator)
    let gru = GRULanguageModel(
        vocabularySize: vocabulary, embeddingSize: 5, hiddenSize: 6, layerCount: 2, using: &generator)
    func transformer(tied: Bool) -> TransformerLanguageModel {
        TransformerLanguageModel(
            TransformerLanguageModelConfiguration(
                vocabularySize: vocabulary, modelSize: 8, headCount: 2, feedForwardSize: 12, layerCount: 2,
                dropout: 0, maximumLength: 16, tiesEmbeddings: tied),
            using: &generator)
    }
    return [
        ("lstm", lstm), ("gru", gru), ("transformer (tied)", transformer(tied: true)),
        ("transformer (untied)", transformer(tied: false)),
    ]
}

private func largestDifference(_ a: [Tensor], _ b: [Tensor]) -> Float {
    zip(a, b).map { x, y in zip(x.scalars, y.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
}

extension NextTokenLanguageModel {
    /// The model's sampled loss with explicit candidates (the protocol only asks for the randomly drawn form).
    fileprivate func sampledLossForTest(
        _ batch: LanguageModelBatch, softmax: SampledSoftmax, samples: [Int]
    ) -> Tensor {
        var unused = RandomGenerator(seed: 0)
        switch self {
        case let model as LanguageModel:
            return model.sampledLoss(batch, softmax: softmax, samples: samples, dropoutUsing: &unused)
        case let model as GRULanguageModel:
            return model.sampledLoss(batch, softmax: softmax, samples: samples, dropoutUsing: &unused)
        case let model as TransformerLanguageModel:
            return model.sampledLoss(batch, softmax: softmax, samples: samples, dropoutUsing: &unused)
        default:
            Issue.record("no sampled loss for \(type(of: self))")
            return Tensor.zeros([])
        }
    }
}

@Suite("Sampled softmax for every language-model architecture")
struct SampledSoftmaxLanguageModelTests {
    /// Sequences of different lengths, so that padding is skipped and the Transformer's batch-major rows must be
    /// matched to the time-major targets.
    static let sequences = [[1, 4, 2, 5, 3], [1, 2, 3], [1, 5, 5, 4, 2, 6, 3], [0, 6]]

    @Test("Every class drawn once from a uniform proposal: the sampled loss and gradients are the full softmax's")
    func everyClassOnceIsTheFullSoftmax() {
        let vocabulary = 7
        let softmax = SampledSoftmax(proposal: .uniform(vocabularySize: vocabulary), sampleCount: vocabulary)
        let batch = LanguageModelBatch(sequences: Self.sequences)
        for (name, model) in sampledSoftmaxModels(vocabulary: vocabulary, seed: 3) {
            let full = model.loss(batch)
            let sampled = model.sampledLossForTest(batch, softmax: softmax, samples: Array(0..<vocabulary))
            #expect(abs(full.item - sampled.item) < 1e-5, "\(name): \(full.item) vs \(sampled.item)")
            let expected = gradients(of: full, wrt: model.parameterValues)
            let actual = gradients(of: sampled, wrt: model.parameterValues)
            #expect(largestDifference(expected, actual) < 1e-5, "\(name)")
            // A strict subset of the classes gives another loss: the comparison can fail.
            let partial = model.sampledLossForTest(batch, softmax: softmax, samples: [0, 1, 2])
            #expect(abs(full.item - partial.item) > 1e-3, "\(name)")
        }
    }

    @Test("One candidate drawn from the model's own softmax: the expected gradient is the full softmax's gradient")
    func gradientIsUnbiasedForTheModelsOwnProposal() {
        let vocabulary = 7
        // One predicted token (3 after 1): one row, so the proposal can equal that row's softmax exactly.
        let batch = LanguageModelBatch(sequences: [[1, 3]])
        for (name, model) in sampledSoftmaxModels(vocabulary: vocabulary, seed: 8) {
            let full = model.loss(batch)
            let expected = gradients(of: full, wrt: model.parameterValues)
            // p = softmax of the row's logits, from the full loss of every possible target: p(k) = exp(−loss_k).
            let probabilities = (0..<vocabulary).map { k in
                Foundation.exp(-Double(model.loss(LanguageModelBatch(sequences: [[1, k]])).item))
            }
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5, "\(name)")
            let softmax = SampledSoftmax(proposal: SampledSoftmaxProposal(weights: probabilities), sampleCount: 1)
            var mean = expected.map { Tensor.zeros($0.shape) }
            for draw in 0..<vocabulary {
                let loss = model.sampledLossForTest(batch, softmax: softmax, samples: [draw])
                let weight = Float(softmax.proposal.probabilities[draw])
                mean = zip(mean, gradients(of: loss, wrt: model.parameterValues)).map { $0 + $1 * weight }
            }
            #expect(largestDifference(mean, expected) < 1e-4, "\(name)")
            // A single draw is not the full gradient: the expectation is what matches.
            let single = gradients(
                of: model.sampledLossForTest(batch, softmax: softmax, samples: [0]), wrt: model.parameterValues)
            #expect(largestDifference(single, expected) > 1e-3, "\(name)")
        }
    }

    @Test("Training with the protocol's sampled loss lowers the full loss of the GRU and the Transformer")
    func sampledTrainingLearns() {
        let batch = LanguageModelBatch(sequences: Self.sequences)
        let softmax = SampledSoftmax(proposal: .uniform(vocabularySize: 7), sampleCount: 4)
        for (name, model) in sampledSoftmaxModels(vocabulary: 7, seed: 5) where name != "lstm" {
            var generator = RandomGenerator(seed: 1)
            let adam = Adam(model.parameters, learningRate: 0.05)
            let before = model.loss(batch).item
            for _ in 0..<40 {
                let loss = model.sampledLoss(batch, softmax: softmax, using: &generator)
                adam.step(gradients(of: loss, wrt: model.parameterValues))
            }
            #expect(model.loss(batch).item < 0.7 * before, "\(name)")
        }
    }
}
