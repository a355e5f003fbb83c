import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// The network of a language model trained by `montague train lm`.
public enum LanguageModelArchitecture: String, Codable, CaseIterable, Sendable {
    /// Embedding → stacked LSTM → softmax (Zaremba et al. 2014).
    case lstm
    /// Embedding → stacked GRU → softmax (Cho et al. 2014 cells).
    case gru
    /// A decoder-only Transformer with a causal mask (Radford et al. 2018; Vaswani et al. 2017 layers).
    case transformer
}

/// Everything `montague train lm` needs to rebuild, continue or apply a language model: stored as the model
/// directory's hyperparameters. Settings added after the first version decode to their defaults when absent, so
/// older model directories still load.
public struct LanguageModelRecipe: Codable, Equatable, Sendable {
    /// How lines are tokenized into words (ignored when ``subwords`` is set).
    public var tokenization: TextTokenization
    /// A subword tokenizer instead of words: `bpe:N` or `unigram:N` (trained on the training file) or the path of a
    /// Hugging Face `tokenizer.json`; nil for words. The tokenizer is saved in the model directory.
    public var subwords: String?
    /// Lowercase tokens.
    public var lowercase: Bool
    /// Tokens seen fewer times become `<unk>`.
    public var minimumCount: Int
    /// Largest vocabulary (special tokens included), or nil.
    public var maximumVocabulary: Int?
    /// Training sentences longer than this many tokens are truncated.
    public var maximumLength: Int
    /// The network.
    public var architecture: LanguageModelArchitecture
    /// Transformer sizes and choices (``LanguageModelArchitecture/transformer`` only).
    public var transformer: Seq2SeqTransformerSettings
    /// Embedding width (recurrent networks).
    public var embeddingSize: Int
    /// Recurrent hidden width.
    public var hiddenSize: Int
    /// Stacked recurrent or Transformer layers.
    public var layerCount: Int
    /// Dropout (embeddings, between layers, outputs).
    public var dropout: Float
    /// Sentences per batch.
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Global gradient-norm clip (0: none).
    public var maxGradientNorm: Float
    /// Total optimizer steps.
    public var steps: Int
    /// Steps between validation perplexity measurements.
    public var evaluationInterval: Int
    /// Seed of initialization, data order and dropout.
    public var seed: UInt64
    /// Batches accumulated into one optimizer step (1: none).
    public var accumulationSteps: Int
    /// Token-budget batches of at most this many padded tokens instead of ``batchSize`` sentences; nil for fixed
    /// batches.
    public var batchTokens: Int?
    /// Scheduled sampling of the inputs (Bengio et al. 2015); teacher forcing by default.
    public var scheduledSampling: ScheduledSampling
    /// Which prediction scheduled sampling feeds back.
    public var samplingChoice: ScheduledSamplingChoice
    /// Candidates of a sampled softmax in training (uniform proposal, ``SampledSoftmax``); nil for the full softmax.
    public var sampledSoftmaxCount: Int?
    /// How Adam's rate changes over the steps (``learningRate`` is its peak); nil is constant.
    public var learningRateSchedule: LearningRateScheduleKind?
    /// Steps of linear warm-up of ``learningRateSchedule``; nil is 0.
    public var warmupSteps: Int?

    /// A recipe with small defaults.
    public init(
        tokenization: TextTokenization = .whitespace, subwords: String? = nil, lowercase: Bool = false,
        minimumCount: Int = 1,
        maximumVocabulary: Int? = nil, maximumLength: Int = 50, embeddingSize: Int = 64, hiddenSize: Int = 128,
        layerCount: Int = 1, dropout: Float = 0, batchSize: Int = 32, learningRate: Float = 2e-3,
        maxGradientNorm: Float = 5, steps: Int = 1000, evaluationInterval: Int = 200, seed: UInt64 = 0,
        architecture: LanguageModelArchitecture = .lstm,
        transformer: Seq2SeqTransformerSettings = Seq2SeqTransformerSettings(), accumulationSteps: Int = 1,
        batchTokens: Int? = nil, scheduledSampling: ScheduledSampling = .teacherForcing,
        samplingChoice: ScheduledSamplingChoice = .argmax, sampledSoftmaxCount: Int? = nil,
        learningRateSchedule: LearningRateScheduleKind? = nil, warmupSteps: Int? = nil
    ) {
        self.learningRateSchedule = learningRateSchedule
        self.warmupSteps = warmupSteps
        self.tokenization = tokenization
        self.subwords = subwords
        self.lowercase = lowercase
        self.minimumCount = minimumCount
        self.maximumVocabulary = maximumVocabulary
        self.maximumLength = maximumLength
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.dropout = dropout
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.maxGradientNorm = maxGradientNorm
        self.steps = steps
        self.evaluationInterval = evaluationInterval
        self.seed = seed
        self.architecture = architecture
        self.transformer = transformer
        self.accumulationSteps = accumulationSteps
        self.batchTokens = batchTokens
        self.scheduledSampling = scheduledSampling
        self.samplingChoice = samplingChoice
        self.sampledSoftmaxCount = sampledSoftmaxCount
    }

