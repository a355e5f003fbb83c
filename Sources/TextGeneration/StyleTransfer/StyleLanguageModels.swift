import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet

/// One word-level LSTM language model per style, trained on that style's sentences at training time: `evaluate`
/// reports the perplexity of transferred sentences under the target style's model, the fluency measure of the
/// style-transfer literature (e.g. Yang et al. 2018; Lample et al. 2019). All styles share one vocabulary, so the
/// perplexities are comparable.
public struct StyleLanguageModels {
    /// Sizes and training, stored in the model directory's hyperparameters.
    public struct Settings: Codable, Equatable, Sendable {
        /// Embedding width.
        public var embeddingSize: Int
        /// LSTM width.
        public var hiddenSize: Int
        /// Optimizer steps per style.
        public var steps: Int
        /// Sentences per batch.
        public var batchSize: Int
        /// Adam's learning rate.
        public var learningRate: Float
        /// Words seen fewer times become `<unk>`.
        public var minimumCount: Int
        /// Largest vocabulary (special tokens included), or nil.
        public var maximumVocabulary: Int?

        /// Small defaults: a 32/64 LSTM, 300 steps per style.
        public init(
            embeddingSize: Int = 32, hiddenSize: Int = 64, steps: Int = 300, batchSize: Int = 32,
            learningRate: Float = 3e-3, minimumCount: Int = 2, maximumVocabulary: Int? = 10_000
        ) {
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.steps = steps
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.minimumCount = minimumCount
            self.maximumVocabulary = maximumVocabulary
        }

        /// The first invalid setting, or nil.
        var problem: String? {
            if embeddingSize <= 0 || hiddenSize <= 0 || embeddingSize > 4096 || hiddenSize > 4096 {
                return "language-model sizes must be in 1...4096"
            }
            if steps < 1 { return "language-model steps must be positive" }
            if batchSize < 1 { return "language-model batch size must be positive" }
            if !(learningRate > 0 && learningRate.isFinite) { return "language-model learning rate must be positive" }
            if minimumCount < 1 { return "language-model minimum count must be at least 1" }
            if let maximumVocabulary, maximumVocabulary < 5 || maximumVocabulary > 1 << 20 {
                return "the language-model vocabulary must hold 5 to 2²⁰ entries"
            }
            return nil
        }
    }

    /// The shared vocabulary file.
    public static let vocabularyFile = "lm-vocabulary.json"
    /// The weights file of a style's model.
    public static func weightsFile(_ style: String) -> String { "lm-\(style).safetensors" }

    /// The shared vocabulary.
    public let vocabulary: Vocabulary
    /// One model per style, in style order.
    public let models: [LanguageModel]
    /// The settings.
    public let settings: Settings

    /// Trains one model per style of `corpus` (validation perplexity on `validation` is logged when given).
    public static func train(
        corpus: StyleCorpus, validation: StyleCorpus, settings: Settings, seed: UInt64, log: ((String) -> Void)? = nil
    ) throws -> StyleLanguageModels {
        if let problem = settings.problem { throw InputError(problem) }
        let vocabulary = Vocabulary(
            tokens: corpus.sentences.joined().joined(), minimumCount: settings.minimumCount,
            maximumSize: settings.maximumVocabulary)
        var models: [LanguageModel] = []
        for (style, sentences) in corpus.sentences.enumerated() {
            var configuration = LanguageModelTraining.Configuration(
                vocabularySize: vocabulary.count, embeddingSize: settings.embeddingSize,
                hiddenSize: settings.hiddenSize, initializationSeed: seed &+ UInt64(style),
                batchSize: settings.batchSize, learningRate: settings.learningRate)
            configuration.loop = TrainingConfiguration(totalSteps: settings.steps, seed: seed &+ UInt64(style))
            let result = try LanguageModelTraining.run(
                configuration, training: sentences.map { vocabulary.encode($0, addBeginning: true, addEnd: true) })
            models.append(result.model)
            let held = validation.sentences[style]
            if !held.isEmpty {
                let perplexity = result.model.perplexity(
                    on: held.map { vocabulary.encode($0, addBeginning: true, addEnd: true) })
                log?(
                    String(format: "  language model of %@: held-out perplexity %.1f", corpus.styles[style], perplexity)
                )
            }
        }
        return StyleLanguageModels(vocabulary: vocabulary, models: models, settings: settings)
    }

    /// Writes the vocabulary and every style's weights into `directory`.
    public func save(to directory: ModelDirectory, styles: [String]) throws {
        try vocabulary.save(to: directory.file(Self.vocabularyFile).path)
        for (model, style) in zip(models, styles) {
            try Checkpoint.save(model: model, to: directory.file(Self.weightsFile(style)))
        }
    }

    /// Loads the models saved by ``save(to:styles:)``.
    public static func load(from directory: ModelDirectory, styles: [String], settings: Settings) throws
        -> StyleLanguageModels
    {
        if let problem = settings.problem {
            throw ModelDirectoryError(path: directory.manifestURL.path, "invalid language-model settings: \(problem)")
        }
        let vocabulary = try directory.readVocabulary(vocabularyFile, what: "language-model vocabulary")
        guard vocabulary.count <= 1 << 20 else {
            throw ModelDirectoryError(path: directory.file(vocabularyFile).path, "vocabulary too large")
        }
        var models: [LanguageModel] = []
        for style in styles {
            var generator = RandomGenerator(seed: 0)
            let model = LanguageModel(
                vocabularySize: vocabulary.count, embeddingSize: settings.embeddingSize,
                hiddenSize: settings.hiddenSize, using: &generator)
            try Checkpoint.load(into: model, from: directory.file(weightsFile(style)))
            models.append(model)
        }
        return StyleLanguageModels(vocabulary: vocabulary, models: models, settings: settings)
    }

    /// The perplexity of `sentences` under style `style`'s model (every sentence scored with its end token) and
    /// the number of predicted tokens; nil for no sentences.
    public func perplexity(of sentences: [[String]], style: Int) -> (perplexity: Double, tokens: Int)? {
        guard !sentences.isEmpty else { return nil }
        let ids = sentences.map { vocabulary.encode($0, addBeginning: true, addEnd: true) }
        let tokens = ids.reduce(0) { $0 + $1.count - 1 }
        return (models[style].perplexity(on: ids, batchSize: settings.batchSize), tokens)
    }
}
