import Autodiff
import Foundation

/// The proposal distribution `q` over a vocabulary from which ``SampledSoftmax`` draws candidate classes.
///
/// Draws are independent, with replacement, by inverting the cumulative distribution (binary search over
/// `Double` cumulative sums, one `nextUnitDouble()` per draw). Proposals: unigram frequencies raised to a power
/// (Mikolov et al. 2013 use 0.75), the log-uniform (Zipfian) distribution of TensorFlow's
/// `log_uniform_candidate_sampler` for vocabularies sorted by decreasing frequency, or uniform.
public struct SampledSoftmaxProposal: Sendable, Equatable {
    /// `q(k)` for every class `k`, summing to 1.
    public let probabilities: [Double]
    /// `q(0) + … + q(k)`, the last entry forced to 1.
    private let cumulative: [Double]

    /// A proposal proportional to `weights` (non-negative, finite, not all zero).
    public init(weights: [Double]) {
        precondition(!weights.isEmpty, "SampledSoftmaxProposal: no weights")
        precondition(
            weights.allSatisfy { $0 >= 0 && $0.isFinite }, "SampledSoftmaxProposal: weights must be finite and ≥ 0")
        let total = weights.reduce(0, +)
        precondition(total > 0, "SampledSoftmaxProposal: weights are all zero")
        probabilities = weights.map { $0 / total }
        var running = 0.0
        var cumulative = probabilities.map { probability -> Double in
            running += probability
            return running
        }
        cumulative[cumulative.count - 1] = 1
        self.cumulative = cumulative
    }

    /// `q(k) ∝ (count(k) + smoothing)^exponent`: unigram frequencies, flattened by `exponent` (0.75 in word2vec).
    public static func unigram(counts: [Int], exponent: Double = 1, smoothing: Double = 0) -> SampledSoftmaxProposal {
        precondition(counts.allSatisfy { $0 >= 0 }, "SampledSoftmaxProposal.unigram: negative count")
        return SampledSoftmaxProposal(weights: counts.map { Foundation.pow(Double($0) + smoothing, exponent) })
    }

    /// `q(k) = (log(k + 2) − log(k + 1)) / log(V + 1)`: the log-uniform (Zipfian) proposal for classes sorted by
    /// decreasing frequency (TensorFlow's `log_uniform_candidate_sampler`).
    public static func logUniform(vocabularySize: Int) -> SampledSoftmaxProposal {
        precondition(vocabularySize > 0, "SampledSoftmaxProposal.logUniform: vocabularySize must be positive")
        return SampledSoftmaxProposal(
            weights: (0..<vocabularySize).map { Foundation.log(Double($0 + 2) / Double($0 + 1)) })
    }

    /// `q(k) = 1 / V`.
    public static func uniform(vocabularySize: Int) -> SampledSoftmaxProposal {
        precondition(vocabularySize > 0, "SampledSoftmaxProposal.uniform: vocabularySize must be positive")
        return SampledSoftmaxProposal(weights: [Double](repeating: 1, count: vocabularySize))
    }

    /// Number of classes.
    public var vocabularySize: Int { probabilities.count }

    /// `count` independent draws from `q`.
    public func sample(count: Int, using generator: inout RandomGenerator) -> [Int] {
        precondition(count >= 0, "SampledSoftmaxProposal.sample: count \(count) must not be negative")
        return (0..<count).map { _ in
            let u = generator.nextUnitDouble()
            var (low, high) = (0, cumulative.count - 1)
            while low < high {  // the first k with cumulative[k] > u
                let middle = (low + high) / 2
                if cumulative[middle] > u { high = middle } else { low = middle + 1 }
            }
            return low
        }
    }
}
