import Autodiff
import Testing

@testable import RL

@Suite struct CuriosityTests {
    /// Transitions of the grid world from random walks in its left room.
    static func transitions(steps: Int, seed: UInt64) -> ([[Float]], [Int], [[Float]]) {
        var world = KeyDoorGridWorld()
        var generator = RandomGenerator(seed: seed)
        var observation = world.reset(seed: nil)
        var observations: [[Float]] = []
        var actions: [Int] = []
        var next: [[Float]] = []
        for _ in 0..<steps {
            let action = generator.nextInt(below: 4)
            let outcome = world.step(.discrete(action))
            observations.append(observation)
            actions.append(action)
            next.append(outcome.observation)
            observation = outcome.done ? world.reset(seed: nil) : outcome.observation
        }
        return (observations, actions, next)
    }

    @Test func familiarTransitionsBecomeLessCurious() {
        var generator = RandomGenerator(seed: 1)
        let module = IntrinsicCuriosityModule(
            observationSize: 3, actions: 4, featureSize: 8, hidden: 32, learningRate: 1e-2, using: &generator)
        let (observations, actions, next) = Self.transitions(steps: 64, seed: 2)
        let before = module.intrinsicRewards(observations: observations, actions: actions, nextObservations: next)
        var inverseLosses: [Double] = []
        for _ in 0..<150 {
            inverseLosses.append(
                module.update(observations: observations, actions: actions, nextObservations: next).inverse)
        }
        let after = module.intrinsicRewards(observations: observations, actions: actions, nextObservations: next)
        #expect(before.allSatisfy { $0 >= 0 } && after.allSatisfy { $0 >= 0 })
        #expect(after.reduce(0, +) < before.reduce(0, +) * 0.5, "\(before.reduce(0, +)) → \(after.reduce(0, +))")
        #expect((inverseLosses.last ?? 9) < (inverseLosses.first ?? 0))
        // A transition the module never saw (teleported into the goal room) is more surprising than seen ones.
        let novel = module.intrinsicRewards(
            observations: [[0.5, 0.75, 1]], actions: [1], nextObservations: [[0.5, 0.875, 1]])
        #expect(novel[0] > after.reduce(0, +) / Double(after.count))
    }
}

@Suite struct CuriousDQNTests {
    /// With a curiosity module the DQN's replayed rewards carry the module's reward and the module learns; without
    /// one nothing changes (the runs then differ only by the module).
    @Test func curiosityAddsIntrinsicRewardAndLearns() throws {
        var configuration = DQNConfiguration(variant: .dqn, environment: .keyDoor)
        configuration.network.hidden = [8]
        configuration.learningStarts = 16
        configuration.batchSize = 8
        configuration.trainFrequency = 4
        configuration.gradientSteps = 1
        var curiosity = CuriositySettings()
        curiosity.featureSize = 4
        curiosity.hidden = 8
        curiosity.learningRate = 1e-2
        configuration.curiosity = curiosity
        let trainer = DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 5)
        let module = try #require(trainer.curiosity)
        let before = module.parameterValues.map(\.scalars)
        trainer.train(steps: 64)
        #expect(module.parameterValues.map(\.scalars) != before, "the curiosity module did not learn")
        #expect(module.optimizer.stepCount == (64 - 16) / 4 + 1)
        configuration.curiosity = nil
        #expect(DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 5).curiosity == nil)
    }

    /// The module draws its weights from a stream of its own: switching curiosity on leaves the Q-networks'
    /// initialization and the generator of actions and replay samples untouched, so the two runs act alike until
    /// the first gradient step, and the module itself is seeded (same seed, same module; another seed, another).
    @Test func curiosityDoesNotChangeThePolicysInitialization() throws {
        var configuration = DQNConfiguration(variant: .dqn, environment: .keyDoor)
        configuration.network.hidden = [8]
        configuration.learningStarts = 40
        configuration.batchSize = 8
        let plain = DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 9)
        configuration.curiosity = CuriositySettings()
        let curious = DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 9)
        #expect(curious.network.parameterValues.map(\.scalars) == plain.network.parameterValues.map(\.scalars))
        #expect(curious.target.parameterValues.map(\.scalars) == plain.target.parameterValues.map(\.scalars))
        #expect(curious.generator == plain.generator)
        plain.train(steps: 39)
        curious.train(steps: 39)
        #expect(curious.generator == plain.generator)
        #expect(curious.episodeReturns == plain.episodeReturns)
        #expect(curious.network.parameterValues.map(\.scalars) == plain.network.parameterValues.map(\.scalars))

        let module = try #require(curious.curiosity)
        #expect(module.optimizer.stepCount == 0)
        let again = try #require(
            DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 9).curiosity)
        let other = try #require(
            DQNTrainer(environment: KeyDoorGridWorld(), configuration: configuration, seed: 10).curiosity)
        #expect(again.parameterValues.map(\.scalars) == module.parameterValues.map(\.scalars))
        #expect(again.parameterValues.map(\.scalars) != other.parameterValues.map(\.scalars))
    }
}
