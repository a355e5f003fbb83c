import Foundation
import NeuralNet

/// The 2-D toy distributions of the mode-collapse literature (Metz et al., "Unrolled GANs", 2017; Srivastava et
/// al., "VEEGAN", 2017; Lin et al., "PacGAN", 2018): Gaussian mixtures with known modes, and the swiss roll.
///
/// - ``ring8``: 8 equal Gaussians with means on the circle of radius 1, standard deviation 0.01 (PacGAN's 2D-ring).
/// - ``grid25``: 25 equal Gaussians with means on {−4, −2, 0, 2, 4}², standard deviation 0.05 (PacGAN's 2D-grid).
/// - ``swissroll``: `t ~ U(1.5π, 4.5π)`, `(t cos t, t sin t) / 5` plus Gaussian noise of 0.05 (no modes).
public enum ToyDistribution: String, Codable, Sendable, CaseIterable {
    /// Eight Gaussians on a ring.
    case ring8
    /// Twenty-five Gaussians on a grid.
    case grid25
    /// The swiss roll.
    case swissroll

    /// The mode centres (empty for the swiss roll).
    public var modes: [[Double]] {
        switch self {
        case .ring8:
            (0..<8).map { k in
                let angle = 2 * Double.pi * Double(k) / 8
                return [Foundation.cos(angle), Foundation.sin(angle)]
            }
        case .grid25:
            [-4.0, -2, 0, 2, 4].flatMap { x in [-4.0, -2, 0, 2, 4].map { y in [x, y] } }
        case .swissroll: []
        }
    }

    /// The standard deviation of each mode (the noise of the swiss roll).
    public var standardDeviation: Double {
        switch self {
        case .ring8: 0.01
        case .grid25: 0.05
        case .swissroll: 0.05
        }
    }

    /// `count` points drawn from the distribution.
    public func sample(count: Int, using generator: inout RandomGenerator) -> PointSet {
        var values = [Float]()
        values.reserveCapacity(2 * count)
        let modes = modes
        for _ in 0..<count {
            let (e1, e2) = (generator.nextStandardNormal(), generator.nextStandardNormal())
            if modes.isEmpty {
                let t = 1.5 * Double.pi * (1 + 2 * generator.nextUnitDouble())
                values.append(Float(t * Foundation.cos(t) / 5 + standardDeviation * e1))
                values.append(Float(t * Foundation.sin(t) / 5 + standardDeviation * e2))
            } else {
                let mode = modes[generator.nextInt(below: modes.count)]
                values.append(Float(mode[0] + standardDeviation * e1))
                values.append(Float(mode[1] + standardDeviation * e2))
            }
        }
        return PointSet(dimension: 2, values: values)
    }

    /// `count` points from the distribution seeded with `seed`.
    public func sample(count: Int, seed: UInt64) -> PointSet {
        var generator = RandomGenerator(seed: seed)
        return sample(count: count, using: &generator)
    }
}
