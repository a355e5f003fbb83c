import Autodiff
import Testing

@testable import RL

@Suite struct EnvironmentWrapperTests {
    @Test func resetWithTheSameSeedRepeatsAnEpisode() {
        for name in EnvironmentName.allCases {
            var first = name.make()
            var second = name.make()
            #expect(first.reset(seed: 7) == second.reset(seed: 7), "\(name)")
            var third = name.make()
            #expect(third.reset(seed: 8) != first.reset(seed: 7) || name.isGridWorld, "\(name)")
        }
    }

    @Test func timeLimitTruncates() {
        var environment = Pendulum(maxEpisodeSteps: 3)
        _ = environment.reset(seed: 1)
        let outcomes = (0..<3).map { _ in environment.step(.continuous([0])) }
        #expect(outcomes.map(\.truncated) == [false, false, true])
        #expect(outcomes.allSatisfy { !$0.terminated })
    }

    @Test func vectorEnvironmentResetsFinishedCopies() {
        var vector = VectorEnvironment(MountainCar(maxEpisodeSteps: 2), count: 3)
        let first = vector.reset(seed: 10)
        #expect(first.count == 3)
        #expect(first[0] != first[1])
        _ = vector.step(Array(repeating: .discrete(1), count: 3))
        #expect(vector.finalObservations.allSatisfy { $0 == nil })
        let outcomes = vector.step(Array(repeating: .discrete(1), count: 3))
        #expect(outcomes.allSatisfy { $0.truncated })
        #expect(vector.finalObservations.allSatisfy { $0 != nil })
        // The returned observation is the next episode's first (velocity 0 at reset).
        #expect(outcomes.allSatisfy { $0.observation[1] == 0 })
        #expect(vector.environments.allSatisfy { $0.elapsedSteps == 0 })
    }

    @Test func wrappersRecordShapeNormalizeAndStack() {
        var statistics = EpisodeStatistics(CartPole(maxEpisodeSteps: 5))
        _ = statistics.reset(seed: 3)
        for _ in 0..<5 { _ = statistics.step(.discrete(0)) }
        #expect(statistics.episodeLengths.count == 1)
        #expect(statistics.episodeReturns.first == Double(statistics.episodeLengths.first ?? 0))

        var shaped = RewardShaping.potentialBased(
            MountainCar(), potential: { Double($0[0]) * 10 }, discount: 1)
        let start = shaped.reset(seed: 2)
        let outcome = shaped.step(.discrete(2))
        #expect(abs(outcome.reward - (-1 + 10 * Double(outcome.observation[0] - start[0]))) < 1e-6)

        var normalized = ObservationNormalization(CartPole())
        _ = normalized.reset(seed: 1)
        for step in 0..<50 { _ = normalized.step(.discrete(step % 2)) }
        #expect(normalized.count == 51)
        #expect(normalized.normalized(normalized.mean.map { Float($0) }).allSatisfy { abs($0) < 1e-3 })

        var stacked = FrameStack(CartPole(), frames: 3)
        let initial = stacked.reset(seed: 4)
        #expect(initial.count == 12)
        #expect(Array(initial[0..<4]) == Array(initial[8..<12]))
        let next = stacked.step(.discrete(1))
        #expect(Array(next.observation[4..<8]) == Array(initial[8..<12]))
    }

    /// A wrapper that changes nothing (one frame, no shaping, statistics only) passes every observation, reward and
    /// flag through, and its time limit is the wrapped environment's.
    @Test func wrappersForwardWhatTheyDoNotChange() {
        var bare = CartPole(maxEpisodeSteps: 40)
        var wrapped = EpisodeStatistics(
            RewardShaping(FrameStack(CartPole(maxEpisodeSteps: 10), frames: 1)) { _, _, _ in 0 })
        wrapped.maxEpisodeSteps = 40
        #expect(wrapped.base.base.base.maxEpisodeSteps == 40)
        #expect(wrapped.observationSize == bare.observationSize && wrapped.actionSpace == bare.actionSpace)
        #expect(wrapped.reset(seed: 6) == bare.reset(seed: 6))
        for step in 0..<60 {
            let action = Action.discrete(step % 3 == 0 ? 0 : 1)
            let expected = bare.step(action)
            #expect(wrapped.step(action) == expected)
            #expect(wrapped.elapsedSteps == bare.elapsedSteps)
            if expected.done { #expect(wrapped.reset() == bare.reset()) }
        }
        #expect(!wrapped.episodeReturns.isEmpty)
    }

    @Test(arguments: [true, false])
    func pathwiseTrainerTakesSteps(twinDelayed: Bool) {
        var configuration = DeterministicPolicyGradientConfiguration()
        configuration.twinDelayed = twinDelayed
        configuration.hidden = [16]
        configuration.learningStarts = 20
        configuration.batchSize = 8
        let trainer = DeterministicPolicyGradientTrainer(
            environment: Pendulum(maxEpisodeSteps: 30), configuration: configuration, seed: 2)
        var losses: [Double] = []
        trainer.train(steps: 60) { losses.append($0.scalars["critic_loss"] ?? .nan) }
        #expect(trainer.episodeReturns.count == 2)
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(trainer.rule.critics.count == (twinDelayed ? 2 : 1))
    }
}
