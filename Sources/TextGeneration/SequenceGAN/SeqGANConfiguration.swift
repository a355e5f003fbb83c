import MontagueSupport
import NeuralNet

/// How a SeqGAN run trains its generator after maximum-likelihood pretraining.
public enum SeqGANMethod: String, Codable, CaseIterable, Sendable {
    /// Maximum likelihood throughout: each round after pretraining is one more MLE epoch (the paper's baseline).
    case mle
    /// Scheduled sampling (Bengio et al. 2015), the paper's "SS" baseline: each round after pretraining is one
    /// epoch in which every input after the first is the gold token with probability ε and the generator's own
    /// sample otherwise, ε decaying per batch (``SeqGANConfiguration/scheduledSampling``).
    case scheduledSampling = "scheduled-sampling"
    /// SeqGAN (Yu et al. 2017): policy-gradient generator updates rewarded by a CNN discriminator through Monte
    /// Carlo rollouts, with discriminator steps between them.
    case seqgan
    /// The Gumbel-softmax GAN (Kusner & Hernández-Lobato 2016; Jang et al. 2017): the same schedule, but each
    /// generator step back-propagates the discriminator's verdict through straight-through (or soft)
    /// Gumbel-softmax samples instead of REINFORCE.
    case gumbel
}

/// What rewards SeqGAN's policy-gradient generator steps.
public enum SeqGANReward: String, Codable, CaseIterable, Sendable {
    /// The discriminator's probability that a Monte Carlo completion is real (SeqGAN).
    case discriminator
    /// Sentence BLEU-4 of each completion against the training sequences (PG-BLEU, Yu et al. 2017's baseline).
    case bleu
}

/// The network of a SeqGAN generator.
public enum SeqGANArchitecture: String, Codable, CaseIterable, Sendable {
    /// SeqGAN's single-layer LSTM (``SeqGANConfiguration/embeddingSize``, ``SeqGANConfiguration/hiddenSize``).
    case lstm
    /// A decoder-only causal Transformer (``TransformerLanguageModel``; Radford et al. 2018, Vaswani et al. 2017
    /// layers) of ``SeqGANConfiguration/layerCount`` layers sized by ``SeqGANConfiguration/transformer``, sampling
    /// token by token with its key/value cache.
    case transformer
}

