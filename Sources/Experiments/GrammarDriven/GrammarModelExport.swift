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
        batchSize: Int, learningRate: Float, seed: UInt64, metrics: [String: Double] = [:],
        dataFingerprints: [String: String] = [:]
    ) throws {
        let words = vocabulary.tokens.dropFirst(3)
        let corpusVocabulary = Vocabulary(counts: Dictionary(uniqueKeysWithValues: words.map { ($0, 1) }))
        let permutation = corpusVocabulary.tokens.map { token -> Int in
            switch token {
            case corpusVocabulary.specialTokens.beginning: GrammarVocabulary.start
            case corpusVocabulary.specialTokens.end: GrammarVocabulary.end
            default: vocabulary.tokens.firstIndex(of: token) ?? GrammarVocabulary.unknown
            }
        }
        let embeddingSize = model.embedding.dimension
        let hiddenSize = model.recurrent.hiddenSize
        var generator = RandomGenerator(seed: seed)
        let copy = LanguageModel(
            vocabularySize: corpusVocabulary.count, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
            using: &generator)
        let source = Dictionary(model.namedParameters.map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        let rows = IndexTensor(shape: [permutation.count], indices: permutation)
        for (name, parameter) in copy.namedParameters {
            guard let value = source[name]?.value else {
                throw ModelDirectoryError(path: directory.url.path, "the generator has no parameter \(name)")
            }
            guard name.hasPrefix("embedding.") || name.hasPrefix("output.") else {
                parameter.update(value.detached())
                continue
            }
            let selected = value.indexSelect(axis: 0, indices: rows)
            var scalars = selected.scalars
            if name == "output.bias" || name == "output.weight" {
                // `<pad>` is never generated: logit −10⁴ (weight row 0, bias −10⁴), so the other tokens keep the
                // experiment model's probabilities exactly.
                let width = scalars.count / corpusVocabulary.count
                let pad = corpusVocabulary.paddingIndex
                for i in (pad * width)..<((pad + 1) * width) { scalars[i] = name == "output.bias" ? -1e4 : 0 }
            }
            parameter.update(Tensor(shape: selected.shape, scalars: scalars))
        }
        let recipe = LanguageModelRecipe(
            tokenization: .whitespace, maximumLength: maximumLength, embeddingSize: embeddingSize,
            hiddenSize: hiddenSize, batchSize: batchSize, learningRate: learningRate, seed: seed)
        if directory.exists {
            throw ModelDirectoryError(path: directory.url.path, "already holds a model; choose another output")
        }
        try directory.create()
        try corpusVocabulary.save(to: directory.file(TrainedLanguageModel.vocabularyFile).path)
        try directory.saveWeights(of: copy)
        try directory.writeManifest(
            ModelManifest(
                kind: TrainedLanguageModel.kind, hyperparameters: recipe, dataFingerprints: dataFingerprints,
                metrics: metrics,
                files: [
                    TrainedLanguageModel.vocabularyFile: "the grammar's terminals and the special tokens",
                    ModelDirectory.weightsName: "the generator (an LSTM language model)",
                ]))
    }
}