    private enum CodingKeys: String, CodingKey {
        case tokenization, subwords, lowercase, minimumCount, maximumVocabulary, maximumLength, embeddingSize
        case hiddenSize, layerCount, dropout, batchSize, learningRate, maxGradientNorm, steps, evaluationInterval
        case seed, architecture, transformer, accumulationSteps, batchTokens, scheduledSampling, samplingChoice
        case sampledSoftmaxCount, learningRateSchedule, warmupSteps
    }

    /// Decodes a recipe; the settings added after the first version default when absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = LanguageModelRecipe()
        tokenization = try c.decode(TextTokenization.self, forKey: .tokenization)
        subwords = try c.decodeIfPresent(String.self, forKey: .subwords)
        lowercase = try c.decode(Bool.self, forKey: .lowercase)
        minimumCount = try c.decode(Int.self, forKey: .minimumCount)
        maximumVocabulary = try c.decodeIfPresent(Int.self, forKey: .maximumVocabulary)
        maximumLength = try c.decode(Int.self, forKey: .maximumLength)
        embeddingSize = try c.decode(Int.self, forKey: .embeddingSize)
        hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
        layerCount = try c.decode(Int.self, forKey: .layerCount)
        dropout = try c.decode(Float.self, forKey: .dropout)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        maxGradientNorm = try c.decode(Float.self, forKey: .maxGradientNorm)
        steps = try c.decode(Int.self, forKey: .steps)
        evaluationInterval = try c.decode(Int.self, forKey: .evaluationInterval)
        seed = try c.decode(UInt64.self, forKey: .seed)
        architecture = try c.decodeIfPresent(LanguageModelArchitecture.self, forKey: .architecture) ?? .lstm
        transformer =
            try c.decodeIfPresent(Seq2SeqTransformerSettings.self, forKey: .transformer) ?? defaults.transformer
        accumulationSteps = try c.decodeIfPresent(Int.self, forKey: .accumulationSteps) ?? 1
        batchTokens = try c.decodeIfPresent(Int.self, forKey: .batchTokens)
        scheduledSampling =
            try c.decodeIfPresent(ScheduledSampling.self, forKey: .scheduledSampling) ?? .teacherForcing
        samplingChoice = try c.decodeIfPresent(ScheduledSamplingChoice.self, forKey: .samplingChoice) ?? .argmax
        sampledSoftmaxCount = try c.decodeIfPresent(Int.self, forKey: .sampledSoftmaxCount)
        learningRateSchedule = try c.decodeIfPresent(LearningRateScheduleKind.self, forKey: .learningRateSchedule)
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
    }

    /// A new network for this recipe over `vocabularySize` tokens, initialized from ``seed``: an LSTM or GRU
    /// ``RecurrentLanguageModel`` or a ``TransformerLanguageModel`` (learned or fixed positions for up to
    /// ``maximumLength`` tokens plus the sentence markers).
    public func makeModel(vocabularySize: Int) -> any NextTokenLanguageModel {
        var generator = RandomGenerator(seed: seed)
        switch architecture {
        case .lstm:
            return LanguageModel(
                vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
                layerCount: layerCount, dropout: dropout, using: &generator)
        case .gru:
            return GRULanguageModel(
                vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
                layerCount: layerCount, dropout: dropout, using: &generator)
        case .transformer:
            let configuration = transformer.languageModelConfiguration(
                vocabularySize: vocabularySize, layerCount: layerCount, dropout: dropout,
                maximumLength: maximumLength + 2)
            return TransformerLanguageModel(configuration, using: &generator)
        }
    }

    /// Checks the values a user can set.
    ///
    /// - Throws: ``InputError`` naming the first invalid setting.
    public func validate() throws {
        func check(_ condition: Bool, _ message: String) throws { if !condition { throw InputError(message) } }
        try check(minimumCount >= 1, "minimum count must be at least 1")
        if let subwords {
            try check(
                SubwordTokenizer.Specification(subwords) != nil,
                "subword tokenizer '\(subwords)': use bpe:N (N ≥ 257), unigram:N (N ≥ 2) or a tokenizer.json file")
        }
        try check(
            maximumVocabulary.map { $0 >= 5 } ?? true, "the vocabulary needs room for the 4 special tokens and one word"
        )
        try check(maximumLength >= 1, "maximum length must be positive")
        try check(embeddingSize > 0 && hiddenSize > 0 && layerCount > 0, "sizes must be positive")
        try check((0..<1).contains(dropout), "dropout must be in [0, 1)")
        try check(batchSize > 0, "batch size must be positive")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive")
        try check(maxGradientNorm >= 0, "the gradient clip must be ≥ 0")
        try check(steps >= 0, "steps must be ≥ 0")
        try check(accumulationSteps >= 1, "gradient accumulation needs at least 1 batch per step")
        try check(batchTokens.map { $0 > 0 } ?? true, "the token budget per batch must be positive")
        try check(warmupSteps.map { $0 >= 0 } ?? true, "warm-up steps must be ≥ 0")
        if architecture == .transformer, let problem = transformer.problem { throw InputError(problem) }
        try check(evaluationInterval > 0, "the evaluation interval must be positive")
    }
}

