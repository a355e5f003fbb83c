import Autodiff

/// Siamese networks for one-shot classification: a twin embedding and a learned weighted L1 distance score whether
/// two inputs share a class; a query takes the class of the support examples it matches best.
///
/// Koch, Zemel & Salakhutdinov, "Siamese Neural Networks for One-shot Image Recognition" (ICML Deep Learning
/// Workshop 2015):
///
/// ```
/// p(same | x₁, x₂) = σ(Σⱼ αⱼ |f(x₁)ⱼ − f(x₂)ⱼ| + b)
/// ```
///
/// Trained with binary cross-entropy on every (query, support) pair of an episode; ``logits(for:)`` gives, for each
/// class, the mean pair logit over that class's support examples.
public struct SiameseNetwork<Embedding: FunctionalModel>: FewShotClassifier {
    /// f, the twin embedding network.
    public let embedding: Embedding
    /// α, the weights of the component-wise L1 distance, shape `[d, 1]`.
    public let distanceWeights: Parameter
    /// b.
    public let bias: Parameter

    /// A Siamese network over `embedding` whose output has `embeddingSize` components.
    public init(embedding: Embedding, embeddingSize: Int, using generator: inout RandomGenerator) {
        self.embedding = embedding
        let bound = 1 / Float(embeddingSize).squareRoot()
        distanceWeights = Parameter(Tensor.uniform([embeddingSize, 1], low: -bound, high: bound, using: &generator))
        bias = Parameter(Tensor.zeros([1]))
    }

    /// The embedding's parameters, then `distance.weight` and `distance.bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        embedding.namedParameters + [
            (name: "distance.weight", parameter: distanceWeights), (name: "distance.bias", parameter: bias),
        ]
    }

    /// Pair logits `[n_q, n_s]` between every query and support input.
    public func pairLogits(query: Tensor, support: Tensor) -> Tensor {
        let q = embedding(query)
        let s = embedding(support)
        let queries = q.shape[0]
        let supports = s.shape[0]
        let width = q.shape[1]
        let difference = (q.reshaped([queries, 1, width]) - s.reshaped([1, supports, width])).abs()
        return difference.reshaped([queries * supports, width]).matmul(distanceWeights.value)
            .reshaped([queries, supports]) + bias.value
    }

    /// Per-class mean pair logits `[n_q, N]`.
    public func logits(for episode: Episode) -> Tensor {
        guard case .classes(let labels, let classCount) = episode.supportTargets else {
            preconditionFailure("SiameseNetwork: the support set must have class labels")
        }
        let pairs = pairLogits(query: episode.queryInputs, support: episode.supportInputs)
        var counts = [Float](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        var weights = [Float](repeating: 0, count: labels.count * classCount)
        for (row, label) in labels.enumerated() { weights[row * classCount + label] = 1 / counts[label] }
        return pairs.matmul(Tensor(shape: [labels.count, classCount], scalars: weights))
    }

    /// Binary cross-entropy over all (query, support) pairs: target 1 when they share a class.
    public func loss(for episode: Episode) -> Tensor {
        guard case .classes(let supportLabels, _) = episode.supportTargets,
            case .classes(let queryLabels, _) = episode.queryTargets
        else { preconditionFailure("SiameseNetwork: the episode must have class labels") }
        let pairs = pairLogits(query: episode.queryInputs, support: episode.supportInputs)
        var same = [Float](repeating: 0, count: queryLabels.count * supportLabels.count)
        for (q, a) in queryLabels.enumerated() {
            for (s, b) in supportLabels.enumerated() where a == b { same[q * supportLabels.count + s] = 1 }
        }
        return binaryCrossEntropyWithLogits(logits: pairs, targets: Tensor(shape: pairs.shape, scalars: same))
    }
}
