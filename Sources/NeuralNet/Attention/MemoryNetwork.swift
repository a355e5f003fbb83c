/// End-to-end Memory Network (Sukhbaatar, Szlam, Weston & Fergus 2015)
/// with bag-of-words sentences, several hops and adjacent weight tying:
///
/// ```
/// mᵢ = Σⱼ A⁽ᵏ⁾ xᵢⱼ,   cᵢ = Σⱼ C⁽ᵏ⁾ xᵢⱼ,   p = softmax(uᵀ mᵢ),   o = Σᵢ pᵢ cᵢ,   u ← u + o      (hop k)
/// u⁽¹⁾ = Σⱼ B qⱼ,   logits = W u
/// ```
/// Adjacent tying (the paper's §2.2): `A⁽ᵏ⁺¹⁾ = C⁽ᵏ⁾` and `B = A⁽¹⁾`, so the parameters are `embedding{0…K}.weight`
/// (`[V, d]`, N(0, 0.1²) as the paper; `embedding0` is A⁽¹⁾ = B, `embedding{k}` is C⁽ᵏ⁾) and `output.weight`
/// (`W [V, d]`, no bias). Token 0 is padding: its embedding row stays zero and gets no gradient. Empty memory
/// slots (all padding) may be masked out with `memoryMask`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 0)
/// let network = MemoryNetwork(vocabularySize: 9, dimension: 8, hopCount: 2, using: &generator)
/// // Two stories of two 3-token sentences ("p is-in l"), questions "where p".
/// let story = IndexTensor(shape: [2, 2, 3], indices: [1, 7, 4, 2, 7, 5, 3, 7, 6, 1, 7, 5])
/// let question = IndexTensor(shape: [2, 2], indices: [8, 2, 8, 1])
/// let (logits, attention) = network(story: story, question: question)   // [2, 9], two hops of [2, 2]
/// let loss = crossEntropy(logits: logits, targets: [5, 5])
/// print(loss.item, attention.count)
/// ```
public struct MemoryNetwork: ParameterContainer {
    /// `A⁽¹⁾ = B, C⁽¹⁾ = A⁽²⁾, …, C⁽ᴷ⁾`.
    public let embeddings: [Embedding]
    /// `W`, mapping the final `u` to vocabulary logits.
    public let output: Linear

    /// A network with `hopCount` hops over a vocabulary of `vocabularySize` (token 0 = padding), drawn from
    /// `generator`.
    public init(vocabularySize: Int, dimension: Int, hopCount: Int = 3, using generator: inout RandomGenerator) {
        precondition(hopCount > 0, "MemoryNetwork: hopCount \(hopCount) must be positive")
        var embeddings: [Embedding] = []
        for _ in 0...hopCount {
            var table = Tensor.normal(
                [vocabularySize, dimension], standardDeviation: 0.1, using: &generator
            ).scalars
            for j in 0..<dimension { table[j] = 0 }
            embeddings.append(
                Embedding(weight: Tensor(shape: [vocabularySize, dimension], scalars: table), paddingIndex: 0))
        }
        self.embeddings = embeddings
        let weight = Tensor.normal([vocabularySize, dimension], standardDeviation: 0.1, using: &generator)
        output = Linear(weight: weight, bias: nil)
    }

    /// Number of hops K.
    public var hopCount: Int { embeddings.count - 1 }

    /// `embedding{k}.weight`, `output.weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        embeddings.enumerated().flatMap { index, embedding in prefixed("embedding\(index)", embedding) }
            + prefixed("output", output)
    }

    /// Answer logits `[B, V]` and the attention over memories of every hop (`[B, M]` each) for `story [B, M, L]`
    /// (M sentences of L tokens) and `question [B, L]`; `memoryMask [B, M]` (nonzero = empty slot) is optional.
    public func callAsFunction(story: IndexTensor, question: IndexTensor, memoryMask: Tensor? = nil) -> (
        logits: Tensor, attention: [Tensor]
    ) {
        precondition(
            story.rank == 3 && question.rank == 2 && story.shape[0] == question.shape[0],
            "MemoryNetwork: story \(story.shape) and question \(question.shape) are not [B, M, L] and [B, L]")
        var state = embeddings[0](question).sum(axis: 1)  // [B, d]
        var attention: [Tensor] = []
        for hop in 0..<hopCount {
            let memories = embeddings[hop](story).sum(axis: 2)  // [B, M, d]
            let outputs = embeddings[hop + 1](story).sum(axis: 2)
            let scores = Tensor.matmul(memories, state.unsqueezed(axis: 2)).squeezed(axis: 2)  // [B, M]
            let weights = maskedSoftmax(scores, mask: memoryMask)
            attention.append(weights)
            state = state + Tensor.matmul(weights.unsqueezed(axis: 1), outputs).squeezed(axis: 1)
        }
        return (logits: output(state), attention: attention)
    }
}
