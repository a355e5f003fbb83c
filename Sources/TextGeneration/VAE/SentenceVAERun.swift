import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// Everything `montague train sentence-vae` needs to rebuild, continue or apply a sentence VAE: the model directory's
/// hyperparameters.
public struct SentenceVAERecipe: Codable, Equatable, Sendable {
    /// How lines are split into words (ignored when ``subwords`` is set).
    public var tokenization: TextTokenization
    /// A subword tokenizer trained on the training file (`bpe:N`, `unigram:N`) or loaded from a Hugging Face
    /// `tokenizer.json` path; nil for words. Missing in older model directories (words).
    public var subwords: String?
    /// Lowercase tokens.
    public var lowercase: Bool
    /// Tokens seen fewer times become `<unk>`.
    public var minimumCount: Int
    /// Largest vocabulary (special tokens included), or nil.
    public var maximumVocabulary: Int?
    /// Longer sentences are truncated to this many tokens.
    public var maximumLength: Int
    /// Embedding width.
    public var embeddingSize: Int
    /// LSTM width.
    public var hiddenSize: Int
    /// Latent dimensions.
    public var latentSize: Int
    /// KL annealing, word dropout, free bits.
    public var objective: SentenceVAEObjective
    /// Sentences per batch.
    public var batchSize: Int
    /// Adam's learning rate.
    public var learningRate: Float
    /// Global gradient-norm clip (0: none).
    public var maxGradientNorm: Float
    /// Total optimizer steps.
    public var steps: Int
    /// Steps between validation measurements and checkpoints.
    public var evaluationInterval: Int
    /// Importance samples of the final NLL bound.
    public var importanceSamples: Int
    /// Seed of initialization, data order, sampling and dropout.
    public var seed: UInt64

    /// A recipe with small defaults.
    public init(
        tokenization: TextTokenization = .whitespace, subwords: String? = nil, lowercase: Bool = false,
        minimumCount: Int = 1, maximumVocabulary: Int? = nil, maximumLength: Int = 40, embeddingSize: Int = 64,
        hiddenSize: Int = 128,
        latentSize: Int = 16, objective: SentenceVAEObjective = SentenceVAEObjective(), batchSize: Int = 32,
        learningRate: Float = 1e-3, maxGradientNorm: Float = 5, steps: Int = 2000, evaluationInterval: Int = 200,
        importanceSamples: Int = 50, seed: UInt64 = 0
    ) {
        self.tokenization = tokenization
        self.subwords = subwords
        self.lowercase = lowercase
        self.minimumCount = minimumCount
        self.maximumVocabulary = maximumVocabulary
        self.maximumLength = maximumLength
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.latentSize = latentSize
        self.objective = objective
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.maxGradientNorm = maxGradientNorm
        self.steps = steps
        self.evaluationInterval = evaluationInterval
        self.importanceSamples = importanceSamples
        self.seed = seed
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
            maximumVocabulary.map { $0 >= 5 } ?? true, "the vocabulary needs room for 4 special tokens and a word")
        try check(maximumLength >= 1, "maximum length must be positive")
        try check(embeddingSize > 0 && hiddenSize > 0 && latentSize > 0, "sizes must be positive")
        try check((0..<1).contains(objective.wordDropout), "word dropout must be in [0, 1)")
        try check(objective.freeBits >= 0 && objective.freeBits.isFinite, "free bits must be ≥ 0")
        try check(batchSize > 0, "batch size must be positive")
        try check(learningRate > 0 && learningRate.isFinite, "learning rate must be positive")
        try check(maxGradientNorm >= 0, "the gradient clip must be ≥ 0")
        try check(steps >= 0, "steps must be ≥ 0")
        try check(evaluationInterval > 0, "the evaluation interval must be positive")
        try check(importanceSamples > 0, "importance samples must be positive")
    }

    var withoutBudget: SentenceVAERecipe {
        var copy = self
        copy.steps = 0
        return copy
    }
}

/// A trained sentence VAE with its vocabulary, loaded from a model directory.
public struct TrainedSentenceVAE {
    /// The model kind written to manifests.
    public static let kind = "sentence-vae"
    /// The vocabulary file in the model directory.
    public static let vocabularyFile = PlainTextRunInputs.vocabularyFile
    /// The subword tokenizer file, for models trained on subwords.
    public static let tokenizerFile = PlainTextRunInputs.tokenizerFile

    /// The network.
    public let model: SentenceVAE
    /// Token ↔ id.
    public let vocabulary: Vocabulary
    /// How it was trained.
    public let recipe: SentenceVAERecipe
    /// The subword tokenizer, for models trained on subwords.
    public let subwords: SubwordTokenizer?

