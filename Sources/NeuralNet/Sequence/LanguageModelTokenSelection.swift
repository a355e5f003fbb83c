import Autodiff

/// How a generator picks the next token from the model's logits: greedily, or by sampling with a temperature and
/// optionally only among the `k` most likely tokens.
///
/// Sampling draws from `softmax(logits / temperature)` restricted to the top `k` (top-k sampling: Fan et al.,
/// "Hierarchical Neural Story Generation", ACL 2018). Temperature 0 is greedy decoding; `topK: 1` is greedy too.
/// Ties among equal logits go to the lowest token index, in greedy decoding and at the top-k boundary.
public enum TokenSelection: Sendable, Equatable {
    /// The most likely token (argmax, lowest index on ties).
    case greedy
    /// A draw from `softmax(logits / temperature)` over the `topK` most likely tokens (all when `nil`).
    case sample(temperature: Float = 1, topK: Int? = nil)

    /// The token chosen from one row of logits; draws one uniform number when sampling.
    public func select(from logits: [Float], using generator: inout RandomGenerator) -> Int {
        precondition(!logits.isEmpty, "TokenSelection.select: empty logits")
        switch self {
        case .greedy:
            return Self.argmax(logits)
        case .sample(let temperature, let topK):
            precondition(temperature >= 0, "TokenSelection: temperature \(temperature) must be ≥ 0")
            precondition(topK.map { $0 >= 1 } ?? true, "TokenSelection: topK must be at least 1")
            if temperature == 0 { return Self.argmax(logits) }
            var restricted = logits
            if let topK, topK < logits.count {
                let kept = Set(Self.topIndices(logits, count: topK))
                for index in restricted.indices where !kept.contains(index) { restricted[index] = -.infinity }
            }
            return sampleCategorical(
                logits: Tensor(shape: [restricted.count], scalars: restricted), temperature: temperature,
                using: &generator)[0]
        }
    }

    /// The index of the largest logit, the lowest one on ties.
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for index in logits.indices where logits[index] > logits[best] { best = index }
        return best
    }

    /// The indices of the `count` largest logits, larger first, lower index first on ties.
    public static func topIndices(_ logits: [Float], count: Int) -> [Int] {
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        return Array(order.prefix(count))
    }
}