/// Every setting of a SeqGAN run (Yu, Zhang, Wang & Yu 2017, "SeqGAN: Sequence generative adversarial nets with
/// policy gradient"); stored as the model directory's hyperparameters. ``paper(method:)`` gives the published
/// synthetic-data setup; the defaults are a smaller, faster version of it.
///
/// A run is a sequence of *rounds*: `pretrainEpochs` MLE epochs of the generator, then (SeqGAN only)
/// `discriminatorPretrainRounds` discriminator rounds, then `adversarialRounds` rounds of `generatorSteps`
/// policy-gradient steps followed by `discriminatorSteps` discriminator steps (for ``SeqGANMethod/mle``, one MLE
/// epoch each).
public struct SeqGANConfiguration: Codable, Equatable, Sendable {
    /// The training method after pretraining.
    public var method: SeqGANMethod
    /// Tokens in the vocabulary.
    public var vocabularySize: Int
    /// Tokens per generated sequence.
    public var sequenceLength: Int
    /// The token fed before the first one (never emitted).
    public var startToken: Int
    /// Generator embedding width (LSTM).
    public var embeddingSize: Int
    /// Generator LSTM width.
    public var hiddenSize: Int
    /// The generator's network; `nil` (directories written before Transformer generators existed) is the LSTM.
    public var architecture: SeqGANArchitecture?
    /// The Transformer generator's sizes and choices (``SeqGANArchitecture/transformer`` only; `nil` there: the
    /// defaults of `train lm`).
    public var transformer: Seq2SeqTransformerSettings?
    /// The Transformer generator's layers (`nil`: 2, as `train lm`).
    public var layerCount: Int?
    /// The Transformer generator's dropout in maximum-likelihood and scheduled-sampling training (`nil`: 0);
    /// sampling, rollouts, policy-gradient and Gumbel-softmax steps run without dropout.
    public var dropout: Float?
    /// Sequences per generator batch (MLE and policy gradient).
    public var batchSize: Int
    /// Adam's learning rate for the generator (pretraining and adversarial steps each have their own Adam).
    public var generatorLearningRate: Float
    /// Global gradient-norm clip of the generator (0: none).
    public var gradientClip: Float
    /// MLE epochs before the adversarial phase.
    public var pretrainEpochs: Int
    /// Discriminator rounds before the adversarial phase (SeqGAN only).
    public var discriminatorPretrainRounds: Int
    /// Rounds after pretraining.
    public var adversarialRounds: Int
    /// Policy-gradient steps per adversarial round.
    public var generatorSteps: Int
    /// Discriminator steps per adversarial round; each draws fresh negatives and trains `discriminatorEpochs`
    /// epochs.
    public var discriminatorSteps: Int
    /// Epochs over positives + negatives per discriminator step.
    public var discriminatorEpochs: Int
    /// Generated negatives (and as many real positives) per discriminator step.
    public var negativeCount: Int
    /// Discriminator embedding width.
    public var discriminatorEmbeddingSize: Int
    /// Multiplies SeqGAN's filter counts (100–200 per width); 1 is the paper's discriminator.
    public var discriminatorFilterScale: Double
    /// Discriminator dropout in training.
    public var discriminatorDropout: Float
    /// Adam's learning rate for the discriminator.
    public var discriminatorLearningRate: Float
    /// Monte Carlo completions per prefix.
    public var rolloutCount: Int
    /// The rollout network's delayed update: `θ_rollout ← r·θ_rollout + (1 − r)·θ_G` after each round.
    public var rolloutUpdateRate: Float
    /// The policy-gradient baseline.
    public var baseline: SequenceBaseline
    /// The policy-gradient entropy bonus.
    public var entropyCoefficient: Float
    /// The Gumbel-softmax temperature over generator steps (``SeqGANMethod/gumbel``).
    public var gumbelTemperature: GumbelTemperature
    /// Straight-through one-hot samples (true) or soft samples (false) (``SeqGANMethod/gumbel``).
    public var gumbelHard: Bool
    /// Rounds between NLL_oracle measurements (and always after the last round).
    public var evaluationInterval: Int
    /// Generated sequences scored per NLL_oracle measurement.
    public var evaluationSamples: Int
    /// Real sequences drawn from the oracle as training data.
    public var trainingSamples: Int
    /// Seed of the data, initialization, sampling and dropout.
    public var seed: UInt64
    /// When set, every generator parameter (embedding, LSTM, output layer) is drawn from `N(0, σ²)` with this σ,
    /// as SeqGAN's code initializes its generator (σ = 0.1); `nil` keeps PyTorch's uniform initialization.
    /// (Optional so that model directories written before this setting existed still load.)
    public var generatorInitialStandardDeviation: Float?
    /// What rewards the policy-gradient steps (``SeqGANMethod/seqgan``): the discriminator (SeqGAN) or BLEU against
    /// the training data (PG-BLEU, ``BLEUSequenceReward``). `nil` (directories written before this setting) is the
    /// discriminator.
    public var reward: SeqGANReward?
    /// The decay of ε, the probability of feeding the gold token, over the batches after pretraining
    /// (``SeqGANMethod/scheduledSampling``); `nil` is ``defaultScheduledSampling``.
    public var scheduledSampling: ScheduledSampling?
    /// What scheduled sampling feeds back: a draw from the generator's softmax (as Bengio et al. 2015) or its argmax;
    /// `nil` is a draw.
    public var samplingChoice: ScheduledSamplingChoice?
    /// λ of the discriminator's L2 penalty on its output layer, `λ · (½‖W_out‖² + ½‖b_out‖²)`, added to the mean
    /// cross entropy of every discriminator batch as SeqGAN's code does (`l2_reg_lambda`, 0.2 there); `nil` or 0:
    /// no penalty. (Optional so that model directories written before this setting existed still load.)
    public var discriminatorL2: Float?

