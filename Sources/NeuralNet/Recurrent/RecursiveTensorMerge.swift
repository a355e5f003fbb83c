/// The merge of the Recursive Neural Tensor Network (Socher et al. 2013, "Recursive Deep Models for Semantic
/// Compositionality Over a Sentiment Treebank"): two child
/// vectors `a`, `b` (`[B, d]`) give the parent
///
/// ```
/// c = [a; b],   pₖ = tanh(cᵀ V⁽ᵏ⁾ c + (W c + b)ₖ)        k = 1 … d
/// ```
/// Parameters `tensor V [d, 2d, 2d]`, `weight W [d, 2d]`, `bias [d]`, drawn U(−1/√(2d), 1/√(2d)). Apply it bottom-up
/// over a binary tree.
public struct RecursiveTensorMerge: ParameterContainer {
    /// `V`, shape `[d, 2d, 2d]`.
    public let tensor: Parameter
    /// `W`, shape `[d, 2d]`.
    public let weight: Parameter
    /// `b`, shape `[d]`.
    public let bias: Parameter

    /// A merge of `dimension`-vectors drawn from `generator` (tensor, weight, bias).
    public init(dimension: Int, using generator: inout RandomGenerator) {
        precondition(dimension > 0, "RecursiveTensorMerge: invalid dimension \(dimension)")
        let d = dimension
        let bound = 1 / Float(2 * d).squareRoot()
        tensor = Parameter(Tensor.uniform([d, 2 * d, 2 * d], low: -bound, high: bound, using: &generator))
        weight = Parameter(Tensor.uniform([d, 2 * d], low: -bound, high: bound, using: &generator))
        bias = Parameter(Tensor.uniform([d], low: -bound, high: bound, using: &generator))
    }

    /// The vector size d.
    public var dimension: Int { weight.shape[0] }

    /// `tensor`, `weight`, `bias`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [(name: "tensor", parameter: tensor), (name: "weight", parameter: weight), (name: "bias", parameter: bias)]
    }

    /// The parent of `left` and `right` (`[B, d]` each), shape `[B, d]`.
    public func callAsFunction(_ left: Tensor, _ right: Tensor) -> Tensor {
        let d = dimension
        precondition(
            left.rank == 2 && left.shape == right.shape && left.shape[1] == d,
            "RecursiveTensorMerge: children \(left.shape) and \(right.shape) are not both [B, \(d)]")
        let joined = Tensor.concatenate([left, right], axis: 1)  // [B, 2d]
        // (c · V′)[b, k, j] = Σᵢ cᵢ V⁽ᵏ⁾ᵢⱼ with V′ = V arranged as [2d, d·2d]; then contract j with c.
        let arranged = tensor.value.permuted([1, 0, 2]).reshaped([2 * d, d * 2 * d])
        let halfway = joined.matmul(arranged).reshaped([left.shape[0], d, 2 * d])
        let bilinear = (halfway * joined.unsqueezed(axis: 1)).sum(axis: 2)
        return (bilinear + Tensor.matmul(joined, weight.value, transposeB: true) + bias.value).tanh()
    }
}
