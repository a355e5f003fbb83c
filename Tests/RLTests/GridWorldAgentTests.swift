import Autodiff
import Foundation
import NeuralNet
import Testing

@testable import RL

@Suite struct GridWorldAgentTests {
    /// Every predecessor leads to the state in one step, and every one-step successor lists its origin.
    @Test func reverseDynamicsInvertTheStep() {
        let world = KeyDoorGridWorld()
        for state in world.freeStates where !world.isGoal(state) {
            for action in 0..<4 {
                let next = world.successor(of: state, action: action)
                if next != state { #expect(world.predecessors(of: next).contains(state), "\(state) → \(next)") }
            }
        }
        let atKey = GridState(row: world.key.row, column: world.key.column, hasKey: true)
        let before = world.predecessors(of: atKey)
        // Reaching the key cell picks the key up: walks backwards from it give the key back.
        #expect(before.contains { !$0.hasKey } && !before.contains { $0 == atKey })
        #expect(world.predecessors(of: world.goalState).allSatisfy { $0.hasKey })
    }

    @Test func observationsMapBackToStates() {
        var world = KeyDoorGridWorld()
        var generator = RandomGenerator(seed: 3)
        _ = world.reset(seed: nil)
        for _ in 0..<200 {
            let outcome = world.step(.discrete(generator.nextInt(below: 4)))
            #expect(world.state(fromObservation: outcome.observation) == world.state)
            if outcome.done { _ = world.reset(seed: nil) }
        }
        #expect(world.state(fromObservation: [.nan, 9, -1]).row == 0)
    }

    @Test(arguments: [RLMethod.qLearning, .reverseCurriculum, .hierarchical])
    func tabularMethodsSolveTheSmallWorld(method: RLMethod) throws {
        let hyperparameters = try RLHyperparameters(environment: .keyDoor, method: method, seed: 2)
        let run = RLTrainingRun(hyperparameters, demonstrations: nil)
        run.train(steps: 20_000)
        let solved = try #require(run.solvedAtStep, "\(method) never solved the world")
        #expect(solved <= run.environmentSteps)
        let returns = evaluatePolicy(run.policy, environment: .keyDoor, episodes: 2, seed: 5)
        #expect(returns == [1, 1])
    }

    @Test func reverseCurriculumStartsNearTheGoalAndMovesOut() {
        let world = KeyDoorGridWorld()
        var configuration = ReverseCurriculumConfiguration()
        configuration.walkLength = 4
        let curriculum = ReverseCurriculum(world: world, configuration: configuration, seed: 1)
        let near = curriculum.sampleNearby(count: 30)
        // The key cell is 5 steps from the goal: walks of 4 reverse steps never give the key back.
        #expect(near.allSatisfy { $0.hasKey && !world.isGoal($0) })
        #expect(near.allSatisfy { abs($0.row - world.goal.row) + abs($0.column - world.goal.column) <= 4 })
        // A tabular learner only learns the states its episodes visit, and episodes from starts holding the key
        // never visit one without it: solving from the real start means the curriculum moved past the key.
        while curriculum.learner.solvedAtStep == nil && curriculum.iterations < 300 { curriculum.iterate() }
        #expect(curriculum.learner.solvedAtStep != nil, "not solved after \(curriculum.iterations) iterations")
    }

    @Test func tabularRunsSaveAndResume() throws {
        let directory = ModelDirectory(
            path: FileManager.default.temporaryDirectory.appendingPathComponent("rl-tabular-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let hyperparameters = try RLHyperparameters(environment: .keyDoor, method: .hierarchical, seed: 1)
        let run = RLTrainingRun(hyperparameters, demonstrations: nil)
        run.train(steps: 3_000)
        try run.save(to: directory, metrics: [:])
        let resumed = try RLTrainingRun.resume(from: directory)
        #expect(resumed.environmentSteps == run.environmentSteps)
        let (loaded, _) = try RLTrainingRun.loadPolicy(from: directory)
        for seed in 0..<3 {
            #expect(
                evaluatePolicy(loaded, environment: .keyDoor, episodes: 1, seed: UInt64(seed))
                    == evaluatePolicy(run.policy, environment: .keyDoor, episodes: 1, seed: UInt64(seed)))
        }
        #expect(throws: RLRunError.self) { try RLHyperparameters(environment: .cartPole, method: .qLearning, seed: 1) }
    }
}
