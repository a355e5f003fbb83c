import Autodiff
import Foundation

/// Standard normal draws by the ziggurat method (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random
/// Variables"), laid out as NumPy's `random_standard_normal` (`numpy/random/src/distributions/distributions.c`):
/// 256 strips of equal area `v` under `f(x) = exp(−x²/2)`, one 64-bit draw per attempt (8 bits pick the strip,
/// 1 bit the sign, 52 bits the abscissa). About 99% of draws cost one random word, one multiply and one compare;
/// the rest fall in a wedge (accepted against `f`) or, from the base strip, in the tail `x > r`, drawn by
/// Marsaglia's exponential method (accept `r + ξ/r`, `ξ, η ~ Exp(1)`, when `2η > ξ²/r²`).
///
/// The tables are built once from `r = 3.6541528853610088` (the 256-strip value NumPy uses):
/// `v = r f(r) + ∫_r^∞ f`, `x₂₅₅ = r`, `xᵢ₋₁ = f⁻¹(v/xᵢ + f(xᵢ))`, `x₀ = 0`.
public enum ZigguratNormal {
    /// The tables of the 256-strip ziggurat (`kᵢ`, `wᵢ`, `fᵢ` as in NumPy's `ziggurat_constants.h`).
    public struct Tables: Sendable {
        /// Right edge of the base strip's rectangle, where the tail begins.
        public static let r = 3.6541528853610088
        /// `kᵢ = ⌊2⁵² xᵢ₋₁/xᵢ⌋`: a 52-bit abscissa below it lies inside strip `i`'s inner rectangle.
        public let k: [UInt64]
        /// `wᵢ = xᵢ / 2⁵²` (strip 0: `v/f(r) / 2⁵²`).
        public let w: [Double]
        /// `fᵢ = f(xᵢ)` (`f₀ = 1`).
        public let f: [Double]

        init() {
            let r = Tables.r
            let density = { (x: Double) in exp(-0.5 * x * x) }
            let area = r * density(r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
            var x = [Double](repeating: 0, count: 256)
            x[255] = r
            for i in stride(from: 255, to: 1, by: -1) {
                x[i - 1] = (-2 * log(area / x[i] + density(x[i]))).squareRoot()
            }
            x[0] = 0
            let scale = 0x1.0p52
            var k = [UInt64](repeating: 0, count: 256)
            var w = [Double](repeating: 0, count: 256)
            var f = [Double](repeating: 0, count: 256)
            let baseWidth = area / density(r)
            k[0] = UInt64(r / baseWidth * scale)
            w[0] = baseWidth / scale
            f[0] = 1
            for i in 1..<256 {
                k[i] = UInt64(x[i - 1] / x[i] * scale)
                w[i] = x[i] / scale
                f[i] = density(x[i])
            }
            self.k = k
            self.w = w
            self.f = f
        }
    }

    /// The shared tables (built on first use).
    public static let tables = Tables()

    /// One `N(0, 1)` draw.
    @inlinable @inline(__always)
    public static func draw(using generator: inout RandomGenerator) -> Double {
        tables.k.withUnsafeBufferPointer { k in
            tables.w.withUnsafeBufferPointer { w in
                tables.f.withUnsafeBufferPointer { f in
                    draw(k: k, w: w, f: f, using: &generator)
                }
            }
        }
    }

    /// Fills `buffer` with `mean + standardDeviation · z`, `z ~ N(0, 1)`.
    @inlinable
    public static func fill(
        _ buffer: UnsafeMutableBufferPointer<Double>, mean: Double = 0, standardDeviation: Double = 1,
        using generator: inout RandomGenerator
    ) {
        tables.k.withUnsafeBufferPointer { k in
            tables.w.withUnsafeBufferPointer { w in
                tables.f.withUnsafeBufferPointer { f in
                    for index in 0..<buffer.count {
                        buffer[index] = mean + standardDeviation * draw(k: k, w: w, f: f, using: &generator)
                    }
                }
            }
        }
    }

    /// The ziggurat step over borrowed tables (for loops that hoist the table access).
    @inlinable @inline(__always)
    public static func draw(
        k: UnsafeBufferPointer<UInt64>, w: UnsafeBufferPointer<Double>, f: UnsafeBufferPointer<Double>,
        using generator: inout RandomGenerator
    ) -> Double {
        while true {
            let bits = generator.next()
            let index = Int(truncatingIfNeeded: bits & 0xff)
            let negative = (bits >> 8) & 1 == 1
            let magnitude = (bits >> 9) & 0x000F_FFFF_FFFF_FFFF
            let x = Double(magnitude) * w[index]
            if magnitude < k[index] { return negative ? -x : x }
            if let accepted = slowPath(index: index, x: x, negative: negative, f: f, using: &generator) {
                return accepted
            }
        }
    }

    /// The rare branch: the tail beyond `r` from the base strip, else the wedge test `y < f(x)`.
    @usableFromInline
    static func slowPath(
        index: Int, x: Double, negative: Bool, f: UnsafeBufferPointer<Double>, using generator: inout RandomGenerator
    ) -> Double? {
        if index == 0 {
            let r = Tables.r
            while true {
                let xi = -log1p(-generator.nextUnitDouble()) / r
                let eta = -log1p(-generator.nextUnitDouble())
                if eta + eta > xi * xi { return negative ? -(r + xi) : r + xi }
            }
        }
        let y = f[index] + generator.nextUnitDouble() * (f[index - 1] - f[index])
        if y < exp(-0.5 * x * x) { return negative ? -x : x }
        return nil
    }
}
