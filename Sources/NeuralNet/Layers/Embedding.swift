import Autodiff

/// A lookup table of learned vectors: token `i` maps to row `i` of `weight [vocabularySize, dimension]`.
///
/// Follows `torch.nn.Embedding`: parameter `weight`, initialised N(0, 1); with a `paddingIndex`, that row is
/// initialised to zeros and receives no gradient (the lookup multiplies by a constant row mask), so it stays zero
/// under any optimizer without weight decay.
public struct Embedding: ParameterContainer {
    /// The table, shape `[vocabularySize, dimension]`.
    public let weight: Parameter
    /// The row that stays zero and gets no gradient, if any.
    public let paddingIndex: Int?

    /// A table drawn from N(0, 1) with `generator`; the padding row (if any) is zeroed.
    public init(vocabularySize: Int, dimension: Int, paddingIndex: Int? = nil, using generator: inout RandomGenerator) {
        precondition(vocabularySize > 0 && dimension > 0, "Embedding: invalid sizes \(vocabularySize)×\(dimension)")
        var table = Tensor.normal([vocabularySize, dimension], using: &generator).scalars
        if let paddingIndex {
            precondition(
                (0..<vocabularySize).contains(paddingIndex),
                "Embedding: paddingIndex \(paddingIndex) outside 0..<\(vocabularySize)")
            for j in 0..<dimension { table[paddingIndex * dimension + j] = 0 }
        }
        self.init(weight: Tensor(shape: [vocabularySize, dimension], scalars: table), paddingIndex: paddingIndex)
    }

    /// A table with the given weight `[vocabularySize, dimension]`.
    public init(weight: Tensor, paddingIndex: Int? = nil) {
        precondition(weight.rank == 2, "Embedding: weight must be [vocabularySize, dimension], got \(weight.shape)")
        if let paddingIndex {
            precondition(
                (0..<weight.shape[0]).contains(paddingIndex),
                "Embedding: paddingIndex \(paddingIndex) outside 0..<\(weight.shape[0])")
        }
        self.weight = Parameter(weight)
        self.paddingIndex = paddingIndex
    }

    /// Number of rows.
    public var vocabularySize: Int { weight.shape[0] }
    /// Length of each vector.
    public var dimension: Int { weight.shape[1] }

    /// `weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [(name: "weight", parameter: weight)] }

    /// The vectors of `tokens` (any shape), shape `tokens.shape + [dimension]`.
    public func callAsFunction(_ tokens: IndexTensor) -> Tensor {
        guard let paddingIndex else { return weight.value.indexSelect(axis: 0, indices: tokens) }
        // Multiplying by a constant 0/1 row mask keeps the padding row out of the gradient.
        var keep = [Float](repeating: 1, count: vocabularySize)
        keep[paddingIndex] = 0
        let masked = weight.value * Tensor(shape: [vocabularySize, 1], scalars: keep)
        return masked.indexSelect(axis: 0, indices: tokens)
    }
}
