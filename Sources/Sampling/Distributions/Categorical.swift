import Autodiff
import Foundation

/// A categorical distribution over `0..<k`, sampled in O(1) per draw by Vose's alias method
/// (Vose 1991, "A linear algorithm for generating random numbers with a given distribution").
public struct Categorical: DiscreteDistribution {
    /// The normalized probabilities.
    public let probabilities: [Double]
    /// Alias-table acceptance thresholds.
    @usableFromInline let thresholds: [Double]
    /// Alias-table aliases.
    @usableFromInline let aliases: [Int]

    /// A categorical distribution from non-negative weights (normalized here; NumPy `Generator.choice(p=)`).
    public init(weights: [Double]) {
        precondition(!weights.isEmpty, "Categorical: weights must not be empty")
        precondition(weights.allSatisfy { $0 >= 0 && $0.isFinite }, "Categorical: weights must be finite, ≥ 0")
        var total = 0.0
        for weight in weights { total += weight }
        precondition(total > 0, "Categorical: weights must not all be zero")
        let probabilities = weights.map { $0 / total }
        self.probabilities = probabilities
        let count = probabilities.count
        var scaled = probabilities.map { $0 * Double(count) }
        var thresholds = [Double](repeating: 1, count: count)
        var aliases = Array(0..<count)
        var small: [Int] = []
        var large: [Int] = []
        for (index, value) in scaled.enumerated() {
            if value < 1 { small.append(index) } else { large.append(index) }
        }
        while let less = small.popLast(), let more = large.last {
            thresholds[less] = scaled[less]
            aliases[less] = more
            scaled[more] -= 1 - scaled[less]
            if scaled[more] < 1 {
                large.removeLast()
                small.append(more)
            }
        }
        self.thresholds = thresholds
        self.aliases = aliases
    }

    /// `log pₖ`.
    public func logProbability(_ k: Int) -> Double {
        k >= 0 && k < probabilities.count ? log(probabilities[k]) : -.infinity
    }
    /// One alias-method draw: a uniform column, then its threshold decides column or alias.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Int {
        let u = generator.nextUnitDouble() * Double(thresholds.count)
        let column = min(Int(u), thresholds.count - 1)
        return u - Double(column) < thresholds[column] ? column : aliases[column]
    }
    /// Bulk fill of `buffer` with draws.
    ///
    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe
    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Int>, using generator: inout RandomGenerator) {
        let count = thresholds.count
        thresholds.withUnsafeBufferPointer { thresholds in
            aliases.withUnsafeBufferPointer { aliases in
                for index in 0..<buffer.count {
                    let u = generator.nextUnitDouble() * Double(count)
                    let column = min(Int(u), count - 1)
                    buffer[index] = u - Double(column) < thresholds[column] ? column : aliases[column]
                }
            }
        }
    }
    /// `Σ k pₖ`.
    public var mean: Double { probabilities.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element } }
    /// `Σ k² pₖ − mean²`.
    public var variance: Double {
        let second = probabilities.enumerated().reduce(0) { $0 + Double($1.offset * $1.offset) * $1.element }
        return second - mean * mean
    }
}
