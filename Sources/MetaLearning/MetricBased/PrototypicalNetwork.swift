import Autodiff

/// Squared Euclidean distances between the rows of `a` `[n, d]` and of `b` `[m, d]`: `[n, m]`, differentiable,
/// computed as ‖a‖² + ‖b‖² − 2·a·bᵀ (one GEMM).
public func squaredEuclideanDistances(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(
        a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[1],
        "squaredEuclideanDistances: shapes \(a.shape) and \(b.shape) are not [n, d] and [m, d]")
    let aNorms = (a * a).sum(axis: 1, keepingDimensions: true)
    let bNorms = (b * b).sum(axis: 1).reshaped([1, b.shape[0]])
    return aNorms + bNorms - 2 * Tensor.matmul(a, b, transposeB: true)
}

/// The mean of the rows of `embeddings` `[n, d]` per class: `[classCount, d]` (a class without rows gets zeros).
public func classMeans(of embeddings: Tensor, labels: [Int], classCount: Int) -> Tensor {
    precondition(embeddings.shape.first == labels.count, "classMeans: \(labels.count) labels for \(embeddings.shape)")
    var counts = [Float](repeating: 0, count: classCount)
    for label in labels { counts[label] += 1 }
    var weights = [Float](repeating: 0, count: classCount * labels.count)
    for (row, label) in labels.enumerated() { weights[label * labels.count + row] = 1 / counts[label] }
    return Tensor(shape: [classCount, labels.count], scalars: weights).matmul(embeddings)
}

/// Prototypical networks: each class is the mean of its embedded support examples, and a query is classified by a
/// softmax over negative squared distances to the prototypes.
///
/// Snell, Swersky & Zemel, "Prototypical Networks for Few-shot Learning" (NeurIPS 2017):
///
/// ```
/// c_k = (1/|S_k|) Σ_{x ∈ S_k} f(x),   p(y = k | x) = softmax_k(−‖f(x) − c_k‖²)
/// ```
public struct PrototypicalNetwork<Embedding: FunctionalModel>: FewShotClassifier {
    /// f, the embedding network.
    public let embedding: Embedding

    /// A prototypical network over `embedding`.
    public init(embedding: Embedding) { self.embedding = embedding }

    /// The trained parameters (the embedding's).
    public var namedParameters: [(name: String, parameter: Parameter)] { embedding.namedParameters }

    /// Query logits `[n_q, N]`: negative squared distances to the class prototypes.
    public func logits(for episode: Episode) -> Tensor {
        guard case .classes(let labels, let classCount) = episode.supportTargets else {
            preconditionFailure("PrototypicalNetwork: the support set must have class labels")
        }
        let prototypes = classMeans(of: embedding(episode.supportInputs), labels: labels, classCount: classCount)
        return -squaredEuclideanDistances(embedding(episode.queryInputs), prototypes)
    }
}

/// A few-shot classifier that maps an episode's support set and query inputs to query logits in one forward pass
/// (the metric-based family: prototypical, matching and Siamese networks).
public protocol FewShotClassifier: ParameterContainer {
    /// Logits `[n_q, N]` of the query inputs over the episode's N classes.
    func logits(for episode: Episode) -> Tensor
    /// The episode's training loss (by default the cross-entropy of the query logits).
    func loss(for episode: Episode) -> Tensor
}

extension FewShotClassifier {
    /// The episode's training loss: cross-entropy of the query logits.
    public func loss(for episode: Episode) -> Tensor { episode.queryTargets.loss(of: logits(for: episode)) }

    /// The fraction of query inputs classified correctly.
    public func accuracy(on episode: Episode) -> Double {
        let logits = withoutGradients { self.logits(for: episode) }
        return episode.queryTargets.accuracy(of: logits) ?? 0
    }
}
