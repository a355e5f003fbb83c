import Autodiff

/// Bilinear ("general") attention (Luong et al. 2015): `score(q, k) = qᵀ W k` with a learned `weight W [Dq, Dk]`,
/// initialised U(−1/√Dk, 1/√Dk). Queries `[B, Tq, Dq]`, keys `[B, Tk, Dk]`, values `[B, Tk, Dv]`; `mask`
/// (nonzero = not attended) broadcasts to `[B, Tq, Tk]`.
public struct GeneralAttention: ParameterContainer {
    /// `W`, shape `[queryDimension, keyDimension]`.
    public let weight: Parameter

    /// A layer with `W` drawn from `generator`.
    public init(queryDimension: Int, keyDimension: Int, using generator: inout RandomGenerator) {
        precondition(
            queryDimension > 0 && keyDimension > 0,
            "GeneralAttention: invalid sizes \(queryDimension), \(keyDimension)")
        let bound = 1 / Float(keyDimension).squareRoot()
        weight = Parameter(Tensor.uniform([queryDimension, keyDimension], low: -bound, high: bound, using: &generator))
    }

    /// `weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [(name: "weight", parameter: weight)] }

    /// The scores `[B, Tq, Tk]` = `(q·W)·kᵀ`.
    public func scores(query: Tensor, keys: Tensor) -> Tensor {
        precondition(
            query.rank == 3 && keys.rank == 3 && query.shape[2] == weight.shape[0] && keys.shape[2] == weight.shape[1],
            "GeneralAttention: query \(query.shape) and keys \(keys.shape) do not fit weight \(weight.shape)")
        return Tensor.matmul(query.matmul(weight.value), keys, transposeB: true)
    }

    /// Context and weights for `query` over `keys`/`values`.
    public func callAsFunction(query: Tensor, keys: Tensor, values: Tensor, mask: Tensor? = nil) -> AttentionOutput {
        attend(scores: scores(query: query, keys: keys), values: values, mask: mask)
    }
}
