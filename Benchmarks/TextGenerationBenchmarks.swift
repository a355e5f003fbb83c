import Autodiff
import NeuralNet
import TextGeneration

/// SeqGAN's training steps and a sentence-VAE step against PyTorch and JAX (bench/seqgan_reference.py and
/// bench/sentence_vae_reference.py do the same computations). Wired in with `+ TextGenerationBenchmarks.entries` in
/// main.swift.
///
/// SeqGAN (Yu et al. 2017) at its synthetic-data sizes: an LSTM generator with vocabulary 5,000, embedding and
/// hidden 32, batch 64 of 20 tokens, Adam (lr 0.01), global-norm clip 5; the discriminator is
/// ``TextCNN/Configuration/seqGANDiscriminator(vocabularySize:paddingIndex:)`` with the filter counts scaled by 0.25
/// (``SeqGANConfiguration``'s default: 430 filters of widths 1–10, 15, 20), a highway layer, dropout 0.25,
/// embedding 64, Adam (lr 1e-4). Data (real sequences, rewards) is seeded and made once outside the timed body.
enum TextGenerationBenchmarks {
    /// Sampling 64 × 20 tokens, then REINFORCE with fixed per-token rewards (no rollouts). Unit: tokens/s.
    static let generatorStepName = "seqgan-generator-step v5000 e32 h32 b64 t20 reinforce"
    /// Teacher-forced maximum likelihood on 64 real sequences of 20 tokens (the pretraining step). Unit: tokens/s.
    static let maximumLikelihoodStepName = "seqgan-mle-step v5000 e32 h32 b64 t20 adam"
    /// One policy-gradient step as in SeqGAN's adversarial phase: sample 64 × 20, per-token rewards by 16 Monte
    /// Carlo rollouts of the rollout network scored by the discriminator (16 × 19 × 64 = 19,456 completions, scored
    /// in batches of 512), REINFORCE without baseline, clip, Adam. Unit: steps/s.
    static let policyGradientStepName = "seqgan-pg-step v5000 e32 h32 b64 t20 rollout16 d430"
    /// One discriminator update on 64 sequences (32 real, 32 generated, fixed), dropout 0.25, cross-entropy, Adam.
    /// Unit: steps/s.
    static let discriminatorStepName = "seqgan-discriminator-step v5000 e64 f430 b64 t20 adam"
    /// One sentence-VAE step (Bowman et al. 2016): 32 sentences of 20 words + `</s>`, vocabulary 10,000,
    /// embedding 64, LSTM 128, latent 16, word dropout 0.25, KL weight 0.5, clip 5, Adam (lr 1e-3). Unit: tokens/s
    /// (672 predicted tokens per step).
    static let sentenceVAEStepName = "sentence-vae-step v10000 e64 h128 z16 b32 t21 adam"

    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: generatorStepName, make: generatorStep),
            BenchmarkEntry(name: maximumLikelihoodStepName, make: maximumLikelihoodStep),
            BenchmarkEntry(name: policyGradientStepName, make: policyGradientStep),
            BenchmarkEntry(name: discriminatorStepName, make: discriminatorStep),
            BenchmarkEntry(name: sentenceVAEStepName, make: sentenceVAEStep),
        ]
    }

    static let (vocabulary, size, batch, length) = (5_000, 32, 64, 20)

    /// SeqGAN's discriminator at the trainer's default scale (filter counts × 0.25).
    static func discriminator(using generator: inout RandomGenerator) -> TextCNN {
        var configuration = TextCNN.Configuration.seqGANDiscriminator(vocabularySize: vocabulary)
        configuration.filterCounts = configuration.filterCounts.map { max(1, Int((Double($0) * 0.25).rounded())) }
        return TextCNN(configuration, using: &generator)
    }

    /// `count` uniform sequences of `length` tokens in `1..<vocabulary`.
    static func realSequences(_ count: Int, using generator: inout RandomGenerator) -> [[Int]] {
        (0..<count).map { _ in (0..<length).map { _ in 1 + generator.nextInt(below: vocabulary - 1) } }
    }

    static func step(_ adam: Adam, _ loss: Tensor, _ model: some ParameterContainer, clip: Float) {
        var grads = gradients(of: loss, wrt: model.parameterValues)
        if clip > 0 { grads = clipByGlobalNorm(grads, maxNorm: clip).clipped }
        adam.step(grads)
    }

    static func generatorStep() -> BenchmarkCase {
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.01)
        let rewards = (0..<batch).map { _ in (0..<length).map { _ in generator.nextUnitDouble() } }
        var estimator = SequencePolicyGradient()
        var sampling = RandomGenerator(seed: 1)
        return .trainingStep(generatorStepName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * length)) {
            let samples = SequenceSampler.sample(
                from: model, count: batch, length: length, startToken: 0, batchSize: batch, using: &sampling)
            let loss = estimator.loss(of: model, sequences: samples, tokenRewards: rewards, startToken: 0)
            step(adam, loss, model, clip: 5)
        }
    }

    static func maximumLikelihoodStep() -> BenchmarkCase {
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.01)
        let data = LanguageModelBatch(sequences: realSequences(batch, using: &generator).map { [0] + $0 })
        return .trainingStep(
            maximumLikelihoodStepName, metric: .tokensPerSecond, unitsPerIteration: Double(batch * length)
        ) {
            step(adam, model.loss(data), model, clip: 5)
        }
    }

    static func policyGradientStep() -> BenchmarkCase {
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let rollout = LanguageModel(
            vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let critic = discriminator(using: &generator)
        let adam = Adam(model.parameters, learningRate: 0.01)
        var estimator = SequencePolicyGradient()
        let search = MonteCarloRollout(policy: rollout, rolloutCount: 16, startToken: 0)
        let reward = DiscriminatorReward(discriminator: critic, batchSize: 512)
        var random = RandomGenerator(seed: 1)
        return .trainingStep(policyGradientStepName, metric: .stepsPerSecond, unitsPerIteration: 1) {
            let samples = SequenceSampler.sample(
                from: model, count: batch, length: length, startToken: 0, batchSize: batch, using: &random)
            let rewards = search.tokenRewards(for: samples, reward: reward, using: &random)
            let loss = estimator.loss(of: model, sequences: samples, tokenRewards: rewards, startToken: 0)
            step(adam, loss, model, clip: 5)
        }
    }

    static func discriminatorStep() -> BenchmarkCase {
        var generator = RandomGenerator(seed: 0)
        let model = LanguageModel(vocabularySize: vocabulary, embeddingSize: size, hiddenSize: size, using: &generator)
        let critic = discriminator(using: &generator)
        let adam = Adam(critic.parameters, learningRate: 1e-4)
        let real = realSequences(batch / 2, using: &generator)
        let fake = SequenceSampler.sample(
            from: model, count: batch / 2, length: length, startToken: 0, using: &generator)
        let tokens = critic.batch(real + fake)
        let labels = [Int](repeating: 1, count: batch / 2) + [Int](repeating: 0, count: batch / 2)
        var random: RandomGenerator? = RandomGenerator(seed: 1)
        // The same step through the unfused ops (conv1d per width, ReLU, max, concatenate), for comparison.
        var unfusedRandom: RandomGenerator? = RandomGenerator(seed: 1)
        let unfusedAdam = Adam(critic.parameters, learningRate: 1e-4)
        let unfused = BenchmarkVariant(implementation: "montague-unfused", unitsPerIteration: 1) {
            var features = Tensor.unfusedConvolutionMaxPool1D(
                critic.embedding(tokens), weights: critic.convolutions.map(\.weight.value),
                biases: critic.convolutions.compactMap { $0.bias?.value })
            if let highway = critic.highway { features = highway(features) }
            if var dropout = unfusedRandom {
                features = features.dropout(probability: 0.25, training: true, using: &dropout)
                unfusedRandom = dropout
            }
            let loss = crossEntropy(logits: critic.output(features), targets: labels)
            step(unfusedAdam, loss, critic, clip: 0)
        }
        return .trainingStep(
            discriminatorStepName, metric: .stepsPerSecond, unitsPerIteration: 1, otherVariants: [unfused]
        ) {
            let loss = crossEntropy(logits: critic.logits(tokens: tokens, dropoutUsing: &random), targets: labels)
            step(adam, loss, critic, clip: 0)
        }
    }

    static func sentenceVAEStep() -> BenchmarkCase {
        let (words, count, sentenceLength) = (10_000, 32, 20)
        var generator = RandomGenerator(seed: 0)
        let model = SentenceVAE(SentenceVAE.Configuration(vocabularySize: words), using: &generator)
        let adam = Adam(model.parameters, learningRate: 1e-3)
        // Ids 0–3 are <pad>, <unk>, <s>, </s>; words are 4..<10,000.
        let sentences = (0..<count).map { _ in
            [2] + (0..<sentenceLength).map { _ in 4 + generator.nextInt(below: words - 4) } + [3]
        }
        let data = SentenceVAEBatch(sequences: sentences)
        let objective = SentenceVAEObjective(annealing: .constant(0.5), wordDropout: 0.25)
        var random = RandomGenerator(seed: 1)
        return .trainingStep(
            sentenceVAEStepName, metric: .tokensPerSecond, unitsPerIteration: Double(count * (sentenceLength + 1))
        ) {
            let loss = SentenceVAETraining.loss(
                model, batch: data, objective: objective, step: 0, unknownToken: 1, using: &random
            ).loss
            step(adam, loss, model, clip: 5)
        }
    }
}
