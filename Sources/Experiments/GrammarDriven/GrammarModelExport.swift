import Autodiff
import Corpus
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// Writes a generator trained on a grammar's sample as an ordinary `lm` model directory (manifest,
/// `weights.safetensors`, `vocabulary.json`), so `montague predict DIR` samples from it and `montague evaluate DIR
/// --data FILE` measures its perplexity like any language model trained by `montague train lm`.
///
/// The experiments number tokens with ``GrammarVocabulary`` (`<s>` 0, `</s>` 1, `<unk>` 2, then the terminals); a
/// model directory's vocabulary has the corpus order (`<pad>`, `<unk>`, `<s>`, `</s>`, then the words). The rows of
/// the embedding and of the output layer are permuted accordingly (`<pad>` gets a logit of −10⁴, so it is never
/// generated); nothing else changes, so the saved model assigns every sentence the probability the experiment's
/// model does.
public enum GrammarModelExport {
    /// Saves `model` (an LSTM language model over `vocabulary`'s ids, one layer, no dropout) to `directory`,
    /// which must not hold a model yet.
    ///
    /// - Parameters:
    ///   - maximumLength: longest sentence the model is asked for (`predict`'s default length).
    ///   - batchSize, learningRate, seed: recorded in the recipe.
    ///   - metrics: recorded in the manifest.
    /// - Throws: ``ModelDirectoryError`` when the directory holds a model or cannot be written.
    public static func saveLanguageModel(
        _ model: LanguageModel, vocabulary: GrammarVocabulary, to directory: ModelDirectory, maximumLength: Int,
        batchSize: Int, learningRate: Float, seed: UInt64, metrics: [String: Double] = [:]
    ) throws {
        let corpusVocabulary = Self.corpusVocabulary(of: vocabulary)
        let embeddingSize = model.embedding.dimension
        let hiddenSize = model.recurrent.hiddenSize
        var generator = RandomGenerator(seed: seed)
        let copy = LanguageModel(
            vocabularySize: corpusVocabulary.count, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
            using: &generator)
        try copyPermuted(model, into: copy, from: vocabulary, to: corpusVocabulary, directory: directory)
        let recipe = LanguageModelRecipe(
            tokenization: .whitespace, maximumLength: maximumLength, embeddingSize: embeddingSize,
            hiddenSize: hiddenSize, batchSize: batchSize, learningRate: learningRate, seed: seed)
        try write(
            copy, vocabulary: corpusVocabulary, kind: TrainedLanguageModel.kind, recipe: recipe, metrics: metrics,
            description: "the generator (an LSTM language model)", to: directory)
    }

    /// Saves a sentence VAE trained on a grammar's sample as a `sentence-vae` model directory (`montague predict DIR`
    /// samples from its prior; `montague evaluate DIR --data FILE` reports ELBO and importance-weighted NLL), with
    /// the same permutation of token rows as ``saveLanguageModel(_:vocabulary:to:maximumLength:batchSize:learningRate:seed:metrics:)``.
    ///
    /// - Throws: ``ModelDirectoryError`` when the directory holds a model or cannot be written.
    public static func saveSentenceVAE(
        _ model: SentenceVAE, vocabulary: GrammarVocabulary, to directory: ModelDirectory, maximumLength: Int,
        batchSize: Int, learningRate: Float, wordDropout: Float, seed: UInt64, metrics: [String: Double] = [:]
    ) throws {
        let corpusVocabulary = Self.corpusVocabulary(of: vocabulary)
        var configuration = model.configuration
        configuration.vocabularySize = corpusVocabulary.count
        var generator = RandomGenerator(seed: seed)
        let copy = SentenceVAE(configuration, using: &generator)
        try copyPermuted(model, into: copy, from: vocabulary, to: corpusVocabulary, directory: directory)
        let recipe = SentenceVAERecipe(
            tokenization: .whitespace, maximumLength: maximumLength, embeddingSize: configuration.embeddingSize,
            hiddenSize: configuration.hiddenSize, latentSize: configuration.latentSize,
            objective: SentenceVAEObjective(wordDropout: wordDropout), batchSize: batchSize,
            learningRate: learningRate, seed: seed)
        try write(
            copy, vocabulary: corpusVocabulary, kind: TrainedSentenceVAE.kind, recipe: recipe, metrics: metrics,
            description: "the sentence VAE", to: directory)
    }

    /// The model directory's vocabulary of a grammar vocabulary's words (corpus special tokens first).
    static func corpusVocabulary(of vocabulary: GrammarVocabulary) -> Vocabulary {
        Vocabulary(counts: Dictionary(uniqueKeysWithValues: vocabulary.tokens.dropFirst(3).map { ($0, 1) }))
    }

    /// Copies every parameter of `source` into the same-named parameter of `target`, permuting the token rows of
    /// `embedding.*` and `output.*` from `grammarVocabulary`'s ids to `corpusVocabulary`'s; `<pad>`'s output logit
    /// becomes −10⁴ (weight row 0, bias −10⁴), so it is never generated and the other tokens keep their
    /// probabilities exactly.
    static func copyPermuted(
        _ source: some ParameterContainer, into target: some ParameterContainer,
        from grammarVocabulary: GrammarVocabulary,
        to corpusVocabulary: Vocabulary, directory: ModelDirectory
    ) throws {
        let permutation = corpusVocabulary.tokens.map { token -> Int in
            switch token {
            case corpusVocabulary.specialTokens.beginning: GrammarVocabulary.start
            case corpusVocabulary.specialTokens.end: GrammarVocabulary.end
            default: grammarVocabulary.tokens.firstIndex(of: token) ?? GrammarVocabulary.unknown
            }
        }
        let values = Dictionary(source.namedParameters.map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        let rows = IndexTensor(shape: [permutation.count], indices: permutation)
        for (name, parameter) in target.namedParameters {
            guard let value = values[name]?.value else {
                throw ModelDirectoryError(path: directory.url.path, "the generator has no parameter \(name)")
            }
            guard name.hasPrefix("embedding.") || name.hasPrefix("output.") else {
                parameter.update(value.detached())
                continue
            }
            let selected = value.indexSelect(axis: 0, indices: rows)
            var scalars = selected.scalars
            if name == "output.bias" || name == "output.weight" {
                let width = scalars.count / corpusVocabulary.count
                let pad = corpusVocabulary.paddingIndex
                for i in (pad * width)..<((pad + 1) * width) { scalars[i] = name == "output.bias" ? -1e4 : 0 }
            }
            parameter.update(Tensor(shape: selected.shape, scalars: scalars))
        }
    }

    /// Creates the directory and writes vocabulary, weights and manifest.
    static func write(
        _ model: some ParameterContainer, vocabulary: Vocabulary, kind: String, recipe: some Encodable,
        metrics: [String: Double], description: String, to directory: ModelDirectory
    ) throws {
        if directory.exists {
            throw ModelDirectoryError(path: directory.url.path, "already holds a model; choose another output")
        }
        try directory.create()
        try vocabulary.save(to: directory.file("vocabulary.json").path)
        try directory.saveWeights(of: model)
        try directory.writeManifest(
            ModelManifest(
                kind: kind, hyperparameters: recipe, metrics: metrics,
                files: [
                    "vocabulary.json": "the grammar's terminals and the special tokens",
                    ModelDirectory.weightsName: description,
                ]))
    }
}
