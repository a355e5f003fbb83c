import Autodiff
import NeuralNet

/// The GRU encoder–decoder with Luong "dot" attention training step (bench/pytorch_reference.py builds the same
/// model), from NeuralNet layers as a user would write it.
///
/// Sizes: vocabulary 5,000 (source and target), embedding 256, hidden 256, batch 32, source and target length 20.
/// Encoder: `Embedding` then a one-layer `GRU` (``RecurrentNetwork``) over the source. Decoder, teacher-forced over
/// the target, one step at a time: `Embedding`, a `GRUCell` from the encoder's final state, unscaled
/// ``DotProductAttention`` of the new hidden vector over the 20 encoder outputs, Luong's attentional vector
/// `h̃ = tanh(W_c·[context; h])` (`Linear` 512→256 without bias), no input feeding. Output: `Linear` 256→5000 on
/// all 32 × 20 attentional vectors, mean cross-entropy over the 640 target tokens, `gradients(of:wrt:)`, Adam
/// (lr 1e-3). Unit: target tokens per second (640 per step).
enum Seq2SeqBenchmark {
    /// Case name shared with bench/pytorch_reference.py. Target: ≥ 0.8× PyTorch.
    static let caseName = "gru-seq2seq-dot v5000 e256 h256 b32 t20 adam"

    /// The training step as a benchmark case.
    static func trainingStep() -> BenchmarkCase? {
        let (vocabulary, embeddingSize, hiddenSize, batch, steps) = (5_000, 256, 256, 32, 20)
        var generator = RandomGenerator(seed: 0)
        let sourceEmbedding = Embedding(vocabularySize: vocabulary, dimension: embeddingSize, using: &generator)
        let encoder = GRU(inputSize: embeddingSize, hiddenSize: hiddenSize, using: &generator)
        let targetEmbedding = Embedding(vocabularySize: vocabulary, dimension: embeddingSize, using: &generator)
        let decoderCell = GRUCell(inputSize: embeddingSize, hiddenSize: hiddenSize, using: &generator)
        let attention = DotProductAttention()
        let combine = Linear(inputSize: 2 * hiddenSize, outputSize: hiddenSize, bias: false, using: &generator)
        let output = Linear(inputSize: hiddenSize, outputSize: vocabulary, using: &generator)
        let parameters =
            sourceEmbedding.parameters + encoder.parameters + targetEmbedding.parameters + decoderCell.parameters
            + combine.parameters + output.parameters
        let optimizer = Adam(parameters, learningRate: 1e-3)
        // Time-major tokens: the source [steps, batch]; the target [steps + 1, batch] read as decoder inputs
        // (positions 0..<steps, the first one standing for <bos>) and next-token labels (positions 1...steps).
        let sourceTokens = (0..<(steps * batch)).map { _ in generator.nextInt(below: vocabulary) }
        let targetTokens = (0..<((steps + 1) * batch)).map { _ in generator.nextInt(below: vocabulary) }
        let source = IndexTensor(shape: [steps, batch], indices: sourceTokens)
        let decoderInputs = IndexTensor(shape: [steps, batch], indices: Array(targetTokens[..<(steps * batch)]))
        let labels = Array(targetTokens[batch...])
        return .trainingStep(caseName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * steps)) {
            let encoded = encoder(sourceEmbedding(source))
            let memory = encoded.outputs.permuted([1, 0, 2])  // [batch, source steps, hidden]
            var hidden = encoded.finalStates[0]
            let embedded = targetEmbedding(decoderInputs).split(count: steps, axis: 0)
            var attentional: [Tensor] = []
            attentional.reserveCapacity(steps)
            for t in 0..<steps {
                hidden = decoderCell(embedded[t].reshaped([batch, embeddingSize]), state: hidden)
                let context = attention(
                    query: hidden.reshaped([batch, 1, hiddenSize]), keys: memory, values: memory
                ).context
                let joined = Tensor.concatenate([context.reshaped([batch, hiddenSize]), hidden], axis: 1)
                attentional.append(combine(joined).tanh())
            }
            let logits = output(Tensor.stack(attentional).reshaped([steps * batch, hiddenSize]))
            let loss = crossEntropy(logits: logits, targets: labels)
            optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
        }
    }
}
