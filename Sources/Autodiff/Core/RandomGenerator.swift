import Foundation

/// The one seedable pseudo-random generator of Montague: xoshiro256** seeded through SplitMix64.
///
/// Every op that samples takes a generator `inout`, so the same seed gives the same run
/// on the same machine. `Sampling` and training loops use this same type.
/// Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2021).
public struct RandomGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The raw state words, for checkpoints that resume bit for bit.
    public var stateWords: [UInt64] {
        get { [state.0, state.1, state.2, state.3] }
        set {
            precondition(newValue.count == 4, "RandomGenerator.stateWords needs 4 words")
            state = (newValue[0], newValue[1], newValue[2], newValue[3])
        }
    }

    public static func == (lhs: RandomGenerator, rhs: RandomGenerator) -> Bool { lhs.stateWords == rhs.stateWords }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        state = (
            try container.decode(UInt64.self), try container.decode(UInt64.self),
            try container.decode(UInt64.self), try container.decode(UInt64.self)
        )
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(contentsOf: stateWords)
    }

    @inlinable @inline(__always)
    static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = RandomGenerator.rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = RandomGenerator.rotateLeft(state.3, 45)
        return result
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inlinable @inline(__always)
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// A uniform `Double` in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform integer in `0..<upperBound` (Lemire's unbiased multiply-shift).
    @inlinable
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "RandomGenerator.nextInt(below:): upper bound \(upperBound) must be positive")
        return Int(truncatingIfNeeded: next(upperBound: UInt64(upperBound)))
    }

    /// A standard normal `Double` (Box–Muller; consumes two draws).
    @inlinable
    public mutating func nextStandardNormal() -> Double {
        let u1 = 1.0 - nextUnitDouble()  // (0, 1]
        let u2 = nextUnitDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Fills `buffer` with standard normal samples, two per Box–Muller pair.
    ///
    /// - Important: The unsafe fast path for filling memory you own; `buffer` must stay valid for the call.
    @inlinable
    public mutating func fillStandardNormal(_ buffer: UnsafeMutableBufferPointer<Float>) {
        var index = 0
        let count = buffer.count
        while index < count {
            let u1 = 1.0 - nextUnitDouble()
            let u2 = nextUnitDouble()
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            buffer[index] = Float(radius * Foundation.cos(angle))
            if index + 1 < count { buffer[index + 1] = Float(radius * Foundation.sin(angle)) }
            index += 2
        }
    }
}
