import Autodiff
import Foundation

/// The gamma distribution with shape `α` and scale `θ` (NumPy `Generator.gamma(shape, scale)`), sampled by
/// Marsaglia & Tsang (2000), "A simple method for generating gamma variables", with the `U^{1/α}` boost for `α < 1`,
/// on ziggurat normals (`ZigguratNormal`) as NumPy does.
public struct Gamma: CumulativeDistribution {
    /// The shape `α > 0`.
    public let shape: Double
    /// The scale `θ > 0`.
    public let scale: Double

    /// `Gamma(shape, scale)`.
    public init(shape: Double, scale: Double = 1) {
        precondition(shape > 0 && scale > 0, "Gamma: shape \(shape) and scale \(scale) must be positive")
        self.shape = shape
        self.scale = scale
    }

    /// `(α − 1) log x − x/θ − log Γ(α) − α log θ`.
    public func logDensity(_ x: Double) -> Double {
        guard x > 0 else { return -.infinity }
        return (shape - 1) * log(x) - x / scale - lgamma(shape) - shape * log(scale)
    }
    /// One Marsaglia–Tsang draw.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Double {
        scale * Gamma.standardDraw(shape: shape, using: &generator)
    }
    /// A `Gamma(shape, 1)` draw (Marsaglia–Tsang squeeze-and-reject on ziggurat normals, as NumPy's
    /// `random_standard_gamma`).
    @inlinable
    public static func standardDraw(shape: Double, using generator: inout RandomGenerator) -> Double {
        let tables = ZigguratNormal.tables
        return tables.k.withUnsafeBufferPointer { k in
            tables.w.withUnsafeBufferPointer { w in
                tables.f.withUnsafeBufferPointer { f in
                    standardDraw(shape: shape, k: k, w: w, f: f, using: &generator)
                }
            }
        }
    }
    /// Marsaglia–Tsang over borrowed ziggurat tables: `d = α − 1/3`, `c = 1/√(9d)`, `v = (1 + cZ)³`, accept `dv`
    /// when `U < 1 − 0.0331 Z⁴` (squeeze) or `log U < Z²/2 + d(1 − v + log v)`; for `α < 1`, `G(α + 1) U^{1/α}`.
    @inlinable @inline(__always)
    static func standardDraw(
        shape: Double, k: UnsafeBufferPointer<UInt64>, w: UnsafeBufferPointer<Double>, f: UnsafeBufferPointer<Double>,
        using generator: inout RandomGenerator
    ) -> Double {
        if shape < 1 {
            let u = 1 - generator.nextUnitDouble()
            return standardDraw(shape: shape + 1, k: k, w: w, f: f, using: &generator) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        return marsagliaTsang(d: d, c: 1 / (9 * d).squareRoot(), k: k, w: w, f: f, using: &generator)
    }
    /// The Marsaglia–Tsang loop for `α ≥ 1` with `d = α − 1/3` and `c = 1/√(9d)` precomputed.
    @inlinable @inline(__always)
    static func marsagliaTsang(
        d: Double, c: Double, k: UnsafeBufferPointer<UInt64>, w: UnsafeBufferPointer<Double>,
        f: UnsafeBufferPointer<Double>, using generator: inout RandomGenerator
    ) -> Double {
        while true {
            var x: Double
            var v: Double
            repeat {
                x = ZigguratNormal.draw(k: k, w: w, f: f, using: &generator)
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - generator.nextUnitDouble()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if Foundation.log(u) < 0.5 * x2 + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
    /// Bulk fill: Marsaglia–Tsang with the ziggurat tables borrowed and `d`, `c` computed once for the whole buffer.
    ///
    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe
    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator) {
        let tables = ZigguratNormal.tables
        let shape = shape
        let scale = scale
        tables.k.withUnsafeBufferPointer { k in
            tables.w.withUnsafeBufferPointer { w in
                tables.f.withUnsafeBufferPointer { f in
                    if shape >= 1 {
                        let d = shape - 1.0 / 3.0
                        let c = 1 / (9 * d).squareRoot()
                        for index in 0..<buffer.count {
                            buffer[index] =
                                scale * Gamma.marsagliaTsang(d: d, c: c, k: k, w: w, f: f, using: &generator)
                        }
                    } else {
                        for index in 0..<buffer.count {
                            buffer[index] =
                                scale * Gamma.standardDraw(shape: shape, k: k, w: w, f: f, using: &generator)
                        }
                    }
                }
            }
        }
    }
    /// `αθ`.
    public var mean: Double { shape * scale }
    /// `αθ²`.
    public var variance: Double { shape * scale * scale }
    /// `P(α, x/θ)`, the regularized lower incomplete gamma function.
    public func cdf(_ x: Double) -> Double { SpecialFunctions.regularizedLowerGamma(shape, x / scale) }
    /// `θ P⁻¹(α, u)`: the quantile by numeric inversion of the incomplete gamma function (SciPy `gamma.ppf`).
    public func inverseCDF(_ u: Double) -> Double { scale * SpecialFunctions.inverseRegularizedLowerGamma(shape, u) }
}
