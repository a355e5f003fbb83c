import Autodiff
import Foundation

/// Standard normal pairs by Marsaglia's polar method (Marsaglia & Bray 1964): draw `(v₁, v₂)` uniform in the
/// square until `s = v₁² + v₂² ∈ (0, 1)`, then `vᵢ √(−2 log s / s)` are independent `N(0, 1)`. No trigonometry,
/// so it is faster than Box–Muller for bulk sampling.
public enum PolarNormal {
    /// Two independent standard normal draws.
    @inlinable @inline(__always)
    public static func pair(using generator: inout RandomGenerator) -> (Double, Double) {
        while true {
            let v1 = 2 * generator.nextUnitDouble() - 1
            let v2 = 2 * generator.nextUnitDouble() - 1
            let s = v1 * v1 + v2 * v2
            if s < 1 && s > 0 {
                let factor = (-2 * Foundation.log(s) / s).squareRoot()
                return (v1 * factor, v2 * factor)
            }
        }
    }
}
