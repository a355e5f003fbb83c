/// SplitMix64, Montague's small seedable generator for modules that do not use the autodiff core's
/// `RandomGenerator`: the same seed gives the same numbers on every platform and Swift version.
///
/// Bounded draws are unbiased (Lemire's nearly divisionless method), unlike the common `next() % bound`.
///
/// Source: Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; Lemire, "Fast
/// random integer generation in an interval", ACM TOMACS 2019.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The generator's whole state (one word), for checkpoints.
    public var state: UInt64

    /// Makes a generator from a seed.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound`, unbiased.
    ///
    /// - Precondition: `bound > 0`.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "SplitMix64.nextInt(below:): bound must be positive, got \(bound)")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Shuffles `array` in place (Fisher–Yates), deterministically for a given generator state.
    ///
    /// - Complexity: O(n).
    @inlinable
    public mutating func shuffle<Element>(_ array: inout [Element]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, nextInt(below: index + 1))
        }
    }

    /// The SplitMix64 finalizer: a bijective mix of 64 bits (also a good hash of a 64-bit key).
    @inlinable @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
