import Autodiff
import Foundation

/// A distribution over the real line: log-density, sampling and the first two moments.
///
/// Monte Carlo
/// estimates `E[f(x)] ≈ (1/N) Σ f(xᵢ)` need draws `xᵢ ~ p(x)`.
public protocol ContinuousDistribution: Sendable {
    /// `log p(x)` (normalized).
    func logDensity(_ x: Double) -> Double
    /// One draw.
    func sample(using generator: inout RandomGenerator) -> Double
    /// `E[x]`.
    var mean: Double { get }
    /// `Var[x]`.
    var variance: Double { get }
    /// Fills `buffer` with independent draws (a requirement so bulk samplers like `Normal`'s are dispatched to).
    func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator)
}

/// A continuous distribution whose cumulative distribution function is available, and its inverse
/// (the quantile function `F⁻¹(u)` that inverse-transform sampling applies to a uniform draw, Devroye 1986, §II.2).
public protocol CumulativeDistribution: ContinuousDistribution {
    /// `F(x) = P(X ≤ x)`.
    func cdf(_ x: Double) -> Double
    /// `F⁻¹(u)` for `u ∈ (0, 1)`.
    func inverseCDF(_ u: Double) -> Double
}

/// A distribution over the integers: log-probability, sampling and moments.
public protocol DiscreteDistribution: Sendable {
    /// `log P(X = k)`.
    func logProbability(_ k: Int) -> Double
    /// One draw.
    func sample(using generator: inout RandomGenerator) -> Int
    /// `E[X]`.
    var mean: Double { get }
    /// `Var[X]`.
    var variance: Double { get }
    /// Fills `buffer` with independent draws.
    func fill(_ buffer: UnsafeMutableBufferPointer<Int>, using generator: inout RandomGenerator)
}

extension ContinuousDistribution {
    /// `count` independent draws.
    @inlinable
    public func samples(count: Int, using generator: inout RandomGenerator) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer, using: &generator)
            initialized = count
        }
    }

    /// `count` independent draws rounded to `Float`.
    @inlinable
    public func floatSamples(count: Int, using generator: inout RandomGenerator) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = Float(sample(using: &generator)) }
            initialized = count
        }
    }

    /// Fills `buffer` with independent draws.

    ///

    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe

    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator) {
        for index in 0..<buffer.count { buffer[index] = sample(using: &generator) }
    }

    /// The standard deviation `√Var[x]`.
    public var standardDeviation: Double { variance.squareRoot() }
}

extension DiscreteDistribution {
    /// `count` independent draws.
    @inlinable
    public func samples(count: Int, using generator: inout RandomGenerator) -> [Int] {
        [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer, using: &generator)
            initialized = count
        }
    }

    /// Fills `buffer` with independent draws, one `sample` each.

    ///

    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe

    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Int>, using generator: inout RandomGenerator) {
        for index in 0..<buffer.count { buffer[index] = sample(using: &generator) }
    }

    /// `P(X = k)`.
    public func probability(_ k: Int) -> Double { exp(logProbability(k)) }
}
