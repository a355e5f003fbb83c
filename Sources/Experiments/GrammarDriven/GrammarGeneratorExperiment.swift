import Autodiff
import Foundation
import Grammar
import MontagueSupport
import NeuralNet
import TextGeneration

/// How a generator is trained on a grammar's sample.
public enum GrammarGeneratorMethod: String, CaseIterable, Codable, Sendable {
    /// Maximum likelihood (teacher forcing) every round.
    case mle
    /// Maximum likelihood where each next input is the gold token with probability `ε` and the model's own sample
    /// otherwise, `ε` falling linearly from 1 to a floor over the run (Bengio et al. 2015).
    case scheduledSampling = "scheduled-sampling"
    /// The sentence VAE (Bowman et al. 2016), sampled from its prior.
    case sentenceVAE = "sentence-vae"
    /// MLE pretraining, then REINFORCE with Monte Carlo rollouts (Yu et al. 2017), rewarded by a CNN
    /// discriminator or by the grammar itself.
    case seqgan
    /// MLE pretraining, then the Gumbel-softmax GAN (Kusner & Hernández-Lobato 2016).
    case gumbel
}

/// Where the policy-gradient reward of ``GrammarGeneratorMethod/seqgan`` comes from.
public enum GrammarGeneratorReward: String, CaseIterable, Codable, Sendable {
    /// SeqGAN's discriminator `D(real | Y)`.
    case discriminator
    /// The grammar: 1 for a sentence of the language (``GrammarRewardKind/validity``).
    case grammarValidity = "grammar-validity"
    /// The grammar: the geometric-mean token probability of a sentence of the language
    /// (``GrammarRewardKind/probability``).
    case grammarProbability = "grammar-probability"
}

/// The settings of a generator experiment on a grammar's language; stored with its results.
public struct GrammarGeneratorSettings: Codable, Equatable, Sendable {
    /// The training method.
    public var method: GrammarGeneratorMethod
    /// The policy-gradient reward (``GrammarGeneratorMethod/seqgan`` only).
    public var reward: GrammarGeneratorReward
    /// Sentences sampled from the grammar for training.
    public var trainingSamples: Int
    /// Sentences generated at each measurement.
    public var evaluationSamples: Int
    /// Training sentences longer than this many words are left out.
    public var maximumLength: Int
    /// Embedding width.
    public var embeddingSize: Int
    /// LSTM width.
    public var hiddenSize: Int
    /// Latent dimensions of the sentence VAE.
    public var latentSize: Int
    /// Sentences per batch.
    public var batchSize: Int
    /// Adam's learning rate of the generator.
    public var learningRate: Float
    /// Maximum-likelihood epochs before the adversarial phase (seqgan, gumbel); for the other methods the rounds
    /// are all epochs and this only adds to their count.
    public var pretrainEpochs: Int
    /// Rounds after pretraining: epochs (mle, scheduled sampling, sentence VAE) or adversarial rounds.
    public var rounds: Int
    /// Discriminator rounds between pretraining and the adversarial phase (discriminator reward only).
    public var discriminatorPretrainRounds: Int
    /// Generator steps per adversarial round.
    public var generatorSteps: Int
    /// Discriminator steps per adversarial round.
    public var discriminatorSteps: Int
    /// Monte Carlo completions per prefix.
    public var rolloutCount: Int
    /// The last `ε` of scheduled sampling (the probability of reading the gold token).
    public var scheduledSamplingFloor: Float
    /// The sentence VAE's word dropout.
    public var wordDropout: Float
    /// Rounds between measurements (and always after the last round).
    public var evaluationInterval: Int
    /// Seed of the grammar sample, initialization, training and evaluation.
    public var seed: UInt64