    /// Loads a directory written by ``SentenceVAERun/train(_:trainPath:validPath:output:metricsURL:progress:)``.
    ///
    /// - Throws: ``ModelDirectoryError`` for a missing or foreign directory, `CheckpointError` for weights that do
    ///   not fit the recipe.
    public static func load(from directory: ModelDirectory) throws -> TrainedSentenceVAE {
        let manifest = try directory.readManifest(expecting: kind)
        let recipe: SentenceVAERecipe
        do {
            recipe = try manifest.hyperparameters(as: SentenceVAERecipe.self)
            try recipe.validate()
        } catch {
            throw ModelDirectoryError(path: directory.manifestURL.path, "malformed hyperparameters: \(error)")
        }
        let vocabulary = try directory.readVocabulary(vocabularyFile)
        var generator = RandomGenerator(seed: recipe.seed)
        let model = SentenceVAE(
            SentenceVAERun.configuration(recipe, vocabularySize: vocabulary.count), using: &generator)
        try directory.loadWeights(into: model)
        let subwords = try recipe.subwords.map { _ in try SubwordTokenizer.load(from: directory.file(tokenizerFile)) }
        return TrainedSentenceVAE(model: model, vocabulary: vocabulary, recipe: recipe, subwords: subwords)
    }

    /// The tokens of a line (words or subword pieces), as the training data was tokenized.
    public func tokens(_ line: String) -> [String] {
        let tokens =
            subwords.map { $0.encodeToPieces(recipe.lowercase ? line.lowercased() : line) }
            ?? recipe.tokenization.tokens(line, lowercase: recipe.lowercase)
        return Array(tokens.prefix(recipe.maximumLength))
    }

    /// `<s> tokens </s>` as ids.
    public func encode(_ tokens: [String]) -> [Int] {
        vocabulary.encode(Array(tokens.prefix(recipe.maximumLength)), addBeginning: true, addEnd: true)
    }

    /// Ids as text: words joined by spaces, or subword pieces decoded.
    public func render(_ ids: [Int]) -> String {
        let tokens = vocabulary.decode(ids)
        return subwords.map { $0.decode(pieces: tokens) } ?? tokens.joined(separator: " ")
    }

    /// `count` sentences from the prior.
    public func sample(count: Int, selection: TokenSelection, seed: UInt64) -> [String] {
        var generator = RandomGenerator(seed: seed)
        return SentenceVAETraining.sample(
            model, count: count, beginToken: vocabulary.beginningIndex, endToken: vocabulary.endIndex,
            maximumLength: recipe.maximumLength, selection: selection, using: &generator
        ).map(render)
    }

    /// Each line encoded to its posterior mean and decoded greedily.
    public func reconstruct(_ lines: [String]) -> [String] {
        guard !lines.isEmpty else { return [] }
        let z = SentenceVAETraining.encode(model, lines.map { encode(tokens($0)) })
        var unused = RandomGenerator(seed: 0)
        return SentenceVAETraining.decode(
            model, z: z, beginToken: vocabulary.beginningIndex, endToken: vocabulary.endIndex,
            maximumLength: recipe.maximumLength, using: &unused
        ).map(render)
    }

    /// The homotopy from line `a` to line `b` in `steps` steps.
    public func interpolate(_ a: String, _ b: String, steps: Int) -> [String] {
        SentenceVAETraining.interpolate(
            model, from: encode(tokens(a)), to: encode(tokens(b)), steps: steps, beginToken: vocabulary.beginningIndex,
            endToken: vocabulary.endIndex, maximumLength: recipe.maximumLength
        ).map(render)
    }

    /// ELBO, KL, active units and the importance-weighted NLL of the sentences of a plain-text file.
    ///
    /// - Throws: ``InputError`` when the file cannot be read or has no sentence.
    public func evaluate(file path: String, samples: Int, seed: UInt64) throws -> SentenceVAEEvaluation {
        let corpus = try PlainTextCorpus(
            path: path, tokenization: recipe.tokenization, lowercase: recipe.lowercase, subwords: subwords)
        return SentenceVAETraining.evaluate(
            model, on: corpus.sentences.map(encode), samples: samples, batchSize: recipe.batchSize, seed: seed)
    }
}

/// Trains a sentence VAE from plain-text files into a model directory — the library entry point of
/// `montague train sentence-vae` (Bowman et al. 2016).
public enum SentenceVAERun {
    /// How a run ended.
    public struct Summary: Sendable {
        /// Steps done in total.
        public var steps: Int
        /// The last training record (loss, reconstruction, KL, β).
        public var training: [String: Double]
        /// The final evaluation on the validation file (or the training file without one).
        public var evaluation: SentenceVAEEvaluation
        /// Training sentences.
        public var trainingSentences: Int
        /// Vocabulary size.
        public var vocabularySize: Int
        /// Set when this session stopped before the step budget (time limit, interruption); the same call again
        /// continues the run.
        public var stop: TrainingStopCause? = nil
    }

    static func configuration(_ recipe: SentenceVAERecipe, vocabularySize: Int) -> SentenceVAE.Configuration {
        SentenceVAE.Configuration(
            vocabularySize: vocabularySize, embeddingSize: recipe.embeddingSize, hiddenSize: recipe.hiddenSize,
            latentSize: recipe.latentSize)
    }

