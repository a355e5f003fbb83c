import Autodiff
import Foundation

/// How a generator picks the next token from the model's logits: greedily, or by sampling with a temperature and
/// optionally only among the `k` most likely tokens and/or the nucleus of probability `p`.
///
/// Sampling draws from `softmax(logits / temperature)` restricted to the top `k` (top-k sampling: Fan et al.,
/// "Hierarchical Neural Story Generation", ACL 2018) and then to the smallest set of most likely tokens whose
/// probability reaches `p` (nucleus sampling: Holtzman et al., "The Curious Case of Neural Text Degeneration",
/// ICLR 2020). Temperature 0 is greedy decoding; `topK: 1` is greedy too.
/// Ties among equal logits go to the lowest token index, in greedy decoding and at the top-k boundary.
public enum TokenSelection: Sendable, Equatable {
    /// The most likely token (argmax, lowest index on ties).
    case greedy
    /// A draw from `softmax(logits / temperature)` over the `topK` most likely tokens (all when `nil`), then over
    /// the smallest prefix of them (by probability) whose mass reaches `topP` (all when `nil`).
    case sample(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil)

    /// The token chosen from one row of logits; draws one uniform number when sampling.
    public func select(from logits: [Float], using generator: inout RandomGenerator) -> Int {
        precondition(!logits.isEmpty, "TokenSelection.select: empty logits")
        switch self {
        case .greedy:
            return Self.argmax(logits)
        case .sample(let temperature, let topK, let topP):
            precondition(temperature >= 0, "TokenSelection: temperature \(temperature) must be ≥ 0")
            precondition(topK.map { $0 >= 1 } ?? true, "TokenSelection: topK must be at least 1")
            precondition(topP.map { $0 > 0 && $0 <= 1 } ?? true, "TokenSelection: topP must be in (0, 1]")
            if temperature == 0 { return Self.argmax(logits) }
            var restricted = logits
            if let topK, topK < logits.count {
                let kept = Set(Self.topIndices(logits, count: topK))
                for index in restricted.indices where !kept.contains(index) { restricted[index] = -.infinity }
            }
            if let topP, topP < 1 {
                restricted = Self.nucleus(restricted, temperature: temperature, mass: topP)
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

    /// `logits` with every token outside the nucleus set to −∞: the nucleus is the smallest set of most likely
    /// tokens (under `softmax(logits / temperature)`, lower index first on ties) whose probability reaches `mass`.
    public static func nucleus(_ logits: [Float], temperature: Float, mass: Float) -> [Float] {
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        guard let top = order.first, logits[top].isFinite else { return logits }
        var weights = [Double](repeating: 0, count: logits.count)
        var total = 0.0
        for index in logits.indices where logits[index] > -.infinity {
            weights[index] = Foundation.exp(Double((logits[index] - logits[top]) / temperature))
            total += weights[index]
        }
        var result = [Float](repeating: -.infinity, count: logits.count)
        var cumulative = 0.0
        for index in order {
            result[index] = logits[index]
            cumulative += weights[index] / total
            if cumulative >= Double(mass) { break }
        }
        return result
    }

    /// The indices of the `count` largest logits, larger first, lower index first on ties.
    public static func topIndices(_ logits: [Float], count: Int) -> [Int] {
        let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        return Array(order.prefix(count))
    }
}