    /// Settings with small defaults (a few minutes per run in a release build).
    public init(
        method: GrammarGeneratorMethod = .mle, reward: GrammarGeneratorReward = .discriminator,
        trainingSamples: Int = 2000, evaluationSamples: Int = 500, maximumLength: Int = 30, embeddingSize: Int = 32,
        hiddenSize: Int = 64, latentSize: Int = 16, batchSize: Int = 64, learningRate: Float = 5e-3,
        pretrainEpochs: Int = 20, rounds: Int = 20, discriminatorPretrainRounds: Int = 5, generatorSteps: Int = 1,
        discriminatorSteps: Int = 3, rolloutCount: Int = 8, scheduledSamplingFloor: Float = 0.5,
        wordDropout: Float = 0.25, evaluationInterval: Int = 2, seed: UInt64 = 1
    ) {
        self.method = method
        self.reward = reward
        self.trainingSamples = trainingSamples
        self.evaluationSamples = evaluationSamples
        self.maximumLength = maximumLength
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.latentSize = latentSize
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.pretrainEpochs = pretrainEpochs
        self.rounds = rounds
        self.discriminatorPretrainRounds = discriminatorPretrainRounds
        self.generatorSteps = generatorSteps
        self.discriminatorSteps = discriminatorSteps
        self.rolloutCount = rolloutCount
        self.scheduledSamplingFloor = scheduledSamplingFloor
        self.wordDropout = wordDropout
        self.evaluationInterval = evaluationInterval
        self.seed = seed
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws(InputError) {
        func check(_ condition: Bool, _ message: String) throws(InputError) {
            if !condition { throw InputError(message) }
        }
        try check(
            trainingSamples > 0 && evaluationSamples >= 2, "need training samples and at least 2 evaluation samples")
        try check(maximumLength > 0, "the maximum length must be positive")
        try check(embeddingSize > 0 && hiddenSize > 0 && latentSize > 0 && batchSize > 0, "sizes must be positive")
        try check(learningRate > 0 && learningRate.isFinite, "the learning rate must be positive")
        try check(pretrainEpochs >= 0 && rounds >= 0 && discriminatorPretrainRounds >= 0, "round counts must be ≥ 0")
        try check(generatorSteps >= 0 && discriminatorSteps >= 0 && rolloutCount > 0, "step counts must be ≥ 0")
        try check((0...1).contains(scheduledSamplingFloor), "the scheduled-sampling floor must be in [0, 1]")
        try check((0..<1).contains(wordDropout), "word dropout must be in [0, 1)")
        try check(evaluationInterval > 0, "the evaluation interval must be positive")
        try check(
            reward == .discriminator || method == .seqgan,
            "a grammar reward needs --method seqgan (policy gradient); the Gumbel GAN differentiates through a discriminator"
        )
    }

    /// Rounds of the whole run.
    public var totalRounds: Int {
        switch method {
        case .mle, .scheduledSampling, .sentenceVAE: pretrainEpochs + rounds
        case .gumbel: pretrainEpochs + discriminatorPretrainRounds + rounds
        case .seqgan: pretrainEpochs + (reward == .discriminator ? discriminatorPretrainRounds : 0) + rounds
        }
    }
}

/// One measurement of a generator during training.
public struct GrammarGeneratorMeasurement: Codable, Sendable, Equatable {
    /// Rounds done.
    public var round: Int
    /// What the last round did (`init`, `mle`, `pretrain-generator`, `pretrain-discriminator`, `adversarial`, …).
    public var stage: String
    /// The grammar oracle's report on the generated sentences.
    public var oracle: GrammarOracle.Report
    /// Diversity self-BLEU-4 of the generated sentences (Zhu et al. 2018; lower is more diverse), nil when fewer
    /// than two are non-empty.
    public var selfBLEU: Double?
    /// Mean number of words of the generated sentences.
    public var meanLength: Double
    /// The training metrics of the last round (loss, reward, discriminator loss, …).
    public var training: [String: Double]

