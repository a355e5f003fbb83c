import Autodiff
import Foundation

/// The gamma distribution with shape `α` and scale `θ` (NumPy `Generator.gamma(shape, scale)`), sampled by
/// Marsaglia & Tsang (2000), "A simple method for generating gamma variables", with the `U^{1/α}` boost for `α < 1`.
public struct Gamma: ContinuousDistribution {
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
    /// A `Gamma(shape, 1)` draw (Marsaglia–Tsang squeeze-and-reject).
    @inlinable
    public static func standardDraw(shape: Double, using generator: inout RandomGenerator) -> Double {
        if shape < 1 {
            let u = 1 - generator.nextUnitDouble()
            return standardDraw(shape: shape + 1, using: &generator) * Foundation.pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = generator.nextStandardNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - generator.nextUnitDouble()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return d * v }
            if Foundation.log(u) < 0.5 * x2 + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }
    /// Bulk fill: Marsaglia–Tsang with both polar-method normals of each pair used (α ≥ 1), else one draw each.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator) {
        guard shape >= 1 else {
            for index in 0..<buffer.count { buffer[index] = sample(using: &generator) }
            return
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        var spare = 0.0
        var hasSpare = false
        for index in 0..<buffer.count {
            while true {
                let x: Double
                if hasSpare {
                    x = spare
                    hasSpare = false
                } else {
                    let (z1, z2) = PolarNormal.pair(using: &generator)
                    x = z1
                    spare = z2
                    hasSpare = true
                }
                var v = 1 + c * x
                if v <= 0 { continue }
                v = v * v * v
                let u = 1 - generator.nextUnitDouble()
                let x2 = x * x
                if u < 1 - 0.0331 * x2 * x2 || Foundation.log(u) < 0.5 * x2 + d * (1 - v + Foundation.log(v)) {
                    buffer[index] = scale * d * v
                    break
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
}
