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

/// Our diagnostics against ArviZ 0.23 itself on stored chains (`bench/sampling_arviz_fixture.py` wrote the fixture).
/// Same algorithms, so the tolerance is floating-point only: 1e-8 relative for ESS, R-hat and MCSE (the FFTs differ
/// in rounding); HDI ends are draws, so they must match exactly.
@Suite struct ArviZAgreementTests {
    @Test(arguments: ArviZDiagnosticsFixture.cases.indices)
    func diagnosticsMatchArviZ(index: Int) {
        let fixture = ArviZDiagnosticsFixture.cases[index]
        let chains = fixture.chains
        func expectRelative(_ ours: Double, _ theirs: Double, _ what: String) {
            #expect(abs(ours / theirs - 1) < 1e-8, "\(fixture.name) \(what): ours \(ours), ArviZ \(theirs)")
        }
        expectRelative(ConvergenceDiagnostics.bulkEffectiveSampleSize(chains), fixture.essBulk, "ess_bulk")
        expectRelative(ConvergenceDiagnostics.tailEffectiveSampleSize(chains), fixture.essTail, "ess_tail")
        expectRelative(ConvergenceDiagnostics.meanEffectiveSampleSize(chains), fixture.essMean, "ess_mean")
        expectRelative(ConvergenceDiagnostics.rankNormalizedSplitRHat(chains), fixture.rhatRank, "rhat rank")
        expectRelative(ConvergenceDiagnostics.splitRHat(chains), fixture.rhatSplit, "rhat split")
        expectRelative(ConvergenceDiagnostics.monteCarloStandardError(chains), fixture.mcseMean, "mcse_mean")
        let flat = chains.flatMap { $0 }
        let hdi94 = ConvergenceDiagnostics.highestDensityInterval(flat, probability: 0.94)
        #expect(hdi94.lower == fixture.hdi94.0 && hdi94.upper == fixture.hdi94.1, "\(fixture.name) hdi94 \(hdi94)")
        let hdi50 = ConvergenceDiagnostics.highestDensityInterval(flat, probability: 0.5)
        #expect(hdi50.lower == fixture.hdi50.0 && hdi50.upper == fixture.hdi50.1, "\(fixture.name) hdi50 \(hdi50)")
        let row = ChainSummary(name: fixture.name, chains: chains)
        #expect(row.hdiLower == fixture.hdi94.0 && row.hdiUpper == fixture.hdi94.1)
    }

    @Test func hdiOfASkewedSampleIsNarrowerThanTheEqualTailedInterval() {
        var generator = RandomGenerator(seed: 84)
        let draws = Exponential(rate: 1).samples(count: 4000, using: &generator)
        let hdi = ConvergenceDiagnostics.highestDensityInterval(draws, probability: 0.9)
        let sorted = draws.sorted()
        let equalTailed = sorted[Int(0.95 * 3999)] - sorted[Int(0.05 * 3999)]
        // For Exp(1) the 90% HDI is [0, log 10]: width 2.303 vs the equal-tailed 2.944.
        #expect(hdi.lower < 0.01 && abs(hdi.upper - log(10.0)) < 0.15)
        #expect(hdi.upper - hdi.lower < equalTailed)
    }
}
