import Autodiff
import Foundation
import MontagueSupport
import NeuralNet

/// SeqGAN with its original LSTM generator: ``SequenceGANTrainer`` over ``LanguageModel``.
public typealias SeqGANTrainer = SequenceGANTrainer<LanguageModel>

/// SeqGAN's training state and its rounds (Yu, Zhang, Wang & Yu 2017, "SeqGAN: Sequence generative adversarial
/// nets with policy gradient", Algorithm 1) for any ``SequenceGenerator`` — the paper's LSTM (``SeqGANTrainer``) or a
/// decoder-only ``TransformerLanguageModel`` sampling with its key/value cache: a generator pretrained by maximum
/// likelihood, a CNN discriminator
/// with a highway layer (``TextCNN/Configuration/seqGANDiscriminator(vocabularySize:paddingIndex:)``), Monte Carlo
/// rollouts by a delayed copy of the generator giving per-token rewards (``MonteCarloRollout``,
/// ``DiscriminatorReward``), REINFORCE generator updates (``SequencePolicyGradient``) and D steps per G step.
///
/// Every model, optimizer and the random generator are saved by ``archive()`` and restored by
/// ``restore(from:)`` between rounds, so a run resumed from its archive continues bit for bit. Evaluation draws
/// from its own generator (seeded from the run's seed and the round), so measuring never changes training.
///
/// ```swift
/// let trainer = SeqGANTrainer(configuration, realSequences: data, oracle: oracle)
/// while trainer.round < configuration.totalRounds {
///     let metrics = trainer.runRound()
///     print(trainer.round, metrics, trainer.evaluate())
/// }
/// ```
public final class SequenceGANTrainer<Generator: SequenceGenerator> {
    /// The run's settings.
    public let configuration: SeqGANConfiguration
    /// The training data (real sequences of `sequenceLength` tokens).
    public let realSequences: [[Int]]
    /// PG-BLEU's reward against ``realSequences`` when the configuration asks for it.
    let bleuReward: BLEUSequenceReward?
    /// The oracle whose NLL measures the generator's samples (the synthetic experiment), if any.
    public let oracle: LanguageModel?
    /// The generator `G_θ`.
    public let generator: Generator
    /// The rollout policy `G_β`, a delayed copy of the generator (every parameter, whatever the network).
    public let rollout: Generator
    /// The discriminator `D_φ`.
    public let discriminator: TextCNN
    /// Adam of the MLE epochs.
    public let pretrainOptimizer: Adam
    /// Adam of the policy-gradient steps.
    public let adversarialOptimizer: Adam
    /// Adam of the discriminator.
    public let discriminatorOptimizer: Adam
    /// The random generator of data order, sampling, rollouts and dropout.
    public var random: RandomGenerator
    /// Rounds done.
    public private(set) var round = 0
    /// Generator steps taken in the adversarial phase (drives the Gumbel temperature).
    public private(set) var generatorStepCount = 0
    /// The REINFORCE estimator (holds the moving-average baseline).
    public private(set) var policyGradient: SequencePolicyGradient

