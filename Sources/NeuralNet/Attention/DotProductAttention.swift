import Autodiff

/// Dot-product attention (Luong et al. 2015 "dot"; scaled as in Vaswani et al. 2017 when `scaled`):
///
/// ```
/// score(q, k) = q · k  (÷ √d when scaled),   weights = softmax_k(score),   context = Σ_k weights · v
/// ```
/// No parameters. Queries `[B, Tq, D]`, keys `[B, Tk, D]`, values `[B, Tk, Dv]`; `mask` (nonzero = not attended)
/// broadcasts to `[B, Tq, Tk]`.
public struct DotProductAttention: ParameterContainer {
    /// Whether scores are divided by √D.
    public let scaled: Bool

    /// A dot-product attention, unscaled by default.
    public init(scaled: Bool = false) { self.scaled = scaled }

    /// None.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// The scores `[B, Tq, Tk]`.
    public func scores(query: Tensor, keys: Tensor) -> Tensor {
        precondition(
            query.rank == 3 && keys.rank == 3 && query.shape[2] == keys.shape[2] && query.shape[0] == keys.shape[0],
            "DotProductAttention: query \(query.shape) and keys \(keys.shape) are not [B, Tq, D] and [B, Tk, D]")
        let product = Tensor.matmul(query, keys, transposeB: true)
        return scaled ? product / Float(query.shape[2]).squareRoot() : product
    }

    /// Context and weights for `query` over `keys`/`values`.
    public func callAsFunction(query: Tensor, keys: Tensor, values: Tensor, mask: Tensor? = nil) -> AttentionOutput {
        attend(scores: scores(query: query, keys: keys), values: values, mask: mask)
    }
}
