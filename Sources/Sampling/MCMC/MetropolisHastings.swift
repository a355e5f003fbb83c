import Autodiff
import Foundation

/// Metropolis–Hastings MCMC (Metropolis et al. 1953; Hastings 1970): propose `x' ~ q(·|x)` and accept with probability
/// `min(1, p̄(x') q(x|x') / (p̄(x) q(x'|x)))`, so the chain's stationary distribution is `p = p̄/Z`.
///
/// Random-walk proposals `x' = x + s·z` (symmetric, the `q` terms cancel) adapt `log s` by Robbins–Monro during
/// warm-up towards a target acceptance rate (0.234 for `d > 1`, Roberts, Gelman & Gilks 1997; 0.44 in 1-D);
/// independence proposals `x' ~ q` keep the `q` ratio. Warm-up draws are discarded.
public struct MetropolisHastings: Sendable {
    /// How proposals are made.
    public enum Proposal: Sendable {
        /// `x' = x + scale · z` with `z ~ N(0, I)`.
        case randomWalk(scale: Double)
        /// `x' ~ q`, independent of `x`.
        case independence(MultivariateNormal)
    }

    /// The target `p̄`.
    public let target: UnnormalizedDensity
    /// The proposal.
    public let proposal: Proposal
    /// Warm-up draws (discarded; random-walk scale adapts during them).
    public let warmup: Int
    /// Whether to adapt the random-walk scale during warm-up.
    public let adaptsStepSize: Bool
    /// The acceptance rate adaptation aims for.
    public let targetAcceptanceRate: Double

    /// A Metropolis–Hastings sampler.
    public init(
        target: UnnormalizedDensity, proposal: Proposal, warmup: Int = 1000, adaptsStepSize: Bool = true,
        targetAcceptanceRate: Double? = nil
    ) {
        if case .independence(let q) = proposal {
            precondition(q.dimension == target.dimension, "MetropolisHastings: proposal dimension ≠ target dimension")
        }
        self.target = target
        self.proposal = proposal
        self.warmup = warmup
        self.adaptsStepSize = adaptsStepSize
        self.targetAcceptanceRate = targetAcceptanceRate ?? (target.dimension == 1 ? 0.44 : 0.234)
    }

    /// Runs one chain from `initial` for `warmup + draws` steps and returns the post-warm-up draws.
    public func run(from initial: [Double], draws: Int, using generator: inout RandomGenerator) -> MarkovChain {
        let dimension = target.dimension
        precondition(initial.count == dimension, "MetropolisHastings.run: initial has \(initial.count) ≠ \(dimension)")
        var current = initial
        var currentLog = target(current)
        var logScale: Double
        if case .randomWalk(let scale) = proposal { logScale = log(scale) } else { logScale = 0 }
        var values = [Double](repeating: 0, count: draws * dimension)
        var accepted = 0
        var candidate = [Double](repeating: 0, count: dimension)
        for step in 0..<(warmup + draws) {
            var logRatio: Double
            switch proposal {
            case .randomWalk:
                let scale = exp(logScale)
                for i in 0..<dimension { candidate[i] = current[i] + scale * ZigguratNormal.draw(using: &generator) }
                logRatio = target(candidate) - currentLog
            case .independence(let q):
                candidate = q.sample(using: &generator)
                logRatio = target(candidate) - currentLog + q.logDensity(current) - q.logDensity(candidate)
            }
            if logRatio.isNaN { logRatio = -.infinity }
            let accept = log(1 - generator.nextUnitDouble()) < logRatio
            if accept {
                swap(&current, &candidate)
                currentLog = target(current)
            }
            if step < warmup {
                if adaptsStepSize, case .randomWalk = proposal {
                    let rate = exp(min(0, logRatio))
                    logScale += (rate - targetAcceptanceRate) / pow(Double(step + 1), 0.6)
                }
            } else {
                if accept { accepted += 1 }
                let row = (step - warmup) * dimension
                for i in 0..<dimension { values[row + i] = current[i] }
            }
        }
        let stepSize: Double? = if case .randomWalk = proposal { exp(logScale) } else { nil }
        return MarkovChain(
            dimension: dimension, values: values, acceptanceRate: draws == 0 ? 0 : Double(accepted) / Double(draws),
            stepSize: stepSize)
    }

    /// Runs one chain per initial point in parallel (`ParallelChains`): chain `c` uses the generator seeded with
    /// `ParallelChains.chainSeed(master: seed, chain: c)`, so results do not depend on scheduling.
    public func runChains(from initials: [[Double]], draws: Int, seed: UInt64) -> [MarkovChain] {
        let sampler = self
        return ParallelChains.run(count: initials.count, seed: seed) { chain, generator in
            sampler.run(from: initials[chain], draws: draws, using: &generator)
        }
    }
}
