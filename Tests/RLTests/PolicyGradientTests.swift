import Autodiff
import Foundation
import Testing

@testable import RL

/// A two-armed bandit: one-step episodes, arm 0 pays 1 with probability 0.2, arm 1 with probability 0.8.
struct TwoArmedBandit: Environment {
    var generator = RandomGenerator(seed: 0)
    var maxEpisodeSteps = 1
    var elapsedSteps = 0
    var observationSize: Int { 1 }
    var actionSpace: ActionSpace { .discrete(2) }
    mutating func reset(seed: UInt64?) -> [Float] {
        if let seed { generator = RandomGenerator(seed: seed) }
        elapsedSteps = 0
        return [1]
    }
    mutating func step(_ action: Action) -> StepOutcome {
        elapsedSteps += 1
        let probability = action.index == 1 ? 0.8 : 0.2
        let reward: Double = generator.nextUnitDouble() < probability ? 1 : 0
        return StepOutcome(observation: [1], reward: reward, terminated: true, truncated: false)
    }
}

@Suite struct PolicyGradientTests {
    static func close(_ a: [Double], _ b: [Double], tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func discountedReturnsByHand() {
        #expect(Self.close(Returns.discounted([1, 1, 1], discount: 0.5), [1.75, 1.5, 1]))
        #expect(
            Self.close(Returns.discounted([1, 1, 1], discount: 0.5, episodeEnded: [false, true, false]), [1.5, 1, 1]))
        #expect(Self.close(Returns.discounted([1, 1], discount: 0.5, bootstrap: 4), [2.5, 3]))
        #expect(Self.close(Returns.rewardToGo([1, 2, 3], episodeEnded: [false, false, true]), [6, 5, 3]))
        #expect(
            Self.close(Returns.episodeTotals([1, 2, 3, 4], episodeEnded: [false, true, false, true]), [3, 3, 7, 7]))
    }

    @Test func generalizedAdvantagesByHand() {
        let estimate = Returns.generalizedAdvantages(
            rewards: [1, 1, 1], values: [0.5, 0.4, 0.3], nextValues: [0.4, 0.3, 0.2],
            terminated: [false, false, true], episodeEnded: [false, false, true], discount: 0.9, lambda: 0.8)
        #expect(Self.close(estimate.advantages, [1.84928, 1.374, 0.7]))
        #expect(Self.close(estimate.returns, [2.34928, 1.774, 1.0]))
        // A time limit (ended, not terminated) bootstraps from the final state's value but stops the λ-sum.
        let truncated = Returns.generalizedAdvantages(
            rewards: [1, 1], values: [0, 0], nextValues: [5, 7], terminated: [false, false],
            episodeEnded: [true, false], discount: 0.5, lambda: 1)
        #expect(Self.close(truncated.advantages, [3.5, 4.5]))
        // λ = 1 with zero values gives the discounted returns.
        let monteCarlo = Returns.generalizedAdvantages(
            rewards: [1, 1, 1], values: [0, 0, 0], nextValues: [0, 0, 0], terminated: [false, false, true],
            episodeEnded: [false, false, true], discount: 0.5, lambda: 1)
        #expect(Self.close(monteCarlo.advantages, [1.75, 1.5, 1]))
    }

    @Test func nStepTargetsByHand() {
        let targets = Returns.nStepTargets(
            rewards: [1, 2, 3, 4], nextValues: [10, 20, 30, 40], terminated: [false, false, false, false],
            episodeEnded: [false, false, false, false], steps: 2, discount: 0.5)
        #expect(Self.close(targets, [7, 11, 15, 24]))
        let terminal = Returns.nStepTargets(
            rewards: [1, 2, 3, 4], nextValues: [10, 20, 30, 40], terminated: [false, true, false, false],
            episodeEnded: [false, true, false, false], steps: 3, discount: 0.5)
        #expect(Self.close(terminal, [2, 2, 3 + 2 + 0.25 * 40, 24]))
    }

    /// d L / d log π for one sample with advantage `advantage` and ratio `ratio` (old log-probability 0).
    static func clipGradient(ratio: Float, advantage: Float) -> Float {
        let logProbability = Tensor([Foundation.log(ratio)]).requiringGradient()
        let loss = PolicyGradientLoss.ppoClip(
            logProbabilities: logProbability, oldLogProbabilities: Tensor([0]), advantages: Tensor([advantage]),
            clipRange: 0.2)
        return gradient(of: loss, wrt: logProbability).item
    }

    @Test func clipObjectiveGradientVanishesWhereClipped() {
        // Clipped side: A > 0 above 1 + ε, A < 0 below 1 − ε.
        #expect(Self.clipGradient(ratio: 1.5, advantage: 2) == 0)
        #expect(Self.clipGradient(ratio: 0.5, advantage: -2) == 0)
        // The unclipped term is the minimum on the other side: the gradient is −A·ρ.
        #expect(abs(Self.clipGradient(ratio: 0.5, advantage: 2) - (-2 * 0.5)) < 1e-6)
        #expect(abs(Self.clipGradient(ratio: 1.5, advantage: -2) - (2 * 1.5)) < 1e-6)
        // Inside the region, −A·ρ.
        #expect(abs(Self.clipGradient(ratio: 1.1, advantage: 3) - (-3 * 1.1)) < 1e-5)
    }

    @Test func valueClipAndEntropy() {
        let predictions = Tensor([2, 0]).requiringGradient()
        let loss = PolicyGradientLoss.value(
            predictions: predictions, returns: Tensor([0, 0]), oldValues: Tensor([0, 0]), clipRange: 0.5)
        // max((2−0)², (0 + 0.5 − 0)²) = 4 for the first; 0 for the second; ½·mean = 1.
        #expect(abs(loss.item - 1) < 1e-6)
        let uniform = PolicyGradientLoss.categoricalEntropy(logits: Tensor([[0, 0, 0, 0]]))
        #expect(abs(uniform.item - Float(Foundation.log(4.0))) < 1e-6)
        let kl = PolicyGradientLoss.categoricalKL(oldLogits: Tensor([[0, 0]]), logits: Tensor([[0, 0]]))
        #expect(abs(kl.item) < 1e-7)
    }

    @Test func adaptiveKLCoefficientFollowsAlgorithm() {
        var coefficient = AdaptiveKLCoefficient(target: 0.01, beta: 1)
        coefficient.update(klDivergence: 0.1)
        #expect(coefficient.beta == 2)
        coefficient.update(klDivergence: 0.001)
        #expect(coefficient.beta == 1)
        coefficient.update(klDivergence: 0.01)
        #expect(coefficient.beta == 1)
    }

    @Test func reinforceLearnsTheBetterArm() {
        var configuration = OnPolicyConfiguration(method: .reinforce)
        configuration.rolloutSteps = 16
        configuration.baseline = .mean
        configuration.hidden = [8]
        configuration.learningRate = 0.05
        let trainer = OnPolicyTrainer(environment: TwoArmedBandit(), configuration: configuration, seed: 3)
        trainer.train(steps: 1600)
        let logits = trainer.model.policyOutput(Tensor([[1]]))
        let probabilities = logits.softmax(axis: -1).scalars
        #expect(probabilities[1] > 0.9, "P(better arm) = \(probabilities[1])")
    }
}

