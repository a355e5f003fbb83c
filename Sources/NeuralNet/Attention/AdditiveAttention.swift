import Autodiff

/// Additive (Bahdanau) attention (Bahdanau, Cho & Bengio 2015):
///
/// ```
/// score(q, k) = vᵀ tanh(W_q q + W_k k)
/// ```
/// with `queryWeight W_q [A, Dq]`, `keyWeight W_k [A, Dk]`, `vector v [A]` (A = attention size), all drawn
/// U(−1/√fanIn, 1/√fanIn). Queries `[B, Tq, Dq]`, keys `[B, Tk, Dk]`, values `[B, Tk, Dv]`; `mask`
/// (nonzero = not attended) broadcasts to `[B, Tq, Tk]`.
public struct AdditiveAttention: ParameterContainer {
    /// `W_q`, shape `[attentionSize, queryDimension]`.
    public let queryWeight: Parameter
    /// `W_k`, shape `[attentionSize, keyDimension]`.
    public let keyWeight: Parameter
    /// `v`, shape `[attentionSize]`.
    public let vector: Parameter

    /// A layer with weights drawn from `generator` (queryWeight, keyWeight, vector).
    public init(queryDimension: Int, keyDimension: Int, attentionSize: Int, using generator: inout RandomGenerator) {
        precondition(
            queryDimension > 0 && keyDimension > 0 && attentionSize > 0,
            "AdditiveAttention: invalid sizes \(queryDimension), \(keyDimension), \(attentionSize)")
        let queryBound = 1 / Float(queryDimension).squareRoot()
        let keyBound = 1 / Float(keyDimension).squareRoot()
        let vectorBound = 1 / Float(attentionSize).squareRoot()
        queryWeight = Parameter(
            Tensor.uniform([attentionSize, queryDimension], low: -queryBound, high: queryBound, using: &generator))
        keyWeight = Parameter(
            Tensor.uniform([attentionSize, keyDimension], low: -keyBound, high: keyBound, using: &generator))
        vector = Parameter(Tensor.uniform([attentionSize], low: -vectorBound, high: vectorBound, using: &generator))
    }

    /// `queryWeight`, `keyWeight`, `vector`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        [
            (name: "queryWeight", parameter: queryWeight), (name: "keyWeight", parameter: keyWeight),
            (name: "vector", parameter: vector),
        ]
    }

    /// The scores `[B, Tq, Tk]`.
    public func scores(query: Tensor, keys: Tensor) -> Tensor {
        let size = vector.shape[0]
        precondition(
            query.rank == 3 && keys.rank == 3 && query.shape[0] == keys.shape[0]
                && query.shape[2] == queryWeight.shape[1] && keys.shape[2] == keyWeight.shape[1],
            "AdditiveAttention: query \(query.shape) and keys \(keys.shape) do not fit weights "
                + "\(queryWeight.shape), \(keyWeight.shape)")
        let (batch, queries, keyCount) = (query.shape[0], query.shape[1], keys.shape[1])
        let projectedQuery = Tensor.matmul(query, queryWeight.value, transposeB: true).unsqueezed(axis: 2)
        let projectedKeys = Tensor.matmul(keys, keyWeight.value, transposeB: true).unsqueezed(axis: 1)
        let hidden = (projectedQuery + projectedKeys).tanh()  // [B, Tq, Tk, A]
        return hidden.reshaped([batch * queries * keyCount, size]).matmul(vector.value.reshaped([size, 1]))
            .reshaped([batch, queries, keyCount])
    }

    /// Context and weights for `query` over `keys`/`values`.
    public func callAsFunction(query: Tensor, keys: Tensor, values: Tensor, mask: Tensor? = nil) -> AttentionOutput {
        attend(scores: scores(query: query, keys: keys), values: values, mask: mask)
    }
}
