import Autodiff
import Foundation

/// The sinusoid regression tasks of Finn, Abbeel & Levine (ICML 2017, section 5.1): y = A·sin(x − φ) with the
/// amplitude A uniform in [0.1, 5], the phase φ uniform in [0, π], and inputs x uniform in [−5, 5]; K support points
/// to adapt on and further points of the same sinusoid to score.
public struct SinusoidTasks: EpisodeSampler, Sendable, Codable, Equatable {
    /// The range of amplitudes A.
    public var amplitudeRange: ClosedRange<Float>
    /// The range of phases φ.
    public var phaseRange: ClosedRange<Float>
    /// The range of inputs x.
    public var inputRange: ClosedRange<Float>
    /// K, the support points per task.
    public var shots: Int
    /// Query points per task.
    public var queryCount: Int

    /// The task family of Finn et al. 2017 with K = `shots` support points and `queryCount` query points.
    public init(shots: Int, queryCount: Int) {
        precondition(shots > 0 && queryCount > 0, "SinusoidTasks: shots \(shots), queryCount \(queryCount)")
        amplitudeRange = 0.1...5
        phaseRange = 0...Float.pi
        inputRange = -5...5
        self.shots = shots
        self.queryCount = queryCount
    }

    /// One sinusoid: its amplitude and phase.
    public struct Sinusoid: Sendable, Equatable {
        /// A.
        public var amplitude: Float
        /// φ.
        public var phase: Float
        /// A·sin(x − φ).
        public func callAsFunction(_ x: Float) -> Float { amplitude * Foundation.sin(x - phase) }
    }

    /// Draws A and φ.
    public func sampleSinusoid(using generator: inout RandomGenerator) -> Sinusoid {
        let amplitude =
            amplitudeRange.lowerBound
            + (amplitudeRange.upperBound - amplitudeRange.lowerBound) * generator.nextUnitFloat()
        let phase = phaseRange.lowerBound + (phaseRange.upperBound - phaseRange.lowerBound) * generator.nextUnitFloat()
        return Sinusoid(amplitude: amplitude, phase: phase)
    }

    /// `count` points (x uniform in the input range) of `sinusoid`, as `[count, 1]` inputs and targets.
    public func points(of sinusoid: Sinusoid, count: Int, using generator: inout RandomGenerator) -> (Tensor, Tensor) {
        var xs = [Float](repeating: 0, count: count)
        for i in 0..<count {
            xs[i] = inputRange.lowerBound + (inputRange.upperBound - inputRange.lowerBound) * generator.nextUnitFloat()
        }
        return (Tensor(shape: [count, 1], scalars: xs), Tensor(shape: [count, 1], scalars: xs.map { sinusoid($0) }))
    }

    /// A task: K support points and `queryCount` query points of one random sinusoid.
    public func sampleEpisode(using generator: inout RandomGenerator) -> Episode {
        let sinusoid = sampleSinusoid(using: &generator)
        let (supportX, supportY) = points(of: sinusoid, count: shots, using: &generator)
        let (queryX, queryY) = points(of: sinusoid, count: queryCount, using: &generator)
        return Episode(
            supportInputs: supportX, supportTargets: .values(supportY), queryInputs: queryX,
            queryTargets: .values(queryY))
    }
}
