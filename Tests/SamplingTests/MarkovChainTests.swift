import Autodiff
import Foundation
import Testing

@testable import Sampling

/// Metropolis–Hastings and Gibbs samplers: known moments within a few MCSE, R-hat near 1.
@Suite struct MarkovChainTests {
    /// 2-D Gaussian with unit variances and correlation 0.6.
    static let correlatedGaussian = UnnormalizedDensity(dimension: 2) { x in
        let rho = 0.6
        return -0.5 * (x[0] * x[0] - 2 * rho * x[0] * x[1] + x[1] * x[1]) / (1 - rho * rho)
    }

    @Test func randomWalkMetropolisRecoversMomentsAcrossChains() {
        let sampler = MetropolisHastings(
            target: Self.correlatedGaussian, proposal: .randomWalk(scale: 5), warmup: 1000)
        let chains = sampler.runChains(from: [[3, 3], [-3, 3], [3, -3], [-3, -3]], draws: 2000, seed: 70)
        #expect(chains.count == 4)
        for chain in chains {
            #expect(chain.acceptanceRate > 0.15 && chain.acceptanceRate < 0.4, "acceptance \(chain.acceptanceRate)")
            #expect((chain.stepSize ?? 0) < 5)
        }
        let summary = ChainSummary.table(chains)
        for row in summary {
            #expect(abs(row.mean) < 4 * row.monteCarloStandardError, "\(row.name) mean \(row.mean)")
            #expect(abs(row.standardDeviation - 1) < 0.1)
            #expect(row.rHat < 1.02)
            #expect(row.bulkEffectiveSampleSize > 300)
        }
        #expect(ChainSummary.format(summary).contains("r_hat"))
        // Same seed, same chains: scheduling does not change results.
        let again = sampler.runChains(from: [[3, 3], [-3, 3], [3, -3], [-3, -3]], draws: 2000, seed: 70)
        #expect(again.map(\.values) == chains.map(\.values))
    }

    @Test func independenceMetropolisSamplesTheTarget() throws {
        let target = UnnormalizedDensity(univariate: { -0.5 * ($0 - 1) * ($0 - 1) / 0.25 })
        let proposal = try MultivariateNormal(mean: [0], covariance: [[4]])
        let sampler = MetropolisHastings(target: target, proposal: .independence(proposal), warmup: 200)
        var generator = RandomGenerator(seed: 71)
        let chain = sampler.run(from: [0], draws: 4000, using: &generator)
        let draws = chain.coordinate(0)
        let mcse = ConvergenceDiagnostics.monteCarloStandardError([draws])
        #expect(abs(StatisticalTests.mean(draws) - 1) < 4 * mcse)
        #expect(chain.stepSize == nil)
        let thinned = chain.thinned(burnIn: 100, every: 4)
        #expect(thinned.count == (4000 - 100 + 3) / 4)
        #expect(thinned.coordinate(0)[1] == draws[104])
    }

    @Test func bivariateGaussianGibbsHasTheRightCorrelation() {
        let gibbs = BivariateGaussianGibbs(means: (1, -1), standardDeviations: (2, 1), correlation: 0.8)
        var generator = RandomGenerator(seed: 72)
        let chain = gibbs.run(draws: 6000, using: &generator)
        let x = chain.coordinate(0)
        let y = chain.coordinate(1)
        let mx = StatisticalTests.mean(x)
        let my = StatisticalTests.mean(y)
        #expect(abs(mx - 1) < 4 * ConvergenceDiagnostics.monteCarloStandardError([x]))
        #expect(abs(my + 1) < 4 * ConvergenceDiagnostics.monteCarloStandardError([y]))
        let covariance = StatisticalTests.mean(zip(x, y).map { ($0 - mx) * ($1 - my) })
        #expect(abs(covariance / 2 - 0.8) < 0.05)
    }

    /// A 2×3 periodic grid is small enough to enumerate: Gibbs's mean magnetization matches the exact value.
    @Test func isingGibbsMatchesExactEnumeration() {
        let model = IsingGibbs(rows: 2, columns: 3, coupling: 0.3, field: 0.1)
        var partition = 0.0
        var magnetization = 0.0
        for state in 0..<64 {
            let spins: [Int8] = (0..<6).map { state >> $0 & 1 == 1 ? 1 : -1 }
            let weight = exp(model.logUnnormalizedProbability(spins))
            partition += weight
            magnetization += weight * Double(spins.reduce(0) { $0 + Int($1) }) / 6
        }
        magnetization /= partition
        var generator = RandomGenerator(seed: 73)
        let run = model.run(sweeps: 20000, using: &generator)
        #expect(abs(StatisticalTests.mean(run.magnetization) - magnetization) < 0.02)
        let mcse = ConvergenceDiagnostics.monteCarloStandardError([run.magnetization])
        #expect(abs(StatisticalTests.mean(run.magnetization) - magnetization) < 5 * mcse)
    }

