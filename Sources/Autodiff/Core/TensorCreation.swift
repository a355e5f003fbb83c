/// Creation of tensors: constants, ranges, identity, and random tensors from an explicit ``RandomGenerator``.
extension Tensor {
    /// A tensor of `shape` filled with `value`.
    @inlinable
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// Zeros of `shape`.
    @inlinable public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    /// Ones of `shape`.
    @inlinable public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    /// Zeros of the shape of `other`.
    @inlinable public static func zeros(like other: Tensor) -> Tensor { full(other.shape, 0) }
    /// Ones of the shape of `other`.
    @inlinable public static func ones(like other: Tensor) -> Tensor { full(other.shape, 1) }

    /// `start, start + step, …` up to but excluding `end`, as NumPy's `arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "Tensor.arange: step must not be zero")
        let count = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor(shape: [count], scalars: (0..<count).map { start + Float($0) * step })
    }

    /// `count` evenly spaced values from `start` to `end` inclusive, as NumPy's `linspace`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 0, "Tensor.linspace: negative count \(count)")
        if count == 1 { return Tensor([start]) }
        let step = Double(end - start) / Double(count - 1)
        return Tensor(shape: [count], scalars: (0..<count).map { Float(Double(start) + Double($0) * step) })
    }

    /// The `n × m` identity (ones on the main diagonal); `m` defaults to `n`.
    public static func eye(_ n: Int, _ m: Int? = nil) -> Tensor {
        let columns = m ?? n
        var scalars = [Float](repeating: 0, count: n * columns)
        for i in 0..<Swift.min(n, columns) { scalars[i * columns + i] = 1 }
        return Tensor(shape: [n, columns], scalars: scalars)
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        let count = shape.reduce(1, *)
        let width = high - low
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = low + width * generator.nextUnitFloat() }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        let count = shape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: count)
        scalars.withUnsafeMutableBufferPointer { buffer in
            generator.fillStandardNormal(buffer)
            for i in 0..<count { buffer[i] = mean + standardDeviation * buffer[i] }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Bernoulli samples: 1 with probability `probability`, else 0.
    public static func bernoulli(_ shape: [Int], probability: Float, using generator: inout RandomGenerator) -> Tensor {
        precondition((0...1).contains(probability), "Tensor.bernoulli: probability \(probability) not in [0, 1]")
        let count = shape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: count)
        for i in 0..<count { scalars[i] = generator.nextUnitFloat() < probability ? 1 : 0 }
        return Tensor(shape: shape, scalars: scalars)
    }
}
