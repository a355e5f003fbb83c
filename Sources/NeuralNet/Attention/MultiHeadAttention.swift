import Autodiff

/// Multi-head scaled dot-product attention (Vaswani et al. 2017; `torch.nn.MultiheadAttention` with
/// `batch_first = true`):
///
/// ```
/// headᵢ = softmax((Q W_qᵢ)(K W_kᵢ)ᵀ / √d) (V W_vᵢ),   out = [head₁; …; head_h] W_oᵀ + b_o,   d = D / h
/// ```
/// Sub-layers `query`, `key`, `value`, `output` (each a ``Linear`` of size D → D, so parameters
/// `query.weight`, `query.bias`, …). Inputs `[B, Tq, D]` and `[B, Tk, D]`; `mask` (nonzero = not attended)
/// broadcasts to `[B, Tq, Tk]` and applies to every head.
public struct MultiHeadAttention: ParameterContainer {
    /// Number of heads h.
    public let headCount: Int
    /// Query projection.
    public let query: Linear
    /// Key projection.
    public let key: Linear
    /// Value projection.
    public let value: Linear
    /// Output projection.
    public let output: Linear

    /// A layer of model size `modelSize` (divisible by `headCount`), projections drawn in the order query, key,
    /// value, output.
    public init(modelSize: Int, headCount: Int, using generator: inout RandomGenerator) {
        precondition(
            headCount > 0 && modelSize > 0 && modelSize % headCount == 0,
            "MultiHeadAttention: modelSize \(modelSize) not divisible by headCount \(headCount)")
        self.headCount = headCount
        query = Linear(inputSize: modelSize, outputSize: modelSize, using: &generator)
        key = Linear(inputSize: modelSize, outputSize: modelSize, using: &generator)
        value = Linear(inputSize: modelSize, outputSize: modelSize, using: &generator)
        output = Linear(inputSize: modelSize, outputSize: modelSize, using: &generator)
    }

    /// Model size D.
    public var modelSize: Int { query.outputSize }

    /// `query.*`, `key.*`, `value.*`, `output.*`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("query", query) + prefixed("key", key) + prefixed("value", value) + prefixed("output", output)
    }

    /// `[B, T, D]` → `[B, h, T, d]`.
    private func heads(_ x: Tensor) -> Tensor {
        x.reshaped([x.shape[0], x.shape[1], headCount, modelSize / headCount]).permuted([0, 2, 1, 3])
    }

    /// Context `[B, Tq, D]` and per-head weights `[B, h, Tq, Tk]`.
    public func callAsFunction(query queries: Tensor, keys: Tensor, values: Tensor, mask: Tensor? = nil)
        -> AttentionOutput
    {
        precondition(
            queries.rank == 3 && keys.rank == 3 && values.rank == 3 && queries.shape[2] == modelSize
                && keys.shape[2] == modelSize && values.shape[2] == modelSize && keys.shape[1] == values.shape[1]
                && queries.shape[0] == keys.shape[0] && keys.shape[0] == values.shape[0],
            "MultiHeadAttention: query \(queries.shape), keys \(keys.shape), values \(values.shape) are not "
                + "[B, Tq, \(modelSize)], [B, Tk, \(modelSize)], [B, Tk, \(modelSize)]")
        let (batch, queryCount) = (queries.shape[0], queries.shape[1])
        let headSize = modelSize / headCount
        let q = heads(query(queries))
        let k = heads(key(keys))
        let v = heads(value(values))
        let scores = Tensor.matmul(q, k, transposeB: true) / Float(headSize).squareRoot()  // [B, h, Tq, Tk]
        let headMask = mask.map { $0.rank == 3 ? $0.unsqueezed(axis: 1) : $0 }
        let weights = maskedSoftmax(scores, mask: headMask)
        let context = Tensor.matmul(weights, v).permuted([0, 2, 1, 3]).reshaped([batch, queryCount, modelSize])
        return AttentionOutput(context: output(context), weights: weights)
    }
}
