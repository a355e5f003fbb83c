import Autodiff
import Foundation

/// The continuous uniform distribution on `[lowerBound, upperBound)` (NumPy `Generator.uniform`).
public struct Uniform: CumulativeDistribution {
    /// Lower end of the support.
    public let lowerBound: Double
    /// Upper end of the support.
    public let upperBound: Double

    /// A uniform distribution on `[lowerBound, upperBound)`; requires `lowerBound < upperBound`.
    public init(_ lowerBound: Double = 0, _ upperBound: Double = 1) {
        precondition(lowerBound < upperBound, "Uniform: lowerBound \(lowerBound) must be below \(upperBound)")
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    /// `−log(b − a)` inside the support, `−∞` outside.
    public func logDensity(_ x: Double) -> Double {
        x >= lowerBound && x <= upperBound ? -log(upperBound - lowerBound) : -.infinity
    }
    /// `a + (b − a)·U`.
    @inlinable
    public func sample(using generator: inout RandomGenerator) -> Double {
        lowerBound + (upperBound - lowerBound) * generator.nextUnitDouble()
    }
    /// Bulk fill without per-draw protocol dispatch.
    ///
    /// - Important: The unsafe fast path for filling memory you own (`samples(count:using:)` is the safe
    ///   form); `buffer` must stay valid for the call.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout RandomGenerator) {
        let width = upperBound - lowerBound
        for index in 0..<buffer.count { buffer[index] = lowerBound + width * generator.nextUnitDouble() }
    }
    /// `(a + b)/2`.
    public var mean: Double { (lowerBound + upperBound) / 2 }
    /// `(b − a)²/12`.
    public var variance: Double { (upperBound - lowerBound) * (upperBound - lowerBound) / 12 }
    /// `(x − a)/(b − a)` clamped to `[0, 1]`.
    public func cdf(_ x: Double) -> Double { min(1, max(0, (x - lowerBound) / (upperBound - lowerBound))) }
    /// `a + (b − a)·u`.
    public func inverseCDF(_ u: Double) -> Double { lowerBound + (upperBound - lowerBound) * u }
}