    /// ε of ``SeqGANMethod/scheduledSampling`` when none is given: linear from 1 by 10⁻⁴ per batch down to 0.5
    /// (with 10,000 sequences in batches of 64, 157 batches an epoch: ε reaches 0.5 after 32 epochs).
    public static let defaultScheduledSampling = ScheduledSampling.linear(start: 1, slope: 1e-4, minimum: 0.5)

    /// A configuration; the defaults are a scaled-down version of the paper's (see ``paper(method:)``).
    public init(
        method: SeqGANMethod = .seqgan, vocabularySize: Int = 5000, sequenceLength: Int = 20, startToken: Int = 0,
        embeddingSize: Int = 32, hiddenSize: Int = 32, batchSize: Int = 64, generatorLearningRate: Float = 0.01,
        gradientClip: Float = 5, pretrainEpochs: Int = 40, discriminatorPretrainRounds: Int = 10,
        adversarialRounds: Int = 50, generatorSteps: Int = 1, discriminatorSteps: Int = 5,
        discriminatorEpochs: Int = 1, negativeCount: Int = 1000, discriminatorEmbeddingSize: Int = 64,
        discriminatorFilterScale: Double = 0.25, discriminatorDropout: Float = 0.25,
        discriminatorLearningRate: Float = 1e-4, rolloutCount: Int = 16, rolloutUpdateRate: Float = 0.8,
        baseline: SequenceBaseline = .none, entropyCoefficient: Float = 0,
        gumbelTemperature: GumbelTemperature = GumbelTemperature(), gumbelHard: Bool = true,
        evaluationInterval: Int = 5,
        evaluationSamples: Int = 2000, trainingSamples: Int = 10_000, seed: UInt64 = 0,
        generatorInitialStandardDeviation: Float? = nil, reward: SeqGANReward? = nil,
        scheduledSampling: ScheduledSampling? = nil, samplingChoice: ScheduledSamplingChoice? = nil,
        discriminatorL2: Float? = nil, architecture: SeqGANArchitecture? = nil,
        transformer: Seq2SeqTransformerSettings? = nil, layerCount: Int? = nil, dropout: Float? = nil
    ) {
        self.method = method
        self.architecture = architecture
        self.transformer = transformer
        self.layerCount = layerCount
        self.dropout = dropout
        self.vocabularySize = vocabularySize
        self.sequenceLength = sequenceLength
        self.startToken = startToken
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.batchSize = batchSize
        self.generatorLearningRate = generatorLearningRate
        self.gradientClip = gradientClip
        self.pretrainEpochs = pretrainEpochs
        self.discriminatorPretrainRounds = discriminatorPretrainRounds
        self.adversarialRounds = adversarialRounds
        self.generatorSteps = generatorSteps
        self.discriminatorSteps = discriminatorSteps
        self.discriminatorEpochs = discriminatorEpochs
        self.negativeCount = negativeCount
        self.discriminatorEmbeddingSize = discriminatorEmbeddingSize
        self.discriminatorFilterScale = discriminatorFilterScale
        self.discriminatorDropout = discriminatorDropout
        self.discriminatorLearningRate = discriminatorLearningRate
        self.rolloutCount = rolloutCount
        self.rolloutUpdateRate = rolloutUpdateRate
        self.baseline = baseline
        self.entropyCoefficient = entropyCoefficient
        self.gumbelTemperature = gumbelTemperature
        self.gumbelHard = gumbelHard
        self.evaluationInterval = evaluationInterval
        self.evaluationSamples = evaluationSamples
        self.trainingSamples = trainingSamples
        self.seed = seed
        self.reward = reward
        self.scheduledSampling = scheduledSampling
        self.samplingChoice = samplingChoice
        self.generatorInitialStandardDeviation = generatorInitialStandardDeviation
        self.discriminatorL2 = discriminatorL2
    }

