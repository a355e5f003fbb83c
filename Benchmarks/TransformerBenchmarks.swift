import Autodiff
import NeuralNet

/// The Transformer encoder–decoder training step (bench/transformer_reference.py builds the same model in PyTorch
/// and JAX): d_model 256, 4 heads, feed-forward 1024, 3 encoder + 3 decoder post-norm ReLU layers, dropout 0.1,
/// sinusoidal positions, untied source/target embeddings and output layer over a vocabulary of 8,000, batch 32,
/// source and target length 32, teacher-forced mean cross-entropy, `gradients(of:wrt:)`, Adam (lr 1e-4). Unit:
/// target tokens per second (1,024 per step).
enum TransformerBenchmarks {
    /// Case name shared with bench/transformer_reference.py. Target: ≥ 1.0× the fastest reference.
    static let caseName = "transformer-seq2seq d256 h4 l3+3 ff1024 v8000 b32 t32 adam"

    /// The entries of this file.
    static var entries: [BenchmarkEntry] { [BenchmarkEntry(name: caseName, make: trainingStep)] }

    /// The training step as a benchmark case.
    static func trainingStep() -> BenchmarkCase? {
        let (vocabulary, batch, length) = (8_000, 32, 32)
        var generator = RandomGenerator(seed: 0)
        let model = TransformerSeq2SeqModel(
            TransformerSeq2SeqConfiguration(
                sourceVocabularySize: vocabulary, targetVocabularySize: vocabulary, modelSize: 256, headCount: 4,
                feedForwardSize: 1024, encoderLayerCount: 3, decoderLayerCount: 3, dropout: 0.1,
                activation: .relu, normPlacement: .postNorm, positionalEncoding: .sinusoidal, tiesEmbeddings: false),
            using: &generator)
        let optimizer = Adam(model.parameters, learningRate: 1e-4)
        // Tokens 3… (0 padding, 1 <bos>, 2 <eos> reserved); the target is read as <bos> + its first 31 tokens.
        let sources = (0..<batch).map { _ in (0..<length).map { _ in 3 + generator.nextInt(below: vocabulary - 3) } }
        let targets = (0..<batch).map { _ in
            (0..<(length - 1)).map { _ in 3 + generator.nextInt(below: vocabulary - 3) }
        }
        let parameters = model.parameters.map(\.value)
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(batch * length)) {
            let loss = model.loss(sources: sources, targets: targets, using: &generator)
            optimizer.step(gradients(of: loss, wrt: parameters))
        }
        return BenchmarkCase(name: caseName, metric: .tokensPerSecond, variants: [montague])
    }
}
