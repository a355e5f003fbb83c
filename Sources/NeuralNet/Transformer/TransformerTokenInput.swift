import Autodiff

/// Token embeddings scaled by `√D` plus positions (Vaswani et al. 2017, §3.4–3.5): the input of a Transformer
/// stack. Parameters `embedding.weight` (drawn from N(0, 1/D), so scaled rows have unit variance; the padding row
/// zero) and, for learned positions, `positions.weight`.
public struct TransformerTokenInput: ParameterContainer {
    /// Token vectors `[V, D]`.
    public let embedding: Embedding
    /// Learned position vectors, when ``kind`` is `.learned`.
    public let positions: LearnedPositionalEmbedding?
    /// How positions enter.
    public let kind: PositionalEncodingKind

    /// An input layer for `vocabularySize` tokens of size `modelSize`.
    public init(
        vocabularySize: Int, modelSize: Int, kind: PositionalEncodingKind, maximumLength: Int, paddingIndex: Int?,
        using generator: inout RandomGenerator
    ) {
        var table = Tensor.normal([vocabularySize, modelSize], using: &generator) * (1 / Float(modelSize).squareRoot())
        if let paddingIndex {
            var scalars = table.scalars
            for j in 0..<modelSize { scalars[paddingIndex * modelSize + j] = 0 }
            table = Tensor(shape: [vocabularySize, modelSize], scalars: scalars)
        }
        embedding = Embedding(weight: table, paddingIndex: paddingIndex)
        positions =
            kind == .learned
            ? LearnedPositionalEmbedding(maximumLength: maximumLength, dimension: modelSize, using: &generator) : nil
        self.kind = kind
    }

    /// `embedding.weight`, `positions.weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("embedding", embedding) + (positions.map { prefixed("positions", $0) } ?? [])
    }

    /// `[B, T, D]` for batch-major `tokens [B, T]` at positions `offset …`.
    public func callAsFunction(_ tokens: IndexTensor, offset: Int = 0) -> Tensor {
        let length = tokens.shape[1]
        let modelSize = embedding.dimension
        // Rows are gathered directly and padding positions zeroed by a [B, T, 1] mask: the padding row then gets
        // no gradient, without masking the whole [V, D] table as `Embedding` does.
        var vectors = embedding.weight.value.indexSelect(axis: 0, indices: tokens)
        if let padding = embedding.paddingIndex, tokens.indices.contains(padding) {
            let keep = tokens.indices.map { $0 == padding ? Float(0) : 1 }
            vectors = vectors * Tensor(shape: tokens.shape + [1], scalars: keep)
        }
        let scaled = vectors * Float(modelSize).squareRoot()
        switch kind {
        case .sinusoidal:
            return scaled + SinusoidalPositionalEncoding.table(length: length, dimension: modelSize, offset: offset)
        case .learned:
            guard let positions else { return scaled }
            return scaled + positions(length: length, offset: offset)
        case .rotary:
            return scaled
        }
    }

    /// Logits `[N, V]` of `hidden [N, D]` through the transposed embedding (weight tying, Press & Wolf 2017).
    public func tiedLogits(_ hidden: Tensor) -> Tensor {
        Tensor.matmul(hidden, embedding.weight.value, transposeB: true)
    }
}

/// `tokens` (rows of different lengths) padded with `padding` into a batch-major `[B, T]` index tensor.
func paddedBatch(_ rows: [[Int]], padding: Int) -> (tokens: IndexTensor, lengths: [Int]) {
    let lengths = rows.map(\.count)
    let length = lengths.max() ?? 0
    var indices = [Int](repeating: padding, count: rows.count * length)
    for (b, row) in rows.enumerated() { for (t, token) in row.enumerated() { indices[b * length + t] = token } }
    return (IndexTensor(shape: [rows.count, length], indices: indices), lengths)
}
