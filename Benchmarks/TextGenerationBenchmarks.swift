import Autodiff
import NeuralNet
import TextGeneration

/// SeqGAN's generator step against PyTorch (bench/seqgan_reference.py does the same computation). Wired in with
/// `+ TextGenerationBenchmarks.entries` in main.swift.
///
/// One step: sample 64 sequences of 20 tokens from an LSTM generator (vocabulary 5,000, embedding and hidden 32,
/// SeqGAN's oracle sizes) token by token from the full softmax; score them teacher-forced; REINFORCE loss with fixed
/// per-token rewards (the rollout and discriminator are excluded: they are separate cases' work); gradients, global
/// norm clip 5, Adam (lr 0.01). Unit: generated tokens per second (1,280 per step).
enum TextGenerationBenchmarks {
    static let generatorStepName = "seqgan-generator-step v5000 e32 h32 b64 t20 reinforce"

    static var entries: [BenchmarkEntry] {
        [BenchmarkEntry(name: generatorStepName, make: generatorStep)]
    }

    static func generatorStep() -> BenchmarkCase {
        let (vocabulary, size, batch, length) = (5_000, 32, 64, 20)
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.01)
        let rewards = (0..<batch).map { _ in (0..<length).map { _ in generator.nextUnitDouble() } }
        var estimator = SequencePolicyGradient()
        var sampling = RandomGenerator(seed: 1)
        let montague = BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(batch * length)) {
            let samples = SequenceSampler.sample(
                from: model, count: batch, length: length, startToken: 0, batchSize: batch, using: &sampling)
            let loss = estimator.loss(of: model, sequences: samples, tokenRewards: rewards, startToken: 0)
            let grads = clipByGlobalNorm(gradients(of: loss, wrt: model.parameterValues), maxNorm: 5).clipped
            adam.step(grads)
        }
        return BenchmarkCase(name: generatorStepName, metric: .tokensPerSecond, variants: [montague])
    }
}