    /// Every value by name, for metrics logs and tables.
    public var metrics: [String: Double] {
        var values = training
        values["validity"] = oracle.validity
        values["coverage"] = oracle.coverage
        values["distinct_valid"] = Double(oracle.distinctValid)
        values["mean_length"] = meanLength
        if let v = oracle.oracleNLL { values["nll_oracle"] = v }
        if let v = oracle.oracleNLLPerToken { values["nll_oracle_per_token"] = v }
        if let v = oracle.novelty { values["novelty"] = v }
        if let v = selfBLEU { values["self_bleu"] = v }
        return values
    }
}

/// What a generator experiment produced.
public struct GrammarGeneratorRun {
    /// The measurements in order (the first before any training).
    public var measurements: [GrammarGeneratorMeasurement]
    /// The training sentences.
    public var trainingSentences: [String]
    /// The sentences generated at the last measurement.
    public var finalSamples: [String]
    /// The token ids.
    public var vocabulary: GrammarVocabulary
    /// The oracle's report on the training sample itself (the ceiling of validity and the reference NLL).
    public var trainingReport: GrammarOracle.Report
    /// The trained generator, for the methods whose generator is a language model.
    public var languageModel: LanguageModel?
    /// The trained sentence VAE (``GrammarGeneratorMethod/sentenceVAE``).
    public var sentenceVAE: SentenceVAE?
}

/// Generator experiments on a weighted grammar's language: sample a training set from the grammar, train a text
/// generator on it, and measure the generator's samples exactly with the grammar (``GrammarOracle``) as training
/// goes — validity, NLL_oracle, novelty, coverage and self-BLEU as curves (docs/probabilistic-grammars.md).
///
/// This is SeqGAN's synthetic experiment (Yu et al. 2017) with an interpretable oracle, and the place to compare
/// policy gradient from an exact reward (the grammar) with policy gradient from a learned one (the discriminator).
/// The generators are TextGeneration's: ``SeqGANTrainer`` (MLE, SeqGAN, Gumbel GAN), a ``LanguageModel`` trained
/// with scheduled sampling, and ``SentenceVAE``.
public enum GrammarGeneratorExperiment {
    /// Runs an experiment; `observe` sees each measurement as it is taken (for logs and progress).
    ///
    /// - Throws: ``InputError`` for invalid settings or a grammar sample with no sentence short enough; the
    ///   grammar's sampling error; whatever `observe` throws.
    public static func run(
        _ grammar: ProbabilisticGrammar, settings: GrammarGeneratorSettings,
        observe: (GrammarGeneratorMeasurement) throws -> Void = { _ in }
    ) throws -> GrammarGeneratorRun {
        try settings.validate()
        let sample = try grammar.samples(count: settings.trainingSamples, seed: settings.seed)
            .map(\.tokens).filter { !$0.isEmpty && $0.count <= settings.maximumLength }
        let vocabulary = GrammarVocabulary(grammar: grammar, sentences: sample)
        guard !sample.isEmpty else {
            throw InputError("no sampled sentence has between 1 and \(settings.maximumLength) words")
        }
        let trainingSentences = sample.map { $0.joined(separator: " ") }
        let oracle = GrammarOracle(grammar: grammar, trainingSample: trainingSentences)
        let encoded = sample.map(vocabulary.encode)
        let length = (encoded.map(\.count).max() ?? 1) + 1
        var run = GrammarGeneratorRun(
            measurements: [], trainingSentences: trainingSentences, finalSamples: [], vocabulary: vocabulary,
            trainingReport: oracle.report(Array(trainingSentences.prefix(settings.evaluationSamples))))
        func measure(round: Int, stage: String, training: [String: Double], draw: (inout RandomGenerator) -> [String])
            throws
        {
            var evaluation = RandomGenerator(seed: settings.seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(round + 1)))
            let texts = draw(&evaluation)
            let measurement = Self.measure(
                texts, oracle: oracle, round: round, stage: stage, training: training)
            run.measurements.append(measurement)
            run.finalSamples = texts
            try observe(measurement)
        }
        let total = settings.totalRounds
        func due(_ round: Int) -> Bool { round % settings.evaluationInterval == 0 || round == total }

