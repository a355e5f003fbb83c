import MontagueSupport

/// The part of a data set an example belongs to.
public enum DatasetPart: String, Sendable, Hashable, Codable, CaseIterable {
    /// Training.
    case train
    /// Development (validation).
    case dev
    /// Test.
    case test
}

/// A deterministic train/dev/test split of `count` examples, by seed.
///
/// `init(count:devFraction:testFraction:seed:)` shuffles the indices with the seed and cuts them: the parts have
/// exactly `round(count × fraction)` examples. `part(forKey:...)` assigns one example by hashing its key with the
/// seed instead, for streams whose size is unknown: each key always lands in the same part, and the proportions
/// are right on average.
public struct DatasetSplit: Sendable, Hashable {
    /// Indices of the training examples, ascending.
    public var train: [Int]
    /// Indices of the development examples, ascending.
    public var dev: [Int]
    /// Indices of the test examples, ascending.
    public var test: [Int]

    /// Splits `0..<count`.
    public init(count: Int, devFraction: Double, testFraction: Double, seed: UInt64) {
        precondition(count >= 0, "DatasetSplit: count must not be negative")
        precondition(
            devFraction >= 0 && testFraction >= 0 && devFraction + testFraction <= 1,
            "DatasetSplit: fractions must be non-negative and sum to at most 1, got dev \(devFraction), test \(testFraction)"
        )
        var indices = Array(0..<count)
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&indices)
        let testCount = Int((Double(count) * testFraction).rounded())
        let devCount = min(count - testCount, Int((Double(count) * devFraction).rounded()))
        test = indices[0..<testCount].sorted()
        dev = indices[testCount..<(testCount + devCount)].sorted()
        train = indices[(testCount + devCount)...].sorted()
    }

    /// The part an example with this key (an identifier, or its text) belongs to, for a seed.
    public static func part(forKey key: String, devFraction: Double, testFraction: Double, seed: UInt64)
        -> DatasetPart
    {
        // FNV-1a over the key's UTF-8, then SplitMix64's finalizer with the seed, to a uniform double in [0, 1).
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let uniform = Double(SplitMix64.mix(hash ^ SplitMix64.mix(seed)) >> 11) / Double(1 << 53)
        if uniform < testFraction { return .test }
        if uniform < testFraction + devFraction { return .dev }
        return .train
    }
}
