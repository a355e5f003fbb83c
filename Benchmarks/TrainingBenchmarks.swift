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
        nil
    }

    /// HOOK (lead): LSTM language-model training step. Vocabulary 10,000, embedding 128, one LSTM layer of 256
    /// (gates `x·W_ih + h·W_hh + b`, order i, f, g, o; zero initial state each step), unrolled over 35 steps, batch 32,
    /// full-softmax cross-entropy over the vocabulary (mean over 32 × 35 tokens), Adam (lr 1e-3).
    /// `unitsPerIteration: 32 * 35`, metric `.tokensPerSecond`.
    static func lstmLanguageModelTrainingStep() -> BenchmarkCase? {
        nil
    }
}