    /// A new run: models initialized from `configuration.seed`, the generator and the rollout network each by
    /// `makeGenerator` (in that order, then the discriminator).
    public init(
        _ configuration: SeqGANConfiguration, realSequences: [[Int]], oracle: LanguageModel? = nil,
        makeGenerator: (inout RandomGenerator) -> Generator
    ) {
        precondition(
            !realSequences.isEmpty && realSequences.allSatisfy { $0.count == configuration.sequenceLength },
            "SeqGANTrainer: real sequences must all have \(configuration.sequenceLength) tokens")
        self.configuration = configuration
        self.realSequences = realSequences
        self.oracle = oracle
        bleuReward =
            configuration.reward == .bleu && configuration.method == .seqgan
            ? BLEUSequenceReward(references: realSequences) : nil
        var initialization = RandomGenerator(seed: configuration.seed)
        generator = makeGenerator(&initialization)
        rollout = makeGenerator(&initialization)
        if let deviation = configuration.generatorInitialStandardDeviation {
            // SeqGAN's code draws every generator variable from N(0, 0.1²) (weights and biases alike).
            for parameter in generator.parameters {
                parameter.update(
                    Tensor.normal(parameter.value.shape, standardDeviation: deviation, using: &initialization))
            }
        }
        var discriminatorConfiguration = TextCNN.Configuration.seqGANDiscriminator(
            vocabularySize: configuration.vocabularySize)
        discriminatorConfiguration.embeddingSize = configuration.discriminatorEmbeddingSize
        discriminatorConfiguration.filterCounts = discriminatorConfiguration.filterCounts.map {
            max(1, Int((Double($0) * configuration.discriminatorFilterScale).rounded()))
        }
        discriminatorConfiguration.dropout = configuration.discriminatorDropout
        discriminator = TextCNN(discriminatorConfiguration, using: &initialization)
        pretrainOptimizer = Adam(generator.parameters, learningRate: configuration.generatorLearningRate)
        adversarialOptimizer = Adam(generator.parameters, learningRate: configuration.generatorLearningRate)
        discriminatorOptimizer = Adam(discriminator.parameters, learningRate: configuration.discriminatorLearningRate)
        random = RandomGenerator(seed: configuration.seed &+ 1)
        policyGradient = SequencePolicyGradient(
            baseline: configuration.baseline, entropyCoefficient: configuration.entropyCoefficient)
        copy(generator, into: rollout)
    }

    /// Starts from a pretrained generator: copies its parameters (generator and rollout) and skips the MLE
    /// pretraining rounds.
    public func startAfterPretraining(from pretrained: Generator) {
        precondition(round == 0, "SeqGANTrainer.startAfterPretraining: the run has already started")
        copy(pretrained, into: generator)
        copy(pretrained, into: rollout)
        round = configuration.pretrainEpochs
    }

    /// The stage of the next round.
    public var nextStage: SeqGANStage { configuration.stage(ofRound: round) }

    /// Runs one round (see ``SeqGANConfiguration``) and returns its training metrics.
    @discardableResult
    public func runRound() -> [String: Double] {
        let stage = nextStage
        var metrics: [String: Double]
        switch stage {
        case .generatorPretraining, .maximumLikelihood:
            metrics = ["mle_loss": maximumLikelihoodEpoch()]
        case .scheduledSampling:
            metrics = scheduledSamplingEpoch()
        case .discriminatorPretraining:
            metrics = discriminatorStep()
        case .adversarial:
            if round == configuration.pretrainEpochs + configuration.discriminatorPretrainRounds {
                copy(generator, into: rollout)
            }
            metrics = [:]
            var rewards: [Double] = []
            for _ in 0..<configuration.generatorSteps {
                rewards.append(configuration.method == .gumbel ? gumbelStep() : policyGradientStep())
                generatorStepCount += 1
            }
            if !rewards.isEmpty {
                metrics[configuration.method == .gumbel ? "generator_loss" : "mean_reward"] =
                    rewards.reduce(0, +) / Double(rewards.count)
            }
            if configuration.method == .gumbel {
                metrics["temperature"] = Double(configuration.gumbelTemperature.value(atStep: generatorStepCount))
            }
            updateRollout()
            var discriminatorLosses: [Double] = []
            for _ in 0..<configuration.discriminatorSteps {
                discriminatorLosses.append(discriminatorStep()["discriminator_loss"] ?? .nan)
            }
            if !discriminatorLosses.isEmpty {
                metrics["discriminator_loss"] = discriminatorLosses.reduce(0, +) / Double(discriminatorLosses.count)
            }
        }
        round += 1
        return metrics
    }

