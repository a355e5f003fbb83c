import Autodiff
import Corpus
import MontagueSupport
import NeuralNet

extension WordVectors {
    /// Copies the vectors of the tokens they hold into the rows of a token-embedding table `[V, D]` whose row `i`
    /// embeds `tokens[i]`, keeping the model's own initialization for the rest (special tokens, words without a
    /// vector) — the usual start from pretrained word2vec or GloVe vectors (Mikolov et al. 2013; Pennington et al.
    /// 2014). Returns how many rows were replaced.
    ///
    /// - Throws: ``InputError`` when the vectors' dimension is not the table's width.
    public func initialize(_ embedding: Parameter, tokens: [String]) throws -> Int {
        let shape = embedding.shape
        guard shape.count == 2, shape[0] == tokens.count else {
            throw InputError("the embedding table \(shape) does not have one row per token (\(tokens.count))")
        }
        guard shape[1] == dimension else {
            throw InputError(
                "the word vectors have \(dimension) dimensions but the embedding has \(shape[1]); "
                    + "give the model an embedding width of \(dimension)")
        }
        let current = embedding.value.scalars
        let width = dimension
        let (values, found) = table(for: tokens) { row in Array(current[(row * width)..<((row + 1) * width)]) }
        embedding.update(Tensor(shape: shape, scalars: values))
        return found
    }
}

extension NextTokenLanguageModel {
    /// The token-embedding table (`embedding.weight` of the recurrent models, `input.embedding.weight` of the
    /// Transformer), or nil for a model without one of those names.
    public var tokenEmbedding: Parameter? {
        namedParameters.first { $0.name == "embedding.weight" || $0.name == "input.embedding.weight" }?.parameter
    }
}
