import Foundation

/// Mode coverage of samples from a Gaussian-mixture toy, the protocol of VEEGAN (Srivastava et al. 2017) and PacGAN
/// (Lin et al. 2018): each sample is assigned to its nearest mode; it is *high quality* when within three standard
/// deviations of that mode; a mode is *captured* when at least `minimumCount` high-quality samples fall to it;
/// and the reverse KL `KL(q̂ ‖ uniform)` compares the distribution `q̂` of high-quality samples over modes with the
/// true uniform weights (0 when balanced; log K when every sample sits on one mode).
public struct ModeCoverage: Sendable, Codable, Equatable {
    /// Number of modes captured.
    public var modesCaptured: Int
    /// Number of modes.
    public var modeCount: Int
    /// Fraction of samples within three standard deviations of their nearest mode.
    public var highQualityFraction: Double
    /// `KL(q̂ ‖ uniform)` in nats over the modes (modes without samples contribute 0; 0 without high-quality samples).
    public var reverseKL: Double
    /// High-quality samples per mode.
    public var counts: [Int]

    /// Measures `samples` against `modes` with per-mode standard deviation `standardDeviation`.
    public static func measure(
        samples: PointSet, modes: [[Double]], standardDeviation: Double, minimumCount: Int = 1
    ) -> ModeCoverage {
        precondition(!modes.isEmpty && samples.dimension == modes[0].count, "ModeCoverage: modes and samples differ")
        var counts = [Int](repeating: 0, count: modes.count)
        let radius = 3 * standardDeviation
        var highQuality = 0
        for index in 0..<samples.count {
            let point = samples.point(index)
            var best = (index: 0, distance: Double.infinity)
            for (modeIndex, mode) in modes.enumerated() {
                var squared = 0.0
                for d in 0..<mode.count {
                    let difference = Double(point[d]) - mode[d]
                    squared += difference * difference
                }
                if squared < best.distance { best = (modeIndex, squared) }
            }
            if best.distance.squareRoot() <= radius {
                counts[best.index] += 1
                highQuality += 1
            }
        }
        var reverseKL = 0.0
        if highQuality > 0 {
            for count in counts where count > 0 {
                let q = Double(count) / Double(highQuality)
                reverseKL += q * Foundation.log(q * Double(modes.count))
            }
        }
        return ModeCoverage(
            modesCaptured: counts.filter { $0 >= minimumCount }.count, modeCount: modes.count,
            highQualityFraction: samples.count == 0 ? 0 : Double(highQuality) / Double(samples.count),
            reverseKL: reverseKL, counts: counts)
    }
}
