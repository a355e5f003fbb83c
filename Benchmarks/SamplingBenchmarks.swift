import Autodiff
import Foundation
import Sampling

/// Sampling benchmarks against numpy's `Generator` and scikit-learn (bench/sampling_reference.py runs the same
/// workloads on the same data). Wire in with `let entries = … + SamplingBenchmarks.entries` in main.swift.
///
/// Metric note: `BenchmarkMetric` has no "samples/s" case yet, so sampler cases report `.stepsPerSecond` with one
/// unit per draw (the JSON `metric` field then says "steps/s"; the value is draws per second).
enum SamplingBenchmarks {
    /// Draws per body call for the basic samplers.
    static let drawsPerIteration = 1_000_000

    /// Case names shared with bench/sampling_reference.py.
    static let normalCaseName = "sample normal 1e6"
    static let gammaCaseName = "sample gamma(2.5) 1e6"
    static let categoricalCaseName = "sample categorical k=100 1e6"
    static let metropolisCaseName = "mh random-walk 10-d gaussian"
    static let emCaseName = "gmm em n=100000 d=10 k=8 full"
    static let diagonalEMCaseName = "gmm em n=100000 d=10 k=8 diag"

    /// The sampling entries.
    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: normalCaseName, make: normalCase),
            BenchmarkEntry(name: gammaCaseName, make: gammaCase),
            BenchmarkEntry(name: categoricalCaseName, make: categoricalCase),
            BenchmarkEntry(name: metropolisCaseName, make: metropolisCase),
            BenchmarkEntry(name: emCaseName) { expectationMaximizationCase(.full) },
            BenchmarkEntry(name: diagonalEMCaseName) { expectationMaximizationCase(.diagonal) },
        ]
    }

    /// Fills a reused `[Double]` buffer with `N(0, 1)` draws (numpy: `rng.standard_normal(out=buffer)`).
    static func normalCase() -> BenchmarkCase {
        var buffer = [Double](repeating: 0, count: drawsPerIteration)
        var generator = RandomGenerator(seed: 1)
        let normal = Normal()
        return BenchmarkCase(
            name: normalCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(drawsPerIteration)) {
                    buffer.withUnsafeMutableBufferPointer { normal.fill($0, using: &generator) }
                    blackHole(buffer[0])
                }
            ])
    }

    /// `Gamma(2.5, 1)` draws (numpy: `rng.standard_gamma(2.5, out=buffer)`).
    static func gammaCase() -> BenchmarkCase {
        var buffer = [Double](repeating: 0, count: drawsPerIteration)
        var generator = RandomGenerator(seed: 2)
        let gamma = Gamma(shape: 2.5)
        return BenchmarkCase(
            name: gammaCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(drawsPerIteration)) {
                    buffer.withUnsafeMutableBufferPointer { gamma.fill($0, using: &generator) }
                    blackHole(buffer[0])
                }
            ])
    }

    /// Categorical draws over 100 classes with weights `1…100` (numpy: `rng.choice(100, size, p=p)`).
    static func categoricalCase() -> BenchmarkCase {
        var buffer = [Int](repeating: 0, count: drawsPerIteration)
        var generator = RandomGenerator(seed: 3)
        let categorical = Categorical(weights: (1...100).map(Double.init))
        return BenchmarkCase(
            name: categoricalCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(drawsPerIteration)) {
                    buffer.withUnsafeMutableBufferPointer { categorical.fill($0, using: &generator) }
                    blackHole(buffer[0])
                }
            ])
    }

    /// Random-walk MH on a standard 10-d Gaussian, 10,000 steps per body call (no warm-up).
    static func metropolisCase() -> BenchmarkCase {
        let target = UnnormalizedDensity(dimension: 10) { x in
            var total = 0.0
            for value in x { total += value * value }
            return -0.5 * total
        }
        let sampler = MetropolisHastings(target: target, proposal: .randomWalk(scale: 0.75), warmup: 0)
        var generator = RandomGenerator(seed: 4)
        let steps = 10_000
        return BenchmarkCase(
            name: metropolisCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(steps)) {
                    let chain = sampler.run(from: [Double](repeating: 0, count: 10), draws: steps, using: &generator)
                    blackHole(chain.values.last)
                }
            ])
    }

    /// The EM data set shared with bench/sampling_reference.py: point `i` belongs to component `i mod 8` with
    /// centre `3 sin(1.7c + 0.9j)` plus N(0, 1) noise from a 64-bit LCG (MMIX constants) and Box–Muller, so both
    /// languages produce identical doubles.
    static func emData(count: Int = 100_000, dimension: Int = 10, components: Int = 8) -> [[Double]] {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) * 0x1.0p-53
        }
        return (0..<count).map { i in
            let c = Double(i % components)
            return (0..<dimension).map { j in
                let noise = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
                return 3 * sin(1.7 * c + 0.9 * Double(j)) + noise
            }
        }
    }

    /// One EM iteration (E step + M step) on `emData()` from a fixed start: the first eight points as means (one per
    /// component), identity covariances, equal weights. Both steps run on BLAS (`cblas_dgemm` / `cblas_dsyrk`).
    static func expectationMaximizationCase(_ covarianceType: GaussianMixtureModel.CovarianceType) -> BenchmarkCase? {
        let points = emData()
        let flat = points.flatMap { $0 }
        let em = GaussianMixtureEM(components: 8, covarianceType: covarianceType)
        let identity =
            covarianceType == .full
            ? (0..<100).map { $0 % 11 == 0 ? 1.0 : 0.0 } : [Double](repeating: 1, count: 10)
        var model = GaussianMixtureModel(
            weights: [Double](repeating: 1.0 / 8, count: 8), means: Array(points[0..<8]),
            covariances: [[Double]](repeating: identity, count: 8), covarianceType: covarianceType)
        return BenchmarkCase(
            name: covarianceType == .full ? emCaseName : diagonalEMCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: 1) {
                    guard let (_, responsibilities) = try? em.expectationStep(points: flat, model: model) else {
                        return
                    }
                    model = em.maximizationStep(points: flat, dimension: 10, responsibilities: responsibilities)
                    blackHole(model.weights)
                }
            ])
    }
}
