@testable import Autodiff

/// Inputs shared by the neural-network op tests and by the PyTorch script that produced their expected values.
///
/// The reference values in `SoftmaxLossTests`, `ConvolutionTests` and `PoolingTests` came from PyTorch 2.13.0 (CPU)
/// on these inputs: `wave(n)` is `[round(sin(0.7·i + 0.3), 2) for i in range(n)]`, `halfWaveShiftedUp`
/// and `halfWaveShiftedDown` are `round(0.5·sin(0.7·i + 0.3) ± 0.05, 2)`; each test names the
/// `torch.nn.functional` call.
enum NeuralOpsReference {
    /// `round(sin(0.7·i + 0.3), 2)` for `i` in `0..<60`.
    static let wave: [Float] = [
        0.3, 0.84, 0.99, 0.68, 0.04, -0.61, -0.98, -0.88, -0.37, 0.31, 0.85, 0.99, 0.66, 0.02, -0.63, -0.98, -0.88,
        -0.36, 0.33, 0.86, 0.99, 0.65, 0.01, -0.64, -0.98, -0.87, -0.34, 0.34, 0.87, 0.98, 0.64, -0.01, -0.65, -0.99,
        -0.86, -0.33, 0.36, 0.88, 0.98, 0.62, -0.03, -0.66, -0.99, -0.85, -0.31, 0.37, 0.88, 0.98, 0.61, -0.04, -0.68,
        -0.99, -0.84, -0.29, 0.39, 0.89, 0.97, 0.6, -0.06, -0.69,
    ]

    /// The first `count` scalars of ``wave`` as a tensor of `shape`.
    static func wave(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: Array(wave.prefix(shape.reduce(1, *))))
    }

    /// `round(0.5·sin(0.7·i + 0.3) + 0.05, 2)` for `i` in `0..<18`.
    static let halfWaveShiftedUp: [Float] = [
        0.2, 0.47, 0.55, 0.39, 0.07, -0.26, -0.44, -0.39, -0.14, 0.21, 0.48, 0.54, 0.38, 0.06, -0.26, -0.44, -0.39,
        -0.13,
    ]

    /// `round(0.5·sin(0.7·i + 0.3) − 0.05, 2)` for `i` in `0..<24`.
    static let halfWaveShiftedDown: [Float] = [
        0.1, 0.37, 0.45, 0.29, -0.03, -0.36, -0.54, -0.49, -0.24, 0.11, 0.38, 0.44, 0.28, -0.04, -0.36, -0.54, -0.49,
        -0.23, 0.11, 0.38, 0.44, 0.28, -0.05, -0.37,
    ]

    /// Whether two scalar arrays have equal length and agree within `tolerance` everywhere.
    static func close(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-4) -> Bool {
        actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance }
    }

    /// Distinct, well separated values (steps of 0.1, shuffled by the seed) so max ops have no near ties under the
    /// finite-difference perturbation.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.1 - Float(count) * 0.05 }
        values.shuffle(using: &generator)
        return Tensor(shape: shape, scalars: values)
    }
}