    /// NLL_oracle of `configuration.evaluationSamples` generated sequences (when there is an oracle) and the
    /// generator's NLL of the first 1,000 real sequences, drawn with a generator seeded by the seed and the round.
    public func evaluate() -> [String: Double] {
        var evaluation = RandomGenerator(seed: configuration.seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(round + 1)))
        var metrics: [String: Double] = [:]
        if let oracle {
            let samples = SequenceSampler.sample(
                from: generator, count: configuration.evaluationSamples, length: configuration.sequenceLength,
                startToken: configuration.startToken, using: &evaluation)
            metrics["nll_oracle"] = SeqGANOracle.meanTokenNLL(
                of: samples, under: oracle, startToken: configuration.startToken)
        }
        let held = Array(realSequences.prefix(1000))
        metrics["nll_data"] = SeqGANOracle.meanTokenNLL(
            of: held, under: generator, startToken: configuration.startToken)
        return metrics
    }

    /// One epoch of teacher-forced maximum likelihood over the real sequences in a shuffled order; the mean loss.
    func maximumLikelihoodEpoch() -> Double {
        var order = Array(realSequences.indices)
        shuffle(&order)
        var total = 0.0
        var batches = 0
        for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
            let indices = order[start..<min(start + configuration.batchSize, order.count)]
            let batch = LanguageModelBatch(sequences: indices.map { [configuration.startToken] + realSequences[$0] })
            let loss = generator.loss(batch, dropoutUsing: &random)
            step(pretrainOptimizer, loss: loss, parameters: generator, clip: configuration.gradientClip)
            total += Double(loss.item)
            batches += 1
        }
        return total / Double(max(batches, 1))
    }

    /// One epoch of scheduled sampling (Bengio et al. 2015) over the real sequences in a shuffled order: each batch
    /// feeds the gold token with probability ε (the configuration's schedule at the count of scheduled-sampling
    /// batches so far, derived from the round) and the generator's own choice otherwise; returns the mean loss and
    /// the last batch's ε.
    func scheduledSamplingEpoch() -> [String: Double] {
        let schedule = configuration.scheduledSampling ?? SeqGANConfiguration.defaultScheduledSampling
        let choice = configuration.samplingChoice ?? .sample
        let batchesPerEpoch = (realSequences.count + configuration.batchSize - 1) / configuration.batchSize
        var batchIndex = max(0, round - configuration.pretrainEpochs) * batchesPerEpoch
        var order = Array(realSequences.indices)
        shuffle(&order)
        var total = 0.0
        var batches = 0
        var epsilon: Float = 1
        for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
            let indices = order[start..<min(start + configuration.batchSize, order.count)]
            let batch = LanguageModelBatch(sequences: indices.map { [configuration.startToken] + realSequences[$0] })
            epsilon = schedule.goldProbability(atStep: batchIndex)
            let loss = generator.scheduledSamplingLoss(
                batch, goldProbability: epsilon, choice: choice, using: &random)
            step(pretrainOptimizer, loss: loss, parameters: generator, clip: configuration.gradientClip)
            total += Double(loss.item)
            batches += 1
            batchIndex += 1
        }
        return ["ss_loss": total / Double(max(batches, 1)), "gold_probability": Double(epsilon)]
    }

    /// One REINFORCE step: samples a batch, rewards each token by Monte Carlo rollouts scored by the discriminator,
    /// updates the generator; returns the mean reward.
    func policyGradientStep() -> Double {
        let samples = SequenceSampler.sample(
            from: generator, count: configuration.batchSize, length: configuration.sequenceLength,
            startToken: configuration.startToken, batchSize: configuration.batchSize, using: &random)
        let search = MonteCarloRollout(
            policy: rollout, rolloutCount: configuration.rolloutCount, startToken: configuration.startToken)
        let rewards =
            if let bleuReward {
                search.tokenRewards(for: samples, reward: bleuReward, using: &random)
            } else {
                search.tokenRewards(
                    for: samples, reward: DiscriminatorReward(discriminator: discriminator), using: &random)
            }
        var greedyReward: Double?
        if policyGradient.baseline == .selfCritical {
            var unused = RandomGenerator(seed: 0)
            let greedy = generator.generate(
                prefix: [configuration.startToken], count: configuration.sequenceLength, selection: .greedy,
                stopToken: nil, using: &unused)
            greedyReward =
                bleuReward?.rewards(for: [greedy]).first
                ?? DiscriminatorReward(discriminator: discriminator).rewards(for: [greedy]).first
        }
        let loss = policyGradient.loss(
            of: generator, sequences: samples, tokenRewards: rewards, startToken: configuration.startToken,
            greedyReward: greedyReward)
        step(adversarialOptimizer, loss: loss, parameters: generator, clip: configuration.gradientClip)
        let flat = rewards.joined()
        return flat.reduce(0, +) / Double(max(flat.count, 1))
    }

    /// One Gumbel-softmax generator step through the discriminator; returns the generator loss.
    func gumbelStep() -> Double {
        let loss = GumbelSoftmaxGenerator.generatorLoss(
            generator, discriminator: discriminator, count: configuration.batchSize,
            length: configuration.sequenceLength, startToken: configuration.startToken,
            temperature: configuration.gumbelTemperature.value(atStep: generatorStepCount),
            hard: configuration.gumbelHard, using: &random)
        step(adversarialOptimizer, loss: loss, parameters: generator, clip: configuration.gradientClip)
        return Double(loss.item)
    }

    /// One discriminator step: fresh negatives from the generator and as many real positives, then
    /// `discriminatorEpochs` shuffled epochs of cross entropy (plus the output layer's L2 penalty when
    /// ``SeqGANConfiguration/discriminatorL2`` is set); the mean cross entropy, the mean penalty and the last epoch's
    /// accuracy.
    func discriminatorStep() -> [String: Double] {
        let count = configuration.negativeCount
        let negatives = SequenceSampler.sample(
            from: generator, count: count, length: configuration.sequenceLength,
            startToken: configuration.startToken, using: &random)
        var positives: [[Int]]
        if count >= realSequences.count {
            positives = realSequences
        } else {
            var order = Array(realSequences.indices)
            shuffle(&order)
            positives = order.prefix(count).map { realSequences[$0] }
        }
        let sequences = positives + negatives
        let labels = [Int](repeating: 1, count: positives.count) + [Int](repeating: 0, count: negatives.count)
        var total = 0.0
        var penaltyTotal = 0.0
        var batches = 0
        var correct = 0
        for epoch in 0..<configuration.discriminatorEpochs {
            var order = Array(sequences.indices)
            shuffle(&order)
            for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
                let indices = order[start..<min(start + configuration.batchSize, order.count)]
                var dropout: RandomGenerator? = random
                let logits = discriminator.logits(
                    tokens: discriminator.batch(indices.map { sequences[$0] }), dropoutUsing: &dropout)
                random = dropout ?? random
                let batchLabels = indices.map { labels[$0] }
                let loss = crossEntropy(logits: logits, targets: batchLabels)
                if let penalty = outputPenalty() {
                    step(discriminatorOptimizer, loss: loss + penalty, parameters: discriminator, clip: 0)
                    penaltyTotal += Double(penalty.item)
                } else {
                    step(discriminatorOptimizer, loss: loss, parameters: discriminator, clip: 0)
                }
                total += Double(loss.item)
                batches += 1
                if epoch == configuration.discriminatorEpochs - 1 {
                    let scores = logits.scalars
                    for (row, label) in batchLabels.enumerated() {
                        let predicted = scores[2 * row + 1] > scores[2 * row] ? 1 : 0
                        if predicted == label { correct += 1 }
                    }
                }
            }
        }
        var metrics = [
            "discriminator_loss": total / Double(max(batches, 1)),
            "discriminator_accuracy": Double(correct) / Double(max(sequences.count, 1)),
        ]
        if (configuration.discriminatorL2 ?? 0) > 0 {
            metrics["discriminator_l2"] = penaltyTotal / Double(max(batches, 1))
        }
        return metrics
    }

    /// SeqGAN's L2 penalty on the discriminator's output layer, `λ · (½‖W_out‖² + ½‖b_out‖²)`
    /// (``SeqGANConfiguration/discriminatorL2``), or nil when λ is 0.
    func outputPenalty() -> Tensor? {
        guard let lambda = configuration.discriminatorL2, lambda > 0 else { return nil }
        let output = discriminator.output
        var squares = (output.weight.value * output.weight.value).sum()
        if let bias = output.bias { squares = squares + (bias.value * bias.value).sum() }
        return squares * (0.5 * lambda)
    }

    /// `θ_rollout ← r·θ_rollout + (1 − r)·θ_G`.
    func updateRollout() {
        let rate = configuration.rolloutUpdateRate
        for (target, source) in zip(rollout.parameters, generator.parameters) {
            target.update(target.value * rate + source.value * (1 - rate))
        }
    }

    /// Fisher–Yates with the run's generator (unbiased bounded draws).
    private func shuffle(_ values: inout [Int]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, random.nextInt(below: i + 1))
        }
    }

    private func copy(_ source: Generator, into target: Generator) {
        for (to, from) in zip(target.parameters, source.parameters) { to.update(from.value.detached()) }
    }

    private func step(_ optimizer: Adam, loss: Tensor, parameters model: some ParameterContainer, clip: Float) {
        var grads = gradients(of: loss, wrt: model.parameterValues)
        if clip > 0 { grads = clipByGlobalNorm(grads, maxNorm: clip).clipped }
        optimizer.step(grads)
    }

    /// The models, optimizers, random generator and counters, to resume the run exactly (the generator's
    /// parameters go in as `model.generator.*`).
    public func archive() -> TrainingStateArchive {
        var state = TrainingStateArchive()
        state.store(model: generator, as: "generator")
        state.store(model: rollout, as: "rollout")
        state.store(model: discriminator, as: "discriminator")
        state.store(optimizer: pretrainOptimizer, as: "pretrain")
        state.store(optimizer: adversarialOptimizer, as: "adversarial")
        state.store(optimizer: discriminatorOptimizer, as: "discriminator")
        state.store(generator: random, as: "run")
        state["round"] = String(round)
        state["generator_steps"] = String(generatorStepCount)
        if let movingAverage = policyGradient.movingAverage {
            state["baseline"] = String(movingAverage.bitPattern)
        }
        return state
    }

    /// Restores a state written by ``archive()``.
    ///
    /// - Throws: ``ModelDirectoryError`` or `CheckpointError` when the archive does not fit this configuration.
    public func restore(from state: TrainingStateArchive) throws {
        let savedRound = try state.integer("round")
        guard (0...configuration.totalRounds + 1_000_000).contains(savedRound) else {
            throw ModelDirectoryError(path: state.path, "training state: round \(savedRound) out of range")
        }
        try state.restore(model: generator, from: "generator")
        try state.restore(model: rollout, from: "rollout")
        try state.restore(model: discriminator, from: "discriminator")
        try state.restore(optimizer: pretrainOptimizer, from: "pretrain")
        try state.restore(optimizer: adversarialOptimizer, from: "adversarial")
        try state.restore(optimizer: discriminatorOptimizer, from: "discriminator")
        random = try state.generator("run")
        generatorStepCount = try state.integer("generator_steps")
        policyGradient.movingAverage = state["baseline"].flatMap(UInt64.init).map(Double.init(bitPattern:))
        round = savedRound
    }
}

extension SequenceGANTrainer where Generator == LanguageModel {
    /// A new run of SeqGAN's LSTM generator (``SeqGANConfiguration/embeddingSize``,
    /// ``SeqGANConfiguration/hiddenSize``), models initialized from `configuration.seed`.
    public convenience init(_ configuration: SeqGANConfiguration, realSequences: [[Int]], oracle: LanguageModel? = nil)
    {
        self.init(configuration, realSequences: realSequences, oracle: oracle) { initialization in
            configuration.makeLSTMGenerator(using: &initialization)
        }
    }
}

extension SequenceGANTrainer where Generator == TransformerLanguageModel {
    /// A new run of a decoder-only Transformer generator (``SeqGANConfiguration/transformer``,
    /// ``SeqGANConfiguration/layerCount``, ``SeqGANConfiguration/dropout``), models initialized from
    /// `configuration.seed`.
    public convenience init(_ configuration: SeqGANConfiguration, realSequences: [[Int]], oracle: LanguageModel? = nil)
    {
        self.init(configuration, realSequences: realSequences, oracle: oracle) { initialization in
            configuration.makeTransformerGenerator(using: &initialization)
        }
    }
}