    /// The published synthetic-data setup as SeqGAN's code runs it: 120 MLE epochs, 50 discriminator rounds of 3
    /// epochs over 10,000 negatives, 200 adversarial rounds of 1 generator step (16 rollouts) and 5 discriminator
    /// steps, the full discriminator, NLL_oracle over 10,000 samples every 5 rounds, the generator drawn from
    /// `N(0, 0.1²)`, and a rollout policy equal to the current generator (rollout update rate 0: the code's rollout
    /// network reads the generator's variables, so its 0.8 delayed update never takes effect), and the
    /// discriminator's L2 penalty λ = 0.2 on its output layer (``discriminatorL2``).
    public static func paper(method: SeqGANMethod) -> SeqGANConfiguration {
        SeqGANConfiguration(
            method: method, pretrainEpochs: 120, discriminatorPretrainRounds: 50, adversarialRounds: 200,
            discriminatorEpochs: 3, negativeCount: 10_000, discriminatorFilterScale: 1, rolloutUpdateRate: 0,
            evaluationSamples: 10_000, generatorInitialStandardDeviation: 0.1, discriminatorL2: 0.2)
    }

    /// Rounds of the whole run.
    public var totalRounds: Int {
        pretrainEpochs + (method.isLikelihoodBased ? 0 : discriminatorPretrainRounds) + adversarialRounds
    }

    /// What round `round` (0-based) does.
    public func stage(ofRound round: Int) -> SeqGANStage {
        if round < pretrainEpochs { return .generatorPretraining }
        if method == .mle { return .maximumLikelihood }
        if method == .scheduledSampling { return .scheduledSampling }
        if round < pretrainEpochs + discriminatorPretrainRounds { return .discriminatorPretraining }
        return .adversarial
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws { if !condition { throw InputError(message) } }
        try check(vocabularySize > 1, "the vocabulary needs at least 2 tokens")
        try check((0..<vocabularySize).contains(startToken), "the start token must be in the vocabulary")
        try check(sequenceLength > 0, "the sequence length must be positive")
        try check(embeddingSize > 0 && hiddenSize > 0 && discriminatorEmbeddingSize > 0, "sizes must be positive")
        try check(batchSize > 0, "the batch size must be positive")
        try check(
            generatorLearningRate > 0 && discriminatorLearningRate > 0 && generatorLearningRate.isFinite
                && discriminatorLearningRate.isFinite, "learning rates must be positive")
        try check(gradientClip >= 0, "the gradient clip must be ≥ 0")
        try check(
            pretrainEpochs >= 0 && discriminatorPretrainRounds >= 0 && adversarialRounds >= 0,
            "round counts must be ≥ 0")
        try check(
            generatorSteps >= 0 && discriminatorSteps >= 0 && discriminatorEpochs > 0, "step counts must be ≥ 0")
        try check(negativeCount > 0, "the discriminator needs at least one negative")
        try check(
            discriminatorFilterScale > 0 && discriminatorFilterScale <= 4, "the filter scale must be in (0, 4]")
        try check((0..<1).contains(discriminatorDropout), "dropout must be in [0, 1)")
        try check(rolloutCount > 0, "rollouts must be positive")
        try check((0...1).contains(rolloutUpdateRate), "the rollout update rate must be in [0, 1]")
        try check(evaluationInterval > 0 && evaluationSamples > 0, "evaluation settings must be positive")
        try check(trainingSamples > 0, "training samples must be positive")
        if generatorArchitecture == .transformer {
            if let problem = transformerSettings.problem { throw InputError(problem) }
            try check(transformerLayerCount > 0, "the Transformer needs at least one layer")
            try check((0..<1).contains(transformerDropout), "the Transformer's dropout must be in [0, 1)")
            try check(
                generatorInitialStandardDeviation == nil,
                "the N(0, σ²) initialization is SeqGAN's LSTM's; the Transformer keeps its own initialization")
        } else {
            try check(
                transformer == nil && layerCount == nil && dropout == nil,
                "Transformer sizes, layers and dropout apply only to a Transformer generator")
        }
        if let discriminatorL2 {
            try check(discriminatorL2 >= 0 && discriminatorL2.isFinite, "the discriminator's L2 λ must be ≥ 0")
        }
        if let deviation = generatorInitialStandardDeviation {
            try check(deviation > 0 && deviation.isFinite, "the initial standard deviation must be positive")
        }
        try check(
            gumbelTemperature.minimum > 0 && gumbelTemperature.initial >= gumbelTemperature.minimum
                && gumbelTemperature.initial.isFinite && gumbelTemperature.decayRate >= 0,
            "the Gumbel temperature needs 0 < minimum ≤ initial and a decay rate ≥ 0")
        if case .movingAverage(let decay) = baseline {
            try check((0..<1).contains(decay), "the moving-average decay must be in [0, 1)")
        }
    }