    /// Trains per `recipe` on `trainPath` (validating on `validPath`), writing `output`; the same call on the same
    /// directory continues the run bit for bit (the step budget may grow). After `timeLimit` seconds of this call
    /// (or when `shouldStop` returns true) it stops before the next step and saves the model and its training
    /// state atomically, so the same call continues it.
    ///
    /// - Throws: ``InputError`` for unreadable or empty corpora and invalid settings; ``ModelDirectoryError`` when
    ///   `output` holds another kind of model or a run with other settings.
    public static func train(
        _ recipe: SentenceVAERecipe, trainPath: String, validPath: String?, output: ModelDirectory,
        metricsURL: URL? = nil, progress: ProgressReporter? = nil, timeLimit: Double? = nil,
        shouldStop: () -> Bool = { false }
    ) throws -> Summary {
        try recipe.validate()
        // With subwords every piece of the tokenizer is counted once more in a new vocabulary, so that any text —
        // bytes never seen in training included — encodes without `<unk>` (unless --min-count or --max-vocabulary
        // cut it).
        let inputs = try PlainTextRunInputs(
            recipe: recipe, kind: TrainedSentenceVAE.kind, subwordSpecification: recipe.subwords,
            tokenization: recipe.tokenization, lowercase: recipe.lowercase, minimumCount: recipe.minimumCount,
            maximumVocabulary: recipe.maximumVocabulary, trainPath: trainPath, validPath: validPath, output: output,
            vocabularyCountsTokenizerPieces: true, sameSettings: { $0.withoutBudget == recipe.withoutBudget })
        let (vocabulary, fingerprints, files) = (inputs.vocabulary, inputs.fingerprints, inputs.files)
        let trainingIDs = inputs.training.sentences.map { inputs.encode($0, maximumLength: recipe.maximumLength) }
        let validationIDs =
            inputs.validation?.sentences.map { inputs.encode($0, maximumLength: recipe.maximumLength) } ?? []
        var initialization = RandomGenerator(seed: recipe.seed)
        let model = SentenceVAE(configuration(recipe, vocabularySize: vocabulary.count), using: &initialization)
        let adam = Adam(model.parameters, learningRate: recipe.learningRate)
        let batches = stride(from: 0, to: trainingIDs.count, by: recipe.batchSize).map {
            SentenceVAEBatch(sequences: Array(trainingIDs[$0..<min($0 + recipe.batchSize, trainingIDs.count)]))
        }
        let loopConfiguration = TrainingConfiguration(
            totalSteps: recipe.steps, stepsPerEpoch: batches.count, seed: recipe.seed, logInterval: 10,
            evaluationInterval: validationIDs.isEmpty ? nil : recipe.evaluationInterval,
            checkpointInterval: recipe.evaluationInterval, checkpointURL: output.trainingStateURL)
        let loop = TrainingLoop(model: model, optimizer: adam, configuration: loopConfiguration, progress: progress)
        let resume = FileManager.default.fileExists(atPath: output.trainingStateURL.path)
        if resume { try loop.resume(from: output.trainingStateURL) }
        if let metricsURL {
            loop.metricsLogger = try MetricsLogger(
                url: metricsURL, keepingRecordsThrough: resume ? loop.state.step : nil)
        }
        let unknown = vocabulary.unknownIndex
        let evaluate: (() -> [String: Double])? =
            validationIDs.isEmpty
            ? nil
            : {
                SentenceVAETraining.evaluate(
                    model, on: validationIDs, samples: 1, batchSize: recipe.batchSize, seed: recipe.seed
                ).metrics
            }
        let (summary, stop) = try loop.run(
            step: { context in
                let batch = batches[context.epochOrder(count: batches.count)[context.indexInEpoch]]
                let (loss, reconstruction, kl, beta) = SentenceVAETraining.loss(
                    model, batch: batch, objective: recipe.objective, step: context.index, unknownToken: unknown,
                    using: &context.generator)
                var grads = gradients(of: loss, wrt: model.parameterValues)
                if recipe.maxGradientNorm > 0 {
                    grads = clipByGlobalNorm(grads, maxNorm: recipe.maxGradientNorm).clipped
                }
                adam.step(grads)
                return [
                    "loss": Double(loss.item), "reconstruction_nll": reconstruction, "kl": kl, "beta": Double(beta),
                ]
            }, evaluate: evaluate, timeLimit: timeLimit, shouldStop: shouldStop)
        let evaluation = SentenceVAETraining.evaluate(
            model, on: validationIDs.isEmpty ? trainingIDs : validationIDs, samples: recipe.importanceSamples,
            batchSize: recipe.batchSize, seed: recipe.seed)
        try output.saveWeights(of: model)
        var metrics = evaluation.metrics.mapKeys { (validationIDs.isEmpty ? "train." : "valid.") + $0 }
        metrics["train.steps"] = Double(summary.steps)
        try output.writeManifest(
            ModelManifest(
                kind: TrainedSentenceVAE.kind, hyperparameters: recipe, dataFingerprints: fingerprints,
                metrics: metrics, files: files))
        return Summary(
            steps: summary.steps, training: summary.lastMetrics, evaluation: evaluation,
            trainingSentences: trainingIDs.count, vocabularySize: vocabulary.count, stop: stop)
    }
}

extension Dictionary {
    fileprivate func mapKeys(_ transform: (Key) -> Key) -> [Key: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
