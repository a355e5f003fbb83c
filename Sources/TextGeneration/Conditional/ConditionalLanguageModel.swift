import Autodiff
import NeuralNet

/// A language model conditioned on a discrete label: the label's embedding, through `tanh`, is the LSTM's initial
/// hidden state, so every next-token distribution depends on it (the conditioning of Mikolov & Zweig 2012's
/// context vector, as in the decoders of Sutskever et al. 2014 and the conditional generators of Mirza & Osindero
/// 2014):
///
/// ```
/// h₀ = tanh(C[y]),  c₀ = 0,   p(s | y) = Πₜ softmax(W·hₜ + b)[sₜ₊₁],   hₜ = LSTM(E[s₁], …, E[sₜ]; h₀, c₀)
/// ```
///
/// The labels are whatever the caller makes them: a meaning (the value of an arithmetic expression), a style, a
/// topic. Parameters are the ``LanguageModel``'s names plus `condition.weight`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let model = ConditionalLanguageModel(
///     conditionCount: 3, vocabularySize: 6, embeddingSize: 4, hiddenSize: 8, using: &generator)
/// let loss = model.loss(sequences: [[0, 3, 4, 1], [0, 5, 1]], conditions: [2, 0])
/// let sentences = model.sample(conditions: [1, 1], startToken: 0, length: 5, using: &generator)
/// ```
public struct ConditionalLanguageModel: ParameterContainer {
    /// The language model (token embedding, LSTM, output layer).
    public let language: LanguageModel
    /// One vector per label, of the LSTM's width.
    public let condition: Embedding

    /// A model with parameters drawn from `generator` (the language model's, then the label embedding).
    public init(
        conditionCount: Int, vocabularySize: Int, embeddingSize: Int, hiddenSize: Int,
        using generator: inout RandomGenerator
    ) {
        precondition(conditionCount > 0, "ConditionalLanguageModel: conditionCount \(conditionCount) must be positive")
        language = LanguageModel(
            vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize, using: &generator)
        condition = Embedding(vocabularySize: conditionCount, dimension: hiddenSize, using: &generator)
    }

    /// Number of labels.
    public var conditionCount: Int { condition.vocabularySize }

    /// The language model's parameters, then `condition.weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        language.namedParameters + prefixed("condition", condition)
    }

    /// The LSTM's initial states for a batch of labels.
    public func initialStates(_ conditions: [Int]) -> [LSTMState] {
        precondition(
            conditions.allSatisfy { (0..<conditionCount).contains($0) },
            "ConditionalLanguageModel: labels must be in 0..<\(conditionCount)")
        let hidden = condition(IndexTensor(shape: [conditions.count], indices: conditions)).tanh()
        return [LSTMState(hidden: hidden, cell: Tensor.zeros(hidden.shape))]
    }

    /// Mean cross entropy per predicted token of `sequences` (each at least two tokens, e.g. `<s> … </s>`), each
    /// under its label.
    public func loss(sequences: [[Int]], conditions: [Int]) -> Tensor {
        precondition(sequences.count == conditions.count, "ConditionalLanguageModel.loss: one label per sequence")
        let batch = LanguageModelBatch(sequences: sequences)
        let logits = language.logits(batch.inputs, lengths: batch.lengths, initialStates: initialStates(conditions))
            .logits
        return crossEntropy(
            logits: logits.reshaped([-1, language.vocabularySize]), targets: batch.targets,
            ignoreIndex: LanguageModelBatch.ignoredTarget)
    }

    /// One sequence of exactly `length` tokens per label, drawn ancestrally after feeding `startToken` (which is
    /// not part of the result), at `temperature` (without gradients).
    public func sample(
        conditions: [Int], startToken: Int, length: Int, temperature: Float = 1, using generator: inout RandomGenerator
    ) -> [[Int]] {
        guard !conditions.isEmpty, length > 0 else { return conditions.map { _ in [] } }
        let states = withoutGradients { initialStates(conditions) }
        let cursor = SequenceSampler.advance(
            language, tokens: Array(repeating: startToken, count: conditions.count), after: states,
            temperature: temperature)
        return SequenceSampler.complete(
            language, from: cursor, count: length, temperature: temperature, using: &generator)
    }
}
