import Autodiff
import NeuralNet

/// Training-step benchmarks against PyTorch on CPU (bench/pytorch_reference.py implements the same workloads).
///
/// Hooks for the lead: each function below returns `nil` until the layers and optimizer it needs exist in
/// NeuralNet; make it return a `BenchmarkCase` with one "montague" variant whose `body` runs one full training step
/// (forward, loss, `gradients(of:wrt:)`, Adam update) and the case name unchanged, so bench/compare.py can match it
/// with the PyTorch line. Data: synthetic, seeded, generated once outside `body`.
enum TrainingBenchmarks {
    /// Case name shared with bench/pytorch_reference.py. Unit: steps/s. Target: ≥ 0.8× PyTorch.
    static let mlpCaseName = "mlp 784-256-256-10 relu b128 adam"

    /// Case name shared with bench/pytorch_reference.py. Unit: tokens/s (32 × 35 per step). Target: ≥ 0.7× PyTorch.
    static let lstmCaseName = "lstm-lm v10000 e128 h256 b32 t35 adam"

    /// The training-step entries; a factory returning `nil` is a hook not implemented yet.
    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: mlpCaseName, make: mlpTrainingStep),
            BenchmarkEntry(name: lstmCaseName, make: lstmLanguageModelTrainingStep),
        ]
    }

    /// HOOK (lead): MLP training step. 784-256-256-10 with ReLU, batch 128 (inputs ~ N(0, 1), labels uniform in
    /// 0..<10), softmax cross-entropy (mean over the batch), Adam (lr 1e-3, β 0.9/0.999, ε 1e-8).
    /// `unitsPerIteration: 1`, metric `.stepsPerSecond`.
    static func mlpTrainingStep() -> BenchmarkCase? {
        var generator = RandomGenerator(seed: 0)
        let layers = [
            Linear(784, 256, using: &generator), Linear(256, 256, using: &generator),
            Linear(256, 10, using: &generator),
        ]
        let parameters = layers.flatMap(\.parameters)
        let optimizer = Adam(parameters, learningRate: 1e-3)
        let inputs = Tensor.normal([128, 784], using: &generator)
        let labels = (0..<128).map { _ in generator.nextInt(below: 10) }
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: 1) {
            let hidden1 = layers[0](inputs).relu()
            let hidden2 = layers[1](hidden1).relu()
            let loss = crossEntropy(logits: layers[2](hidden2), targets: labels)
            optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
        }
        return BenchmarkCase(name: mlpCaseName, metric: .stepsPerSecond, variants: [montague])
    }

    /// HOOK (lead): LSTM language-model training step. Vocabulary 10,000, embedding 128, one LSTM layer of 256
    /// (gates `x·W_ih + h·W_hh + b`, order i, f, g, o; zero initial state each step), unrolled over 35 steps, batch 32,
    /// full-softmax cross-entropy over the vocabulary (mean over 32 × 35 tokens), Adam (lr 1e-3).
    /// `unitsPerIteration: 32 * 35`, metric `.tokensPerSecond`.
    static func lstmLanguageModelTrainingStep() -> BenchmarkCase? {
        let (vocabulary, embeddingSize, hiddenSize, batch, steps) = (10_000, 128, 256, 32, 35)
        var generator = RandomGenerator(seed: 0)
        let bound = 1 / Float(hiddenSize).squareRoot()
        let embedding = Parameter(
            Tensor.normal([vocabulary, embeddingSize], standardDeviation: 0.1, using: &generator))
        let weightIH = Parameter(
            Tensor.uniform(
                [embeddingSize, 4 * hiddenSize], low: -bound, high: bound,
                using: &generator))
        let weightHH = Parameter(
            Tensor.uniform(
                [hiddenSize, 4 * hiddenSize], low: -bound, high: bound,
                using: &generator))
        let bias = Parameter(Tensor.zeros([4 * hiddenSize]))
        let weightOut = Parameter(
            Tensor.uniform(
                [hiddenSize, vocabulary], low: -bound, high: bound,
                using: &generator))
        let biasOut = Parameter(Tensor.zeros([vocabulary]))
        let parameters = [embedding, weightIH, weightHH, bias, weightOut, biasOut]
        let optimizer = Adam(parameters, learningRate: 1e-3)
        // Time-major tokens: inputs [steps, batch] and next-token targets.
        let tokens = (0..<((steps + 1) * batch)).map { _ in generator.nextInt(below: vocabulary) }
        let inputs = IndexTensor(shape: [steps, batch], indices: Array(tokens[..<(steps * batch)]))
        let targets = Array(tokens[batch...])
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(batch * steps)) {
            let embedded = embedding.value.indexSelect(axis: 0, indices: inputs)  // [steps, batch, embedding]
            // All input projections in one GEMM, then one slice per step.
            let projected = embedded.matmul(weightIH.value) + bias.value  // [steps, batch, 4·hidden]
            var h = Tensor.zeros([batch, hiddenSize])
            var c = Tensor.zeros([batch, hiddenSize])
            var outputs: [Tensor] = []
            outputs.reserveCapacity(steps)
            for t in 0..<steps {
                let gates =
                    projected.slice(axis: 0, range: t..<(t + 1)).reshaped([batch, 4 * hiddenSize])
                    + h.matmul(weightHH.value)
                let parts = gates.split(count: 4, axis: 1)
                c = parts[1].sigmoid() * c + parts[0].sigmoid() * parts[2].tanh()
                h = parts[3].sigmoid() * c.tanh()
                outputs.append(h)
            }
            let hidden = Tensor.stack(outputs).reshaped([steps * batch, hiddenSize])
            let logits = hidden.matmul(weightOut.value) + biasOut.value
            let loss = crossEntropy(logits: logits, targets: targets)
            optimizer.step(gradients(of: loss, wrt: parameters.map(\.value)))
        }
        return BenchmarkCase(name: lstmCaseName, metric: .tokensPerSecond, variants: [montague])
    }
}
