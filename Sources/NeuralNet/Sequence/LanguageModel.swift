import Autodiff
import Foundation

/// The LSTM language model (Mikolov et al. 2010 with LSTM cells; Zaremba et al. 2014): see
/// ``RecurrentLanguageModel``. Parameters are named `embedding.weight`, `lstm.layer0.forward.weightIH`, …,
/// `output.weight`, `output.bias`.
public typealias LanguageModel = RecurrentLanguageModel<LSTMCell>

/// The GRU language model (Cho et al. 2014 cells): see ``RecurrentLanguageModel``. Parameters are named
/// `embedding.weight`, `gru.layer0.forward.weightIH`, …, `output.weight`, `output.bias`.
public typealias GRULanguageModel = RecurrentLanguageModel<GRUCell>

/// A recurrent language model: Embedding → multi-layer recurrent network (LSTM, GRU or Elman cells) → Linear,
/// trained with cross entropy on the next token, with perplexity and seeded generation (greedy, temperature, top-k).
///
/// `p(s₁…sₙ) = Πₜ softmax(W·hₜ + b)[sₜ₊₁]`, `hₜ = RNN(E[s₁], …, E[sₜ])`. Dropout (when `dropout > 0` and a
/// generator is given) is applied to the embeddings, between recurrent layers and to the recurrent outputs, as in
/// Zaremba, Sutskever & Vinyals, "Recurrent Neural Network Regularization" (2014).
/// Parameters are named `embedding.weight`, `lstm.…` (`gru.…`, `rnn.…` for the other cells), `output.weight`,
/// `output.bias`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = LanguageModel(vocabularySize: 5, embeddingSize: 4, hiddenSize: 8, using: &generator)
/// let batch = LanguageModelBatch(sequences: [[0, 1, 2, 3, 4], [0, 2, 1]])
/// let loss = model.loss(batch)  // mean cross entropy per predicted token
/// let text = model.generate(prefix: [0], count: 4, selection: .sample(temperature: 0.8, topK: 3),
///                           using: &generator)
/// ```
public struct RecurrentLanguageModel<Cell: RecurrentCell>: ParameterContainer {
    /// Token vectors.
    public let embedding: Embedding
    /// The recurrent layers.
    public let recurrent: RecurrentNetwork<Cell>
    /// Hidden state → logits over the vocabulary.
    public let output: Linear
    /// Dropout probability on embeddings, between layers and on outputs in training.
    public let dropout: Float

    /// A model with parameters drawn from `generator` (embedding, LSTM, output layer, in that order).
    public init(
        vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, layerCount: Int = 1, dropout: Float = 0,
        using generator: inout RandomGenerator
    ) {
        precondition(vocabularySize > 0, "LanguageModel: vocabularySize \(vocabularySize) must be positive")
        embedding = Embedding(vocabularySize: vocabularySize, dimension: embeddingSize, using: &generator)
        recurrent = RecurrentNetwork<Cell>(
            inputSize: embeddingSize, hiddenSize: hiddenSize, layerCount: layerCount, dropout: dropout,
            using: &generator)
        output = Linear(inputSize: hiddenSize, outputSize: vocabularySize, using: &generator)
        self.dropout = dropout
    }

    /// Number of tokens in the vocabulary.
    @inlinable public var vocabularySize: Int { output.outputSize }

    /// The parameter-name prefix of the recurrent layers: `lstm`, `gru` or `rnn`.
    @inlinable public static var recurrentName: String {
        if Cell.self == LSTMCell.self { return "lstm" }
        if Cell.self == GRUCell.self { return "gru" }
        return "rnn"
    }