        switch settings.method {
        case .mle, .seqgan, .gumbel:
            let fixed = encoded.map { $0 + Array(repeating: GrammarVocabulary.end, count: length - $0.count) }
            let trainer = SeqGANTrainer(
                seqGANConfiguration(settings, vocabularySize: vocabulary.count, length: length),
                realSequences: fixed)
            let reward = GrammarSequenceReward(
                grammar: grammar, vocabulary: vocabulary,
                kind: settings.reward == .grammarProbability ? .probability : .validity)
            var policyGradient = SequencePolicyGradient()
            let draw: (inout RandomGenerator) -> [String] = { generator in
                SequenceSampler.sample(
                    from: trainer.generator, count: settings.evaluationSamples, length: length,
                    startToken: GrammarVocabulary.start, using: &generator
                ).map(vocabulary.decode)
            }
            try measure(round: 0, stage: "init", training: [:], draw: draw)
            for round in 1...max(total, 1) where round <= total {
                let stage = trainer.nextStage
                var metrics: [String: Double]
                if stage == .adversarial && settings.reward != .discriminator {
                    metrics = grammarPolicyRound(
                        trainer, reward: reward, policyGradient: &policyGradient, settings: settings,
                        first: round == settings.pretrainEpochs + 1)
                } else {
                    metrics = trainer.runRound()
                }
                if due(round) { try measure(round: round, stage: stage.rawValue, training: metrics, draw: draw) }
            }
            run.languageModel = trainer.generator
        case .scheduledSampling:
            var initialization = RandomGenerator(seed: settings.seed)
            let model = LanguageModel(
                vocabularySize: vocabulary.count, embeddingSize: settings.embeddingSize,
                hiddenSize: settings.hiddenSize, using: &initialization)
            let adam = Adam(model.parameters, learningRate: settings.learningRate)
            var random = RandomGenerator(seed: settings.seed &+ 1)
            let sequences = encoded.map { [GrammarVocabulary.start] + $0 + [GrammarVocabulary.end] }
            let batchesPerEpoch = (sequences.count + settings.batchSize - 1) / settings.batchSize
            let totalSteps = max(1, total * batchesPerEpoch)
            let schedule = ScheduledSampling.linear(
                start: 1, slope: (1 - settings.scheduledSamplingFloor) / Float(totalSteps),
                minimum: settings.scheduledSamplingFloor)
            let draw: (inout RandomGenerator) -> [String] = { generator in
                SequenceSampler.sample(
                    from: model, count: settings.evaluationSamples, length: length,
                    startToken: GrammarVocabulary.start, using: &generator
                ).map(vocabulary.decode)
            }
            try measure(round: 0, stage: "init", training: [:], draw: draw)
            var step = 0
            for round in 1...max(total, 1) where round <= total {
                var lossSum = 0.0
                var epsilon: Float = 1
                for batch in shuffledBatches(sequences, size: settings.batchSize, using: &random) {
                    epsilon = schedule.goldProbability(atStep: step)
                    let loss = scheduledSamplingLoss(model, batch: batch, goldProbability: epsilon, using: &random)
                    let grads = clipByGlobalNorm(gradients(of: loss, wrt: model.parameterValues), maxNorm: 5).clipped
                    adam.step(grads)
                    lossSum += Double(loss.item)
                    step += 1
                }
                if due(round) {
                    try measure(
                        round: round, stage: "scheduled-sampling",
                        training: ["loss": lossSum / Double(batchesPerEpoch), "gold_probability": Double(epsilon)],
                        draw: draw)
                }
            }
            run.languageModel = model
        case .sentenceVAE:
            var initialization = RandomGenerator(seed: settings.seed)
            let model = SentenceVAE(
                SentenceVAE.Configuration(
                    vocabularySize: vocabulary.count, embeddingSize: settings.embeddingSize,
                    hiddenSize: settings.hiddenSize, latentSize: settings.latentSize),
                using: &initialization)
            let adam = Adam(model.parameters, learningRate: settings.learningRate)
            var random = RandomGenerator(seed: settings.seed &+ 1)
            let sequences = encoded.map { [GrammarVocabulary.start] + $0 + [GrammarVocabulary.end] }
            let batchesPerEpoch = (sequences.count + settings.batchSize - 1) / settings.batchSize
            let objective = SentenceVAEObjective(
                annealing: .linear(steps: max(1, total * batchesPerEpoch / 2)), wordDropout: settings.wordDropout)
            let draw: (inout RandomGenerator) -> [String] = { generator in
                SentenceVAETraining.sample(
                    model, count: settings.evaluationSamples, beginToken: GrammarVocabulary.start,
                    endToken: GrammarVocabulary.end, maximumLength: length, selection: .sample(temperature: 1),
                    using: &generator
                ).map(vocabulary.decode)
            }
            try measure(round: 0, stage: "init", training: [:], draw: draw)
            var step = 0
            for round in 1...max(total, 1) where round <= total {
                var sums = (loss: 0.0, reconstruction: 0.0, kl: 0.0)
                for batch in shuffledBatches(sequences, size: settings.batchSize, using: &random) {
                    let parts = SentenceVAETraining.loss(
                        model, batch: SentenceVAEBatch(sequences: batch), objective: objective, step: step,
                        unknownToken: GrammarVocabulary.unknown, using: &random)
                    let grads = clipByGlobalNorm(
                        gradients(of: parts.loss, wrt: model.parameterValues), maxNorm: 5
                    ).clipped
                    adam.step(grads)
                    sums.loss += Double(parts.loss.item)
                    sums.reconstruction += parts.reconstruction
                    sums.kl += parts.kl
                    step += 1
                }
                if due(round) {
                    let n = Double(batchesPerEpoch)
                    try measure(
                        round: round, stage: "sentence-vae",
                        training: [
                            "loss": sums.loss / n, "reconstruction_nll": sums.reconstruction / n, "kl": sums.kl / n,
                        ],
                        draw: draw)
                }
            }
            run.sentenceVAE = model
        }
        return run
    }

