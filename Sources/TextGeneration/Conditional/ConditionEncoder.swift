import Autodiff
import NeuralNet

/// How a conditional generator reads its condition.
public enum ConditionEncoding: Equatable, Sendable {
    /// One of `count` labels, each with its own learned vector (Mirza & Osindero 2014): a label seen in training
    /// only. The condition of a batch element is `[label]`.
    case label(count: Int)
    /// A token sequence over `vocabularySize` ids (0 is padding), read by an LSTM whose final hidden state is the
    /// condition vector (the encoder of Sutskever et al. 2014): structured conditions such as a SCAN action sequence
    /// or a logical form, including ones never seen in training.
    case sequence(vocabularySize: Int)
}

/// A condition as a vector `[B, outputSize]` for a conditional generator: a label's learned vector, or the final
/// hidden state of an LSTM over the condition's tokens.
///
/// ```
/// label:     v = E[y]
/// sequence:  v = h_n,   (h_t, c_t) = LSTM(E[m_t], (h_{t−1}, c_{t−1})),   m = m_1 … m_n the condition's tokens
/// ```
///
/// Parameters: `weight` for labels (so a conditional model's label embedding keeps its name
/// `condition.weight`), `embedding.weight` and `reader.layer0.forward.…` for sequences.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let encoder = ConditionEncoder(.sequence(vocabularySize: 6), outputSize: 8, embeddingSize: 4, using: &generator)
/// let vectors = encoder([[4, 5, 5], [3]])  // [2, 8]
/// ```
public struct ConditionEncoder: ParameterContainer {
    /// How conditions are read.
    public let encoding: ConditionEncoding
    /// The label vectors (width `outputSize`) or the token embedding (width `embeddingSize`, row 0 padding).
    public let embedding: Embedding
    /// The LSTM over the condition's tokens (sequence conditions only).
    public let reader: LSTM?
    /// Width of the condition vector.
    public let outputSize: Int

    /// An encoder with parameters drawn from `generator`; `embeddingSize` is the token width of a sequence
    /// encoder (a label encoder's vectors have width `outputSize`).
    public init(
        _ encoding: ConditionEncoding, outputSize: Int, embeddingSize: Int, using generator: inout RandomGenerator
    ) {
        precondition(outputSize > 0 && embeddingSize > 0, "ConditionEncoder: sizes must be positive")
        self.encoding = encoding
        self.outputSize = outputSize
        switch encoding {
        case .label(let count):
            precondition(count > 0, "ConditionEncoder: label count \(count) must be positive")
            embedding = Embedding(vocabularySize: count, dimension: outputSize, using: &generator)
            reader = nil
        case .sequence(let vocabularySize):
            precondition(vocabularySize > 1, "ConditionEncoder: vocabulary size \(vocabularySize) must exceed 1")
            embedding = Embedding(
                vocabularySize: vocabularySize, dimension: embeddingSize, paddingIndex: 0, using: &generator)
            reader = LSTM(inputSize: embeddingSize, hiddenSize: outputSize, using: &generator)
        }
    }

    /// `weight` (labels), or `embedding.weight` and `reader.…` (sequences).
    public var namedParameters: [(name: String, parameter: Parameter)] {
        guard let reader else { return embedding.namedParameters }
        return prefixed("embedding", embedding) + prefixed("reader", reader)
    }

    /// The condition vectors `[B, outputSize]` of a batch: each condition is `[label]` or a nonempty token
    /// sequence.
    public func callAsFunction(_ conditions: [[Int]]) -> Tensor {
        precondition(!conditions.isEmpty, "ConditionEncoder: needs at least one condition")
        guard let reader else {
            precondition(
                conditions.allSatisfy { $0.count == 1 && (0..<embedding.vocabularySize).contains($0[0]) },
                "ConditionEncoder: each label condition is one label in 0..<\(embedding.vocabularySize)")
            return embedding(IndexTensor(shape: [conditions.count], indices: conditions.map { $0[0] }))
        }
        precondition(
            conditions.allSatisfy { !$0.isEmpty && $0.allSatisfy { (1..<embedding.vocabularySize).contains($0) } },
            "ConditionEncoder: each sequence condition is nonempty, ids in 1..<\(embedding.vocabularySize)")
        let batch = conditions.count
        let lengths = conditions.map(\.count)
        let steps = lengths.max() ?? 1
        var tokens = [Int](repeating: 0, count: steps * batch)
        for (b, condition) in conditions.enumerated() {
            for (t, token) in condition.enumerated() { tokens[t * batch + b] = token }
        }
        let embedded = embedding(IndexTensor(shape: [steps, batch], indices: tokens))
        return reader(embedded, lengths: lengths).finalStates[0].hidden
    }
}