    /// `embedding.…`, `lstm.…` (or `gru.…`, `rnn.…`), `output.…`.
    @inlinable public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("embedding", embedding) + prefixed(Self.recurrentName, recurrent) + prefixed("output", output)
    }

    /// The top LSTM layer's outputs `[T, B, H]` and the final states for time-major `tokens [T, B]`; dropout
    /// from `generator` when given.
    @inlinable public func hiddenStates(
        _ tokens: IndexTensor, lengths: [Int]? = nil, initialStates: [Cell.State]? = nil,
        dropoutUsing generator: inout RandomGenerator?
    ) -> (outputs: Tensor, states: [Cell.State]) {
        precondition(tokens.rank == 2, "RecurrentLanguageModel: tokens must be time-major [T, B], got \(tokens.shape)")
        let embedded = embedding(tokens)
        guard var random = generator, dropout > 0 else {
            let result = recurrent(embedded, lengths: lengths, initialStates: initialStates)
            return (result.outputs, result.finalStates)
        }
        let input = embedded.dropout(probability: dropout, training: true, using: &random)
        let result = recurrent(input, lengths: lengths, initialStates: initialStates, dropoutUsing: &random)
        let outputs = result.outputs.dropout(probability: dropout, training: true, using: &random)
        generator = random
        return (outputs, result.finalStates)
    }

    /// Logits `[T, B, V]` and final states for time-major `tokens [T, B]` (inference: no dropout).
    @inlinable public func logits(
        _ tokens: IndexTensor, lengths: [Int]? = nil, initialStates: [Cell.State]? = nil
    ) -> (logits: Tensor, states: [Cell.State]) {
        var none: RandomGenerator? = nil
        let (outputs, states) = hiddenStates(
            tokens, lengths: lengths, initialStates: initialStates, dropoutUsing: &none)
        return (output(outputs), states)
    }

    /// Mean cross entropy per predicted token of `batch` (padding skipped), in training: with dropout drawn from
    /// `generator` (nothing is drawn when ``dropout`` is 0).
    @inlinable public func loss(_ batch: LanguageModelBatch, dropoutUsing generator: inout RandomGenerator) -> Tensor {
        var random: RandomGenerator? = generator
        defer { generator = random ?? generator }
        return loss(batch, optionalDropout: &random)
    }

    /// Mean cross entropy per predicted token of `batch`, without dropout (evaluation).
    @inlinable public func loss(_ batch: LanguageModelBatch) -> Tensor {
        var none: RandomGenerator? = nil
        return loss(batch, optionalDropout: &none)
    }

    @inlinable func loss(_ batch: LanguageModelBatch, optionalDropout generator: inout RandomGenerator?) -> Tensor {
        let (outputs, _) = hiddenStates(batch.inputs, lengths: batch.lengths, dropoutUsing: &generator)
        return crossEntropy(
            logits: output(outputs).reshaped([-1, vocabularySize]), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }

    /// Perplexity `exp(−(1/N) Σ log p(sₜ₊₁ | s≤ₜ))` over every predicted token of `sequences` (each at least two
    /// tokens), computed without gradients in batches of `batchSize`, with the sums in `Double`.
    @inlinable public func perplexity(on sequences: [[Int]], batchSize: Int = 32) -> Double {
        precondition(batchSize > 0, "LanguageModel.perplexity: batchSize \(batchSize) must be positive")
        var negativeLogLikelihood = 0.0
        var tokens = 0
        withoutGradients {
            for start in stride(from: 0, to: sequences.count, by: batchSize) {
                let batch = LanguageModelBatch(
                    sequences: Array(sequences[start..<min(start + batchSize, sequences.count)]))
                let logits = self.logits(batch.inputs, lengths: batch.lengths).logits
                let losses = crossEntropy(
                    logits: logits.reshaped([-1, vocabularySize]), targets: batch.targets,
                    ignoreIndex: LanguageModelBatch.ignoredTarget, reduction: .none)
                negativeLogLikelihood += losses.scalars.reduce(0.0) { $0 + Double($1) }
                tokens += batch.tokenCount
            }
        }
        return Foundation.exp(negativeLogLikelihood / Double(max(tokens, 1)))
    }

    /// Continues `prefix` (at least one token, e.g. a start token) by `count` tokens chosen by `selection`, feeding
    /// each chosen token back; stops early after emitting `stopToken`. Returns the new tokens only. Deterministic
    /// given the generator (greedy draws nothing).
    @inlinable public func generate(
        prefix: [Int], count: Int, selection: TokenSelection = .greedy, stopToken: Int? = nil,
        using generator: inout RandomGenerator
    ) -> [Int] {
        precondition(!prefix.isEmpty, "LanguageModel.generate: empty prefix (give at least a start token)")
        precondition(count >= 0, "LanguageModel.generate: count \(count) must not be negative")
        guard count > 0 else { return [] }
        return withoutGradients {
            var (logits, states) = self.logits(IndexTensor(shape: [prefix.count, 1], indices: prefix))
            var generated: [Int] = []
            while generated.count < count {
                let last = Array(logits.scalars[(logits.count - vocabularySize)...])
                let token = selection.select(from: last, using: &generator)
                generated.append(token)
                if token == stopToken || generated.count == count { break }
                (logits, states) = self.logits(IndexTensor(shape: [1, 1], indices: [token]), initialStates: states)
            }
            return generated
        }
    }
}

extension RecurrentLanguageModel where Cell == LSTMCell {
    /// The LSTM layers (the recurrent network of an LSTM language model).
    public var lstm: LSTM { recurrent }
}