    @Test func gaussianMixtureGibbsRecoversSeparatedMeans() {
        var generator = RandomGenerator(seed: 74)
        var data = Normal(mean: -3).samples(count: 150, using: &generator)
        data += Normal(mean: 4).samples(count: 100, using: &generator)
        let chain = GaussianMixtureGibbs(components: 2).run(data: data, draws: 300, burnIn: 100, using: &generator)
        let means = [StatisticalTests.mean(chain.coordinate(0)), StatisticalTests.mean(chain.coordinate(1))].sorted()
        #expect(abs(means[0] + 3) < 0.3 && abs(means[1] - 4) < 0.3)
        let weights = [StatisticalTests.mean(chain.coordinate(2)), StatisticalTests.mean(chain.coordinate(3))].sorted()
        #expect(abs(weights[1] - 0.6) < 0.08)
    }
}

/// Several chains in parallel (`ParallelChains`): the same as running them one after another with the derived
/// per-chain seeds, identical from run to run, and the chains differ from each other.
@Suite struct ParallelChainTests {
    @Test func chainSeedsAreDistinctAndDependOnTheMaster() {
        let seeds = (0..<64).map { ParallelChains.chainSeed(master: 7, chain: $0) }
        #expect(Set(seeds).count == 64)
        #expect(ParallelChains.chainSeed(master: 8, chain: 0) != seeds[0])
        #expect(ParallelChains.chainSeed(master: 7, chain: 3) == seeds[3])
    }

    @Test func metropolisChainsEqualSequentialRunsWithDerivedSeeds() {
        let sampler = MetropolisHastings(
            target: MarkovChainTests.correlatedGaussian, proposal: .randomWalk(scale: 1), warmup: 50)
        let starts: [[Double]] = [[1, 1], [-1, 1], [1, -1], [-1, -1], [0, 2], [2, 0]]
        let parallel = sampler.runChains(from: starts, draws: 200, seed: 75)
        let sequential = starts.indices.map { chain in
            var generator = RandomGenerator(seed: ParallelChains.chainSeed(master: 75, chain: chain))
            return sampler.run(from: starts[chain], draws: 200, using: &generator)
        }
        #expect(parallel.map(\.values) == sequential.map(\.values))
        #expect(parallel.map(\.acceptanceRate) == sequential.map(\.acceptanceRate))
        for _ in 0..<3 {
            #expect(sampler.runChains(from: starts, draws: 200, seed: 75).map(\.values) == parallel.map(\.values))
        }
        #expect(parallel[0].values != parallel[1].values)
    }

    @Test func gibbsChainsAreDeterministicAndIndependentOfScheduling() {
        let gibbs = BivariateGaussianGibbs(correlation: 0.5)
        let starts: [(Double, Double)] = [(3, 3), (-3, 3), (3, -3), (-3, -3)]
        let parallel = gibbs.runChains(from: starts, draws: 300, burnIn: 10, seed: 76)
        let sequential = starts.indices.map { chain in
            var generator = RandomGenerator(seed: ParallelChains.chainSeed(master: 76, chain: chain))
            return gibbs.run(from: starts[chain], draws: 300, burnIn: 10, using: &generator)
        }
        #expect(parallel.map(\.values) == sequential.map(\.values))
        let summary = ChainSummary.table(parallel)
        #expect(summary.allSatisfy { $0.rHat < 1.05 })

        var generator = RandomGenerator(seed: 77)
        let data =
            Normal(mean: -3).samples(count: 60, using: &generator)
            + Normal(mean: 4).samples(count: 40, using: &generator)
        let mixture = GaussianMixtureGibbs(components: 2)
        let first = mixture.runChains(data: data, chains: 3, draws: 40, burnIn: 10, seed: 78)
        let second = mixture.runChains(data: data, chains: 3, draws: 40, burnIn: 10, seed: 78)
        #expect(first.count == 3 && first.map(\.values) == second.map(\.values))
        #expect(first[0].values != first[1].values)
    }
}
