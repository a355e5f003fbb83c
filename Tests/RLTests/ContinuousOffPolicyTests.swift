import Autodiff
import Testing

@testable import RL

/// A one-step task with a quadratic reward `−(a − 0.3)²` from a constant observation: the best action is 0.3.
struct QuadraticBandit: Environment {
    var observationSize: Int { 1 }
    var actionSpace: ActionSpace { .box(low: [-1], high: [1]) }
    var maxEpisodeSteps = 1
    var elapsedSteps = 0

    mutating func reset(seed: UInt64?) -> [Float] {
        elapsedSteps = 0
        return [1]
    }

    mutating func step(_ action: Action) -> StepOutcome {
        elapsedSteps += 1
        let a = Double(action.vector.first ?? 0)
        return StepOutcome(observation: [1], reward: -(a - 0.3) * (a - 0.3), terminated: true, truncated: false)
    }
}

@Suite struct ContinuousOffPolicyTests {
    /// NAF's μ must move to the argmax of a quadratic reward: the advantage term is the only path to μ.
    @Test func nafFindsTheBestActionOfAQuadraticBandit() {
        var configuration = NAFConfiguration()
        configuration.hidden = [8]
        configuration.learningStarts = 16
        configuration.batchSize = 16
        configuration.learningRate = 1e-2
        configuration.explorationNoise = 0.5
        let trainer = NAFTrainer(environment: QuadraticBandit(), configuration: configuration, seed: 4)
        let before = trainer.rule.policyActions(Tensor(shape: [1, 1], scalars: [1])).scalars[0]
        trainer.train(steps: 300)
        let after = withoutGradients { trainer.rule.network(Tensor(shape: [1, 1], scalars: [1])) }
        #expect(abs(after.action.scalars[0] - 0.3) < 0.1, "μ = \(after.action.scalars[0]) (was \(before))")
        // V(s) = max_a Q(s, a) ≈ the best reward, 0.
        #expect(abs(after.value.scalars[0]) < 0.1, "V = \(after.value.scalars[0])")
    }

    /// The shared loop draws uniform warm-up actions or the noisy policy's as the schedule says, and both rules
    /// learn from step `learningStarts` on (one report per episode).
    @Test func sharedLoopSchedulesBothRules() {
        var pathwise = DeterministicPolicyGradientConfiguration()
        pathwise.hidden = [8]
        pathwise.learningStarts = 10
        pathwise.batchSize = 4
        let ddpg = DeterministicPolicyGradientTrainer(environment: QuadraticBandit(), configuration: pathwise, seed: 1)
        #expect(ddpg.schedule.uniformWarmUp && ddpg.schedule.gradientSteps == 1)
        var losses: [Double] = []
        ddpg.train(steps: 12) { losses.append($0.scalars["critic_loss"] ?? .nan) }
        #expect(losses.count == 12 && ddpg.episodeReturns.count == 12)
        #expect(losses.prefix(9).allSatisfy { $0 == 0 } && losses.suffix(3).allSatisfy { $0 > 0 })
        var naf = NAFConfiguration()
        naf.hidden = [8]
        naf.learningStarts = 5
        naf.batchSize = 4
        naf.gradientSteps = 2
        naf.uniformWarmUp = false
        let nafTrainer = NAFTrainer(environment: QuadraticBandit(), configuration: naf, seed: 1)
        #expect(!nafTrainer.schedule.uniformWarmUp && nafTrainer.schedule.gradientSteps == 2)
        var nafLosses: [Double] = []
        nafTrainer.train(steps: 6) { nafLosses.append($0.scalars["loss"] ?? .nan) }
        #expect(nafLosses.prefix(4).allSatisfy { $0 == 0 } && nafLosses.suffix(2).allSatisfy { $0 > 0 })
    }

    /// The same seed gives the same run (actions, replay samples, target noise all come from one generator).
    @Test func twinDelayedTrainingIsDeterministic() {
        var configuration = DeterministicPolicyGradientConfiguration()
        configuration.hidden = [8]
        configuration.learningStarts = 8
        configuration.batchSize = 4
        func losses() -> [Double] {
            let trainer = DeterministicPolicyGradientTrainer(
                environment: Pendulum(maxEpisodeSteps: 10), configuration: configuration, seed: 9)
            var values: [Double] = []
            trainer.train(steps: 30) { values.append($0.scalars["critic_loss"] ?? .nan) }
            return values
        }
        let first = losses()
        #expect(first.count == 3 && first == losses())
    }
}
