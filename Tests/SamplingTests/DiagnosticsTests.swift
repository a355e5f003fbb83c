import Autodiff
import Foundation
import Testing

@testable import Sampling

/// ESS, R-hat and MCSE on AR(1) chains `xₜ = φ xₜ₋₁ + εₜ`, whose autocorrelation is `φᵗ`, integrated
/// autocorrelation time `τ = (1 + φ)/(1 − φ)`, stationary variance `1/(1 − φ²)`.
@Suite struct DiagnosticsTests {
    static func autoregressiveChains(phi: Double, chains: Int, draws: Int, seed: UInt64, offsets: [Double]? = nil)
        -> [[Double]]
    {
        var generator = RandomGenerator(seed: seed)
        return (0..<chains).map { chain in
            var x = generator.nextStandardNormal() / (1 - phi * phi).squareRoot()
            return (0..<draws).map { _ in
                x = phi * x + generator.nextStandardNormal()
                return x + (offsets?[chain] ?? 0)
            }
        }
    }

    @Test func fftAutocovarianceMatchesDirectSum() {
        let chain: [Double] = [0.3, -1.2, 2.5, 0.7, -0.4, 1.1, 0.0, -2.2, 0.9]
        let mean = chain.reduce(0.0) { $0 + $1 } / Double(chain.count)
        let fast = Autocorrelation.autocovariance(chain)
        for lag in 0..<chain.count {
            var direct = 0.0
            for s in 0..<(chain.count - lag) { direct += (chain[s] - mean) * (chain[s + lag] - mean) }
            #expect(abs(fast[lag] - direct / Double(chain.count)) < 1e-12)
        }
    }

    @Test func autocorrelationOfAR1IsGeometric() {
        let chain = Self.autoregressiveChains(phi: 0.7, chains: 1, draws: 20000, seed: 80)[0]
        let rho = Autocorrelation.autocorrelation(chain)
        #expect(abs(rho[1] - 0.7) < 0.03)
        #expect(abs(rho[2] - 0.49) < 0.04)
    }

    @Test(arguments: [0.0, 0.5, 0.8])
    func essOfAR1ChainsMatchesAnalyticValue(phi: Double) {
        let chains = Self.autoregressiveChains(phi: phi, chains: 4, draws: 4000, seed: 81)
        let expected = 16000 * (1 - phi) / (1 + phi)
        let meanESS = ConvergenceDiagnostics.meanEffectiveSampleSize(chains)
        let bulkESS = ConvergenceDiagnostics.bulkEffectiveSampleSize(chains)
        #expect(abs(meanESS / expected - 1) < 0.15, "mean ESS \(meanESS) vs \(expected)")
        #expect(abs(bulkESS / expected - 1) < 0.15, "bulk ESS \(bulkESS) vs \(expected)")
        let mcse = ConvergenceDiagnostics.monteCarloStandardError(chains)
        let analyticMCSE = (1 / (1 - phi * phi) / expected).squareRoot()
        #expect(abs(mcse / analyticMCSE - 1) < 0.1)
        #expect(ConvergenceDiagnostics.splitRHat(chains) < 1.01)
        #expect(ConvergenceDiagnostics.rankNormalizedSplitRHat(chains) < 1.01)
    }

    @Test func rHatFlagsChainsStuckInDifferentPlaces() {
        let chains = Self.autoregressiveChains(phi: 0.5, chains: 4, draws: 1000, seed: 82, offsets: [0, 0, 0, 2])
        #expect(ConvergenceDiagnostics.splitRHat(chains) > 1.1)
        #expect(ConvergenceDiagnostics.rankNormalizedSplitRHat(chains) > 1.1)
        // A trend inside each chain is caught by splitting.
        let trending = (0..<4).map { c in (0..<1000).map { Double($0) / 200 + Double(c) * 1e-3 } }
        #expect(ConvergenceDiagnostics.splitRHat(trending) > 1.5)
    }

    /// Tiny hand-checked case against ArviZ 0.x: `az.rhat(np.array([[1,2,3,4],[2,3,4,5]]), method="split")`.
    @Test func potentialScaleReductionOnAHandComputedCase() {
        // Split chains [1,2],[3,4],[2,3],[4,5]: means 1.5,3.5,2.5,4.5, W = 0.5, B = 2·Var(means) = 2·(5/3).
        let expected = ((2 * 5.0 / 3 / 0.5 + 1) / 2).squareRoot()
        #expect(abs(ConvergenceDiagnostics.splitRHat([[1, 2, 3, 4], [2, 3, 4, 5]]) - expected) < 1e-12)
    }
}

/// Tail ESS and the summary table on independent draws: ESS near the draw count, R-hat near 1.
@Suite struct ChainSummaryTests {
    @Test func independentDrawsHaveFullESSAndUnitRHat() {
        let chains = DiagnosticsTests.autoregressiveChains(phi: 0, chains: 4, draws: 1000, seed: 83)
        let tail = ConvergenceDiagnostics.tailEffectiveSampleSize(chains)
        #expect(tail > 3000 && tail < 5500, "tail ESS \(tail)")
        let row = ChainSummary(name: "x", chains: chains)
        #expect(abs(row.mean) < 4 * row.monteCarloStandardError)
        #expect(abs(row.standardDeviation - 1) < 0.05)
        #expect(row.lowerQuantile < -1.5 && row.upperQuantile > 1.5)
        #expect(row.rHat < 1.01)
        #expect(ChainSummary.format([row]).split(separator: "\n").count == 2)
    }
}