/// A trained language model with its vocabulary, loaded from a model directory.
public struct TrainedLanguageModel {
    /// The model kind written to manifests.
    public static let kind = "lm"
    /// The vocabulary file in the model directory.
    public static let vocabularyFile = PlainTextRunInputs.vocabularyFile
    /// The subword tokenizer file, for models trained on subwords.
    public static let tokenizerFile = PlainTextRunInputs.tokenizerFile

    /// The network (LSTM, GRU or Transformer, per the recipe).
    public let model: any NextTokenLanguageModel
    /// Token ↔ id.
    public let vocabulary: Vocabulary
    /// How it was trained.
    public let recipe: LanguageModelRecipe
    /// The subword tokenizer, for models trained on subwords.
    public let subwords: SubwordTokenizer?

    /// Loads a model directory written by ``LanguageModelRun/train(_:trainPath:validPath:output:metricsURL:progress:)``.
    ///
    /// - Throws: ``ModelDirectoryError`` for a missing or foreign directory, `CheckpointError` for weights that do
    ///   not fit the recipe.
    public static func load(from directory: ModelDirectory) throws -> TrainedLanguageModel {
        let manifest = try directory.readManifest(expecting: kind)
        let recipe: LanguageModelRecipe
        do {
            recipe = try manifest.hyperparameters(as: LanguageModelRecipe.self)
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        let vocabulary = try directory.readVocabulary(vocabularyFile)
        do {
            try recipe.validate()
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid hyperparameters: \(error)")
        }
        let model = recipe.makeModel(vocabularySize: vocabulary.count)
        try directory.loadWeights(into: model)
        let subwords = try recipe.subwords.map { _ in
            try SubwordTokenizer.load(from: directory.file(tokenizerFile))
        }
        return TrainedLanguageModel(model: model, vocabulary: vocabulary, recipe: recipe, subwords: subwords)
    }

    /// The sentences of a plain-text file, tokenized as the training data was (words or subword pieces).
    public func sentences(inFile path: String) throws -> [[String]] {
        try PlainTextCorpus(path: path, recipe: recipe, subwords: subwords).sentences
    }

    /// A generated token sequence as text: words joined by spaces, or subword pieces decoded.
    public func render(_ tokens: [String]) -> String {
        subwords.map { $0.decode(pieces: tokens) } ?? tokens.joined(separator: " ")
    }

    /// The id sequence of a sentence: `<s> tokens </s>`.
    public func encode(_ tokens: [String]) -> [Int] {
        vocabulary.encode(tokens, addBeginning: true, addEnd: true)
    }

    /// Samples `count` sentences, each up to `maximumLength` tokens (stopping at `</s>`).
    public func sample(
        count: Int, selection: TokenSelection, maximumLength: Int = 50, using generator: inout RandomGenerator
    ) -> [[String]] {
        (0..<count).map { _ in
            let ids = model.generate(
                prefix: [vocabulary.beginningIndex], count: maximumLength, selection: selection,
                stopToken: vocabulary.endIndex, using: &generator)
            return vocabulary.decode(ids)
        }
    }

    /// Perplexity of `sentences` (each scored with its end token); unknown words count as `<unk>`.
    public func perplexity(of sentences: [[String]]) -> Double {
        model.perplexity(on: sentences.map(encode), batchSize: recipe.batchSize)
    }
}

/// Trains a language model (LSTM, GRU or decoder-only Transformer; words or subwords) from plain-text files into a
/// model directory — the library entry point of `montague train lm` (Mikolov et al. 2010; Zaremba et al. 2014 for
/// the dropout placement; Radford et al. 2018 for the Transformer).
public enum LanguageModelRun {
    /// How a run ended.
    public struct Summary: Sendable {
        /// Steps done in total (including earlier sessions).
        public var steps: Int
        /// The last training loss.
        public var trainingLoss: Double?
        /// The last validation perplexity.
        public var validationPerplexity: Double?
        /// Training and validation sentences, vocabulary size.
        public var trainingSentences: Int
        /// Validation sentences.
        public var validationSentences: Int
        /// Vocabulary size.
        public var vocabularySize: Int
        /// Why the run stopped.
        public var stopReason: String
        /// Set when this session stopped before the step budget (time limit, interruption); the run continues when
        /// trained again with the same recipe.
        public var stop: LanguageModelTraining.StopCause? = nil
        /// Vocabulary entries whose embedding came from the word vectors (nil: none were given, or the run
        /// continued, keeping its trained embeddings).
        public var pretrainedEmbeddings: Int? = nil
    }