    /// The generator's network (``architecture``, the LSTM when unset).
    public var generatorArchitecture: SeqGANArchitecture { architecture ?? .lstm }
    /// The Transformer generator's sizes (``transformer`` or `train lm`'s defaults).
    public var transformerSettings: Seq2SeqTransformerSettings { transformer ?? Seq2SeqTransformerSettings() }
    /// The Transformer generator's layer count (``layerCount`` or 2).
    public var transformerLayerCount: Int { layerCount ?? 2 }
    /// The Transformer generator's dropout (``dropout`` or 0).
    public var transformerDropout: Float { dropout ?? 0 }

    /// SeqGAN's LSTM generator with these sizes, drawn from `generator`.
    public func makeLSTMGenerator(using generator: inout RandomGenerator) -> LanguageModel {
        LanguageModel(
            vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize, using: &generator)
    }

    /// The Transformer generator with these sizes (positions for the start token and `sequenceLength` tokens), drawn
    /// from `generator` — the network `train lm --arch transformer` builds.
    public func makeTransformerGenerator(using generator: inout RandomGenerator) -> TransformerLanguageModel {
        TransformerLanguageModel(
            transformerSettings.languageModelConfiguration(
                vocabularySize: vocabularySize, layerCount: transformerLayerCount, dropout: transformerDropout,
                maximumLength: sequenceLength + 1),
            using: &generator)
    }

    /// The settings that must agree for a model directory to be continued: everything but the round budget (an L2
    /// λ of 0 counts as none, so directories written before ``discriminatorL2`` existed continue with λ = 0).
    var withoutBudget: SeqGANConfiguration {
        var copy = self
        copy.adversarialRounds = 0
        if copy.discriminatorL2 == 0 { copy.discriminatorL2 = nil }
        return copy
    }
}

/// What one round of a SeqGAN run does.
public enum SeqGANStage: String, Sendable {
    /// One MLE epoch of the generator (pretraining).
    case generatorPretraining = "pretrain-generator"
    /// One discriminator step before the adversarial phase.
    case discriminatorPretraining = "pretrain-discriminator"
    /// Generator policy-gradient steps, rollout update, discriminator steps.
    case adversarial
    /// One MLE epoch after pretraining (the MLE baseline).
    case maximumLikelihood = "mle"
    /// One scheduled-sampling epoch after pretraining (the SS baseline).
    case scheduledSampling = "scheduled-sampling"
}

extension SeqGANMethod {
    /// Whether the generator learns only from the training data (no discriminator, no rewards).
    public var isLikelihoodBased: Bool { self == .mle || self == .scheduledSampling }
}
