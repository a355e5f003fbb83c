/// A node of a Matrix-Vector Recursive Neural Network: a vector (its meaning) and a matrix (how it modifies its
/// neighbour), `[B, d]` and `[B, d, d]`.
public struct MatrixVectorNode {
    /// The meaning vector.
    public var vector: Tensor
    /// The operator matrix.
    public var matrix: Tensor

    /// A node from its two parts.
    public init(vector: Tensor, matrix: Tensor) {
        self.vector = vector
        self.matrix = matrix
    }
}

/// The merge of the Matrix-Vector RNN (Socher, Huval, Manning & Ng 2012, "Semantic Compositionality through Recursive
/// Matrix-Vector Spaces"; every node carries a vector and a matrix):
///
/// ```
/// p = tanh(W [B·a; A·b] + bias),        P = W_M [A; B]
/// ```
/// for children `(a, A)` and `(b, B)`. Parameters `weight W [d, 2d]`, `bias [d]`, `matrixWeight W_M [d, 2d]`, drawn
/// U(−1/√(2d), 1/√(2d)).
public struct MatrixVectorMerge: ParameterContainer {
    /// `W`, shape `[d, 2d]`.
    public let weight: Parameter
    /// The bias of the vector part, shape `[d]`.
    public let bias: Parameter
    /// `W_M`, shape `[d, 2d]`.
    public let matrixWeight: Parameter

    /// A merge of `dimension`-vectors drawn from `generator` (weight, bias, matrixWeight).
    public init(dimension: Int, using generator: inout RandomGenerator) {
        precondition(dimension > 0, "MatrixVectorMerge: invalid dimension \(dimension)")
        let d = dimension
        let bound = 1 / Float(2 * d).squareRoot()
        weight = Parameter(Tensor.uniform([d, 2 * d], low: -bound, high: bound, using: &generator))
        bias = Parameter(Tensor.uniform([d], low: -bound, high: bound, using: &generator))
        matrixWeight = Parameter(Tensor.uniform([d, 2 * d], low: -bound, high: bound, using: &generator))
    }

    /// The vector size d.
    public var dimension: Int { weight.shape[0] }

    /// `weight`, `bias`, `matrixWeight`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [
            (name: "weight", parameter: weight), (name: "bias", parameter: bias),
            (name: "matrixWeight", parameter: matrixWeight),
        ]
    }

    /// The parent node of `left` and `right`.
    public func callAsFunction(_ left: MatrixVectorNode, _ right: MatrixVectorNode) -> MatrixVectorNode {
        let d = dimension
        let batch = left.vector.shape[0]
        precondition(
            left.vector.shape == [batch, d] && right.vector.shape == [batch, d] && left.matrix.shape == [batch, d, d]
                && right.matrix.shape == [batch, d, d],
            "MatrixVectorMerge: nodes must be [B, \(d)] vectors and [B, \(d), \(d)] matrices, got "
                + "\(left.vector.shape)/\(left.matrix.shape) and \(right.vector.shape)/\(right.matrix.shape)")
        let leftModified = right.matrix.matmul(left.vector.unsqueezed(axis: 2)).reshaped([batch, d])  // B·a
        let rightModified = left.matrix.matmul(right.vector.unsqueezed(axis: 2)).reshaped([batch, d])  // A·b
        let joined = Tensor.concatenate([leftModified, rightModified], axis: 1)
        let vector = (Tensor.matmul(joined, weight.value, transposeB: true) + bias.value).tanh()
        let stacked = Tensor.concatenate([left.matrix, right.matrix], axis: 1)  // [B, 2d, d]
        let matrix = matrixWeight.value.matmul(stacked)  // [B, d, d]
        return MatrixVectorNode(vector: vector, matrix: matrix)
    }
}