    /// The oracle's measurement of generated sentences.
    static func measure(
        _ texts: [String], oracle: GrammarOracle, round: Int, stage: String, training: [String: Double]
    ) -> GrammarGeneratorMeasurement {
        let nonEmpty = texts.filter { !$0.isEmpty }
        let selfBLEU = nonEmpty.count >= 2 ? try? DiversityMetrics.selfBLEU(nonEmpty) : nil
        let words = texts.reduce(0) { $0 + $1.split(separator: " ").count }
        return GrammarGeneratorMeasurement(
            round: round, stage: stage, oracle: oracle.report(texts), selfBLEU: selfBLEU,
            meanLength: Double(words) / Double(max(texts.count, 1)), training: training)
    }

    /// SeqGAN's settings for a grammar run; the grammar-rewarded runs have no discriminator rounds.
    static func seqGANConfiguration(
        _ settings: GrammarGeneratorSettings, vocabularySize: Int, length: Int
    ) -> SeqGANConfiguration {
        let method: SeqGANMethod =
            switch settings.method {
            case .gumbel: .gumbel
            case .seqgan: .seqgan
            default: .mle
            }
        return SeqGANConfiguration(
            method: method, vocabularySize: vocabularySize, sequenceLength: length,
            startToken: GrammarVocabulary.start, embeddingSize: settings.embeddingSize,
            hiddenSize: settings.hiddenSize, batchSize: settings.batchSize,
            generatorLearningRate: settings.learningRate, pretrainEpochs: settings.pretrainEpochs,
            discriminatorPretrainRounds: settings.reward == .discriminator ? settings.discriminatorPretrainRounds : 0,
            adversarialRounds: settings.rounds, generatorSteps: settings.generatorSteps,
            discriminatorSteps: settings.discriminatorSteps, negativeCount: min(1000, settings.trainingSamples),
            rolloutCount: settings.rolloutCount, evaluationSamples: settings.evaluationSamples,
            trainingSamples: settings.trainingSamples, seed: settings.seed)
    }

