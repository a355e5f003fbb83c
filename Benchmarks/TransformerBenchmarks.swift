import Autodiff
import Corpus
import Foundation
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
    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: caseName, make: trainingStep),
            BenchmarkEntry(name: languageModelCaseName, make: languageModelStep),
            BenchmarkEntry(name: BytePairEncodingBenchmark.caseName, make: BytePairEncodingBenchmark.encoding),
        ]
    }

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
        return .trainingStep(caseName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * length)) {
            let loss = model.loss(sources: sources, targets: targets, using: &generator)
            optimizer.step(gradients(of: loss, wrt: parameters))
        }
    }
}

extension TransformerBenchmarks {
    /// Case name shared with bench/transformer_reference.py. Target: ≥ 1.0× the fastest reference.
    static let languageModelCaseName = "transformer-lm d256 h4 l4 ff1024 v8000 b32 t32 pre-norm gelu tied adam"

    /// A decoder-only Transformer language model's training step (``TransformerLanguageModel``, GPT-like):
    /// d_model 256, 4 heads, feed-forward 1024, 4 pre-norm GELU layers with a final norm, dropout 0.1, learned
    /// positions, output tied to the token embedding (plus a bias), vocabulary 8,000, batch 32 × 32 predicted
    /// tokens, mean cross-entropy, `gradients(of:wrt:)`, Adam (lr 1e-4). Unit: predicted tokens per second.
    static func languageModelStep() -> BenchmarkCase? {
        let (vocabulary, batch, length) = (8_000, 32, 32)
        var generator = RandomGenerator(seed: 0)
        let model = TransformerLanguageModel(
            TransformerLanguageModelConfiguration(
                vocabularySize: vocabulary, modelSize: 256, headCount: 4, feedForwardSize: 1024, layerCount: 4,
                dropout: 0.1, activation: .gelu, normPlacement: .preNorm, positionalEncoding: .learned,
                maximumLength: 512, tiesEmbeddings: true),
            using: &generator)
        let optimizer = Adam(model.parameters, learningRate: 1e-4)
        let sequences = (0..<batch).map { _ in
            (0...length).map { _ in 3 + generator.nextInt(below: vocabulary - 3) }
        }
        let tokens = LanguageModelBatch(sequences: sequences)
        let parameters = model.parameters.map(\.value)
        return .trainingStep(
            languageModelCaseName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * length)
        ) {
            let loss = model.loss(tokens, dropoutUsing: &generator)
            optimizer.step(gradients(of: loss, wrt: parameters))
        }
    }
}

/// Byte-level BPE on the shipped Shakespeare plays (corpora/shakespeare, every line of both XML files, run from the
/// package root): training time with a vocabulary of 8,000 is printed on standard error; the measured body encodes
/// every line (``BytePairEncoding/encode(batch:)``). The trained tokenizer is written to
/// `/tmp/montague-bpe-benchmark.json` for the vocabulary overlap with bench/transformer_reference.py `--bpe`.
enum BytePairEncodingBenchmark {
    /// Case name.
    static let caseName = "bpe-encode shakespeare v8000"

    /// The encoding case, or `nil` when the plays are not found.
    static func encoding() -> BenchmarkCase? {
        var lines: [String] = []
        for play in ["hamlet", "macbeth"] {
            guard let data = FileManager.default.contents(atPath: "corpora/shakespeare/\(play).xml") else {
                printError("# \(caseName): corpora/shakespeare/\(play).xml not found (run from the package root)")
                return nil
            }
            // Split on the byte 0x0A like the Python reference (the plays end lines in CR LF, one Swift Character).
            lines += data.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
        }
        let start = Date()
        let bpe = BytePairEncoding.train(on: lines, vocabularySize: 8_000)
        let training = Date().timeIntervalSince(start)
        let tokens = bpe.encode(batch: lines).map(\.count).reduce(0, +)
        let bytes = lines.map(\.utf8.count).reduce(0, +)
        printError(
            "# \(caseName): \(bytes) bytes, \(lines.count) lines, trained \(bpe.vocabularySize) tokens in "
                + "\(String(format: "%.2f", training)) s, \(tokens) tokens")
        try? bpe.save(to: URL(fileURLWithPath: "/tmp/montague-bpe-benchmark.json"))
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(tokens)) {
            blackHole(bpe.encode(batch: lines))
        }
        return BenchmarkCase(name: caseName, metric: .tokensPerSecond, variants: [montague])
    }
}