    /// When `output` holds a run of `recipe`'s settings whose `warmup-cosine` decay was planned over another step
    /// budget: the budgets before and now (a continued run plans the decay anew over the new budget, so the
    /// learning rate jumps where the run resumes). `nil` for new directories, other schedules and equal budgets.
    public static func replannedSchedule(
        _ recipe: LanguageModelRecipe, output: ModelDirectory
    ) -> (previousSteps: Int, steps: Int)? {
        guard recipe.learningRateSchedule == .warmupCosine, output.exists,
            let previous = try? output.readManifest(expecting: TrainedLanguageModel.kind).hyperparameters(
                as: LanguageModelRecipe.self),
            previous.withoutBudget == recipe.withoutBudget, previous.steps != recipe.steps
        else { return nil }
        return (previous.steps, recipe.steps)
    }

    /// Trains per `recipe` on `trainPath` (validating on `validPath`) and writes `output`: manifest, weights,
    /// vocabulary, and the training state (a checkpoint every evaluation interval). When `output` already holds a
    /// language model trained with the same settings (the step budget may grow), the run continues from its training
    /// state bit for bit — as every Montague learner does when given the same command again. After `timeLimit`
    /// seconds of this call (or when `shouldStop` returns true) it stops before the next step and saves the model
    /// and the training state (atomically), so the same call again continues where it stopped.
    ///
    /// - Throws: ``InputError`` for unreadable or empty corpora and invalid settings; ``ModelDirectoryError`` when
    ///   `output` cannot be written or holds another kind of model, or when resuming finds no state.
    /// `wordVectors` (word2vec or GloVe text format, ``Corpus/WordVectors``) initialize the token embeddings of a
    /// new run: every vocabulary entry they hold starts from its vector (their dimension must be the embedding width).
    /// With `synchronizer`, trains data-parallel (``LanguageModelTraining/train(_:configuration:training:validation:metricsURL:resumeFrom:progress:timeLimit:shouldStop:synchronizer:)``);
    /// give replicas other than 0 an `output` of their own (only replica 0's is the model).
    public static func train(
        _ recipe: LanguageModelRecipe, trainPath: String, validPath: String?, output: ModelDirectory,
        metricsURL: URL? = nil, progress: ProgressReporter? = nil, timeLimit: Double? = nil,
        shouldStop: () -> Bool = { false }, synchronizer: (any GradientSynchronizer)? = nil,
        wordVectors: WordVectors? = nil
    ) throws -> Summary {
        try recipe.validate()
        try output.create()
        let inputs = try PlainTextRunInputs(
            recipe: recipe, kind: TrainedLanguageModel.kind, subwordSpecification: recipe.subwords,
            tokenization: recipe.tokenization, lowercase: recipe.lowercase, minimumCount: recipe.minimumCount,
            maximumVocabulary: recipe.maximumVocabulary, trainPath: trainPath, validPath: validPath, output: output,
            vocabularyCountsTokenizerPieces: false, sameSettings: { $0.withoutBudget == recipe.withoutBudget })
        let (vocabulary, fingerprints, directoryFiles) = (inputs.vocabulary, inputs.fingerprints, inputs.files)
        let resume = FileManager.default.fileExists(atPath: output.trainingStateURL.path)
        let trainingIDs = inputs.training.sentences.map { inputs.encode($0, maximumLength: recipe.maximumLength) }
        let validationIDs =
            inputs.validation?.sentences.map { inputs.encode($0, maximumLength: recipe.maximumLength) } ?? []
        var configuration = LanguageModelTraining.Configuration(
            vocabularySize: vocabulary.count, embeddingSize: recipe.embeddingSize, hiddenSize: recipe.hiddenSize,
            layerCount: recipe.layerCount, dropout: recipe.dropout, initializationSeed: recipe.seed,
            batchSize: recipe.batchSize, learningRate: recipe.learningRate,
            maxGradientNorm: recipe.maxGradientNorm > 0 ? recipe.maxGradientNorm : nil)
        configuration.accumulationSteps = recipe.accumulationSteps
        configuration.batchTokens = recipe.batchTokens
        configuration.scheduledSampling = recipe.scheduledSampling
        configuration.samplingChoice = recipe.samplingChoice
        configuration.sampledSoftmaxCount = recipe.sampledSoftmaxCount
        configuration.learningRateSchedule = recipe.learningRateSchedule ?? .constant
        configuration.warmupSteps = recipe.warmupSteps ?? 0
        configuration.loop = TrainingConfiguration(
            totalSteps: recipe.steps, seed: recipe.seed, logInterval: 10,
            evaluationInterval: validationIDs.isEmpty ? nil : recipe.evaluationInterval,
            checkpointInterval: recipe.evaluationInterval, checkpointURL: output.trainingStateURL)
        let model = recipe.makeModel(vocabularySize: vocabulary.count)
        var pretrained: Int?
        if let wordVectors, !resume {
            guard let table = model.tokenEmbedding else {
                throw InputError("this model has no token-embedding table to initialize from word vectors")
            }
            pretrained = try wordVectors.initialize(table, tokens: vocabulary.tokens)
        }
        let session = try LanguageModelTraining.train(
            model, configuration: configuration, training: trainingIDs, validation: validationIDs,
            metricsURL: metricsURL, resumeFrom: resume ? output.trainingStateURL : nil, progress: progress,
            timeLimit: timeLimit, shouldStop: shouldStop, synchronizer: synchronizer)
        // Data-parallel: rank 0 alone measures (the other ranks' model directories are scratch).
        let measures = !validationIDs.isEmpty && (synchronizer?.isWritingReplica ?? true)
        let perplexity = measures ? model.perplexity(on: validationIDs, batchSize: recipe.batchSize) : nil
        var metrics: [String: Double] = ["train.steps": Double(session.summary.steps)]
        if let loss = session.summary.lastMetrics["loss"] { metrics["train.loss"] = loss }
        if let perplexity { metrics["valid.perplexity"] = perplexity }
        try output.saveWeights(of: model)
        try output.writeManifest(
            ModelManifest(
                kind: TrainedLanguageModel.kind, hyperparameters: recipe, dataFingerprints: fingerprints,
                metrics: metrics, files: directoryFiles))
        let stopReason =
            switch session.stop {
            case .timeLimit: "time limit"
            case .interrupted: "interrupted"
            case nil: "\(session.summary.stopReason)"
            }
        return Summary(
            steps: session.summary.steps, trainingLoss: session.summary.lastMetrics["loss"],
            validationPerplexity: perplexity, trainingSentences: trainingIDs.count,
            validationSentences: validationIDs.count, vocabularySize: vocabulary.count, stopReason: stopReason,
            stop: session.stop, pretrainedEmbeddings: pretrained)
    }
}

extension LanguageModelRecipe {
    /// The recipe without the step budget (a resumed run may extend it).
    var withoutBudget: LanguageModelRecipe {
        var copy = self
        copy.steps = 0
        return copy
    }
}

extension Seq2SeqTransformerSettings {
    /// The decoder-only ``TransformerLanguageModel`` of these sizes and choices with `layerCount` layers, positions
    /// for `maximumLength` tokens (learned tables): the network of `train lm --arch transformer` and of Transformer
    /// SeqGAN generators.
    public func languageModelConfiguration(
        vocabularySize: Int, layerCount: Int, dropout: Float, maximumLength: Int
    ) -> TransformerLanguageModelConfiguration {
        TransformerLanguageModelConfiguration(
            vocabularySize: vocabularySize, modelSize: modelSize, headCount: headCount,
            feedForwardSize: feedForwardSize, layerCount: layerCount, dropout: dropout, activation: activation,
            normPlacement: normPlacement, positionalEncoding: positionalEncoding, maximumLength: maximumLength,
            tiesEmbeddings: tiesEmbeddings)
    }
}