@Suite struct A3CTests {
    static func parameters(workers: Int, seed: UInt64) -> [[Float]] {
        var configuration = OnPolicyConfiguration(method: .a2c)
        configuration.hidden = [8]
        let trainer = A3CTrainer(environment: CartPole(), configuration: configuration, workers: workers, seed: seed)
        trainer.train(steps: 200)
        #expect(trainer.environmentSteps >= 200)
        return trainer.model.parameters.map(\.value.scalars)
    }

    @Test func singleWorkerIsDeterministic() {
        let first = Self.parameters(workers: 1, seed: 4)
        let second = Self.parameters(workers: 1, seed: 4)
        #expect(first == second)
        #expect(first != Self.parameters(workers: 1, seed: 5))
    }

    @Test func twoWorkersShareOneModel() {
        var configuration = OnPolicyConfiguration(method: .a2c)
        configuration.hidden = [8]
        let trainer = A3CTrainer(environment: CartPole(), configuration: configuration, workers: 2, seed: 1)
        let before = trainer.model.parameters.map(\.value.scalars)
        trainer.train(steps: 300)
        #expect(trainer.environmentSteps >= 300)
        #expect(trainer.optimizer.stepCount >= 300 / configuration.rolloutSteps)
        #expect(trainer.model.parameters.map(\.value.scalars) != before)
    }
}