    /// One adversarial round rewarded by the grammar instead of the discriminator: `generatorSteps` REINFORCE
    /// steps with Monte Carlo rollouts by the trainer's rollout network (SeqGAN eq. 4 with `R` = the grammar),
    /// then the rollout network's delayed update. Returns the mean token reward.
    static func grammarPolicyRound(
        _ trainer: SeqGANTrainer, reward: GrammarSequenceReward, policyGradient: inout SequencePolicyGradient,
        settings: GrammarGeneratorSettings, first: Bool
    ) -> [String: Double] {
        let configuration = trainer.configuration
        if first { blend(trainer.rollout, toward: trainer.generator, keeping: 0) }
        var rewards: [Double] = []
        var sentenceRewards: [Double] = []
        for _ in 0..<configuration.generatorSteps {
            let samples = SequenceSampler.sample(
                from: trainer.generator, count: configuration.batchSize, length: configuration.sequenceLength,
                startToken: configuration.startToken, batchSize: configuration.batchSize, using: &trainer.random)
            let rollout = MonteCarloRollout(
                policy: trainer.rollout, rolloutCount: configuration.rolloutCount,
                startToken: configuration.startToken)
            let tokenRewards = rollout.tokenRewards(for: samples, reward: reward, using: &trainer.random)
            let loss = policyGradient.loss(
                of: trainer.generator, sequences: samples, tokenRewards: tokenRewards,
                startToken: configuration.startToken)
            var grads = gradients(of: loss, wrt: trainer.generator.parameterValues)
            if configuration.gradientClip > 0 {
                grads = clipByGlobalNorm(grads, maxNorm: configuration.gradientClip).clipped
            }
            trainer.adversarialOptimizer.step(grads)
            let flat = tokenRewards.joined()
            rewards.append(flat.reduce(0, +) / Double(max(flat.count, 1)))
            sentenceRewards += reward.rewards(for: samples)
        }
        blend(trainer.rollout, toward: trainer.generator, keeping: configuration.rolloutUpdateRate)
        var metrics: [String: Double] = [:]
        if !rewards.isEmpty {
            metrics["mean_reward"] = rewards.reduce(0, +) / Double(rewards.count)
            metrics["sentence_reward"] = sentenceRewards.reduce(0, +) / Double(sentenceRewards.count)
        }
        return metrics
    }

    /// `θ_target ← r·θ_target + (1 − r)·θ_source`.
    static func blend(_ target: LanguageModel, toward source: LanguageModel, keeping rate: Float) {
        for (to, from) in zip(target.parameters, source.parameters) {
            to.update((to.value * rate + from.value * (1 - rate)).detached())
        }
    }

    /// The sequences in shuffled batches of `size` (the last one possibly smaller).
    static func shuffledBatches(_ sequences: [[Int]], size: Int, using generator: inout RandomGenerator) -> [[[Int]]] {
        var order = Array(sequences.indices)
        if order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        }
        return stride(from: 0, to: order.count, by: size).map { start in
            order[start..<min(start + size, order.count)].map { sequences[$0] }
        }
    }

    /// The scheduled-sampling loss of one batch (each sequence `<s> … </s>`): the LSTM is unrolled one step at a
    /// time and reads, after the first position, the gold previous token with probability `goldProbability` and a
    /// token sampled from its own previous distribution otherwise, independently per sequence and position
    /// (Bengio et al. 2015); no gradient flows through the choice. Mean cross entropy per gold target.
    public static func scheduledSamplingLoss(
        _ model: LanguageModel, batch sequences: [[Int]], goldProbability: Float,
        using generator: inout RandomGenerator
    ) -> Tensor {
        let batch = LanguageModelBatch(sequences: sequences)
        let steps = batch.inputs.shape[0]
        let count = batch.inputs.shape[1]
        let vocabulary = model.vocabularySize
        let gold = batch.inputs.indices
        var input = Array(gold[0..<count])
        var states: [LSTMState]? = nil
        var logits: [Tensor] = []
        for t in 0..<steps {
            let (stepLogits, next) = model.logits(
                IndexTensor(shape: [1, count], indices: input), initialStates: states)
            logits.append(stepLogits)
            states = next
            guard t + 1 < steps else { break }
            let probabilities = withoutGradients {
                stepLogits.detached().reshaped([count, vocabulary]).softmax(axis: -1).scalars
            }
            for b in 0..<count {
                let goldToken = gold[(t + 1) * count + b]
                if generator.nextUnitFloat() < goldProbability {
                    input[b] = goldToken
                } else {
                    var u = Float(generator.nextUnitDouble())
                    var chosen = vocabulary - 1
                    for k in 0..<vocabulary {
                        u -= probabilities[b * vocabulary + k]
                        if u < 0 {
                            chosen = k
                            break
                        }
                    }
                    input[b] = chosen
                }
            }
        }
        return crossEntropy(
            logits: Tensor.concatenate(logits, axis: 0).reshaped([-1, vocabulary]), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }
}
