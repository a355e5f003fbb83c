import Autodiff
import NeuralNet

/// Training-step benchmarks against PyTorch on CPU (bench/pytorch_reference.py implements the same workloads).
///
/// Training-step cases: each function below returns `nil` until the layers and optimizer it needs exist in
/// NeuralNet; make it return a `BenchmarkCase` with one "montague" variant whose `body` runs one full training step
/// (forward, loss, `gradients(of:wrt:)`, Adam update) and the case name unchanged, so bench/compare.py can match it
/// with the PyTorch line. Data: synthetic, seeded, generated once outside `body`.
enum TrainingBenchmarks {
    /// Case name shared with bench/pytorch_reference.py. Unit: steps/s. Target: ≥ 0.8× PyTorch.
    static let mlpCaseName = "mlp 784-256-256-10 relu b128 adam"

    /// Case name shared with bench/pytorch_reference.py. Unit: tokens/s (32 × 35 per step). Target: ≥ 0.8× PyTorch
    /// (it was 0.7× before the model was built from NeuralNet layers).
    static let lstmCaseName = "lstm-lm v10000 e128 h256 b32 t35 adam"

    /// The training-step entries; a factory returning `nil` is a hook not implemented yet.
    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: mlpCaseName, make: mlpTrainingStep),
            BenchmarkEntry(name: lstmCaseName, make: lstmLanguageModelTrainingStep),
            BenchmarkEntry(name: Seq2SeqBenchmark.caseName, make: Seq2SeqBenchmark.trainingStep),
        ]
    }

    /// MLP training step. 784-256-256-10 with ReLU, batch 128 (inputs ~ N(0, 1), labels uniform in
    /// 0..<10), softmax cross-entropy (mean over the batch), Adam (lr 1e-3, β 0.9/0.999, ε 1e-8).
    /// `unitsPerIteration: 1`, metric `.stepsPerSecond`.
    static func mlpTrainingStep() -> BenchmarkCase? {
        var generator = RandomGenerator(seed: 0)
        let layers = [
            Linear(inputSize: 784, outputSize: 256, using: &generator),
            Linear(inputSize: 256, outputSize: 256, using: &generator),
            Linear(inputSize: 256, outputSize: 10, using: &generator),
        ]
        let parameters = layers.flatMap(\.parameters)
        let optimizer = Adam(parameters, learningRate: 1e-3)
        let inputs = Tensor.normal([128, 784], using: &generator)
        let labels = (0..<128).map { _ in generator.nextInt(below: 10) }
        // The graph (and with it the parameters' current storage) is freed before the update, as PyTorch's
        // `backward()` frees its saved tensors: Adam then writes each parameter in place instead of into a second
        // buffer (seven memory streams instead of eight, measured 4% faster per step).
        return .trainingStep(mlpCaseName, metric: .stepsPerSecond, unitsPerIteration: 1) {
            let grads: [Tensor] = {
                let hidden1 = layers[0](inputs).relu()
                let hidden2 = layers[1](hidden1).relu()
                let loss = crossEntropy(logits: layers[2](hidden2), targets: labels)
                return gradients(of: loss, wrt: parameters.map(\.value))
            }()
            optimizer.step(grads)
        }
    }

    /// LSTM language-model training step from NeuralNet layers: `Embedding(10000, 128)`, a one-layer
    /// `LSTM(128, 256)` (``RecurrentNetwork`` of ``LSTMCell``: PyTorch's gates `x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh` in
    /// the order i, f, g, o; zero initial state each step) over 35 time-major steps of batch 32, `Linear` 256→10000
    /// on all 32 × 35 outputs, full-softmax cross-entropy (mean over the tokens), Adam (lr 1e-3).
    /// `unitsPerIteration: 32 * 35`, metric `.tokensPerSecond`.
    static func lstmLanguageModelTrainingStep() -> BenchmarkCase? {
        let (vocabulary, embeddingSize, hiddenSize, batch, steps) = (10_000, 128, 256, 32, 35)
        var generator = RandomGenerator(seed: 0)
        let embedding = Embedding(vocabularySize: vocabulary, dimension: embeddingSize, using: &generator)
        let lstm = LSTM(inputSize: embeddingSize, hiddenSize: hiddenSize, using: &generator)
        let output = Linear(inputSize: hiddenSize, outputSize: vocabulary, using: &generator)
        let parameters = embedding.parameters + lstm.parameters + output.parameters
        let optimizer = Adam(parameters, learningRate: 1e-3)
        // Time-major tokens: inputs [steps, batch] and next-token targets.
        let tokens = (0..<((steps + 1) * batch)).map { _ in generator.nextInt(below: vocabulary) }
        let inputs = IndexTensor(shape: [steps, batch], indices: Array(tokens[..<(steps * batch)]))
        let targets = Array(tokens[batch...])
        return .trainingStep(lstmCaseName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * steps)) {
            let hidden = lstm(embedding(inputs)).outputs.reshaped([steps * batch, hiddenSize])
            let loss = crossEntropy(logits: output(hidden), targets: targets)
            optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
        }
    }
}
