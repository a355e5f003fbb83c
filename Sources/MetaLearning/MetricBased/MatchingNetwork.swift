import Autodiff

/// Matching networks: a query's class distribution is an attention-weighted sum of the support labels, with
/// attention a softmax over cosine similarities of embeddings.
///
/// Vinyals, Blundell, Lillicrap, Kavukcuoglu & Wierstra, "Matching Networks for One Shot Learning" (NeurIPS 2016),
/// without full-context embeddings:
///
/// ```
/// a(x̂, xᵢ) = softmax_i(τ · cos(f(x̂), f(xᵢ))),   P(ŷ = k | x̂, S) = Σᵢ a(x̂, xᵢ) [yᵢ = k]
/// ```
///
/// ``logits(for:)`` returns log P, so the usual cross-entropy is the paper's negative log-likelihood. τ (a fixed
/// inverse temperature) sharpens the attention, as the cosine lies in [−1, 1].
public struct MatchingNetwork<Embedding: FunctionalModel>: FewShotClassifier {
    /// f = g, the shared embedding network.
    public let embedding: Embedding
    /// τ, the inverse temperature of the attention.
    public let inverseTemperature: Float

    /// A matching network over `embedding`.
    public init(embedding: Embedding, inverseTemperature: Float = 10) {
        self.embedding = embedding
        self.inverseTemperature = inverseTemperature
    }

    /// The trained parameters (the embedding's).
    public var namedParameters: [(name: String, parameter: Parameter)] { embedding.namedParameters }

    /// log P(ŷ = k | x̂, S), `[n_q, N]`.
    public func logits(for episode: Episode) -> Tensor {
        guard case .classes(let labels, let classCount) = episode.supportTargets else {
            preconditionFailure("MatchingNetwork: the support set must have class labels")
        }
        let support = Self.normalizedRows(embedding(episode.supportInputs))
        let query = Self.normalizedRows(embedding(episode.queryInputs))
        let attention = (Tensor.matmul(query, support, transposeB: true) * inverseTemperature).softmax(axis: 1)
        var oneHot = [Float](repeating: 0, count: labels.count * classCount)
        for (row, label) in labels.enumerated() { oneHot[row * classCount + label] = 1 }
        let probabilities = attention.matmul(Tensor(shape: [labels.count, classCount], scalars: oneHot))
        return (probabilities + 1e-8).log()
    }

    static func normalizedRows(_ x: Tensor) -> Tensor {
        x / ((x * x).sum(axis: 1, keepingDimensions: true) + 1e-8).sqrt()
    }
}
