import Foundation
import Testing

@testable import RL

/// Replays Gymnasium 1.4.0 recordings (same initial state, same actions) and compares internal states to 1e-12,
/// float32 observations exactly, rewards and the terminated / truncated flags step by step.
@Suite struct ClassicControlFixtureTests {
    /// Replays `episode` on `environment` (already reset to the episode's initial state); `stateOf` reads the state.
    static func replay<E: Environment>(
        _ episode: RecordedEpisode, on environment: inout E, initialObservation: [Float], stateOf: (E) -> [Double],
        name: String
    ) {
        #expect(initialObservation == episode.initialObservation.map { Float($0) }, "\(name): initial observation")
        for (step, recorded) in episode.actions.enumerated() {
            let action: Action
            switch recorded {
            case .discrete(let index): action = .discrete(index)
            case .continuous(let vector): action = .continuous(vector.map { Float($0) })
            }
            let outcome = environment.step(action)
            let state = stateOf(environment)
            let stateError = zip(state, episode.states[step]).map { abs($0 - $1) }.max() ?? .infinity
            #expect(stateError <= 1e-12, "\(name) step \(step): state \(state) vs \(episode.states[step])")
            #expect(
                outcome.observation == episode.observations[step].map { Float($0) }, "\(name) step \(step): observation"
            )
            #expect(outcome.reward == episode.rewards[step], "\(name) step \(step): reward")
            #expect(outcome.terminated == episode.terminated[step], "\(name) step \(step): terminated")
            #expect(outcome.truncated == episode.truncated[step], "\(name) step \(step): truncated")
            if stateError > 1e-12 { return }  // one report per episode, not hundreds
        }
    }

    @Test func cartPoleMatchesGymnasium() throws {
        let recording = try loadRecording(
            CartPoleRecording.self, from: rlFixturesDirectory + "/cartpole_trajectories.json")
        #expect(recording.trajectories.count == 5)
        for episode in recording.trajectories {
            var environment = CartPole()
            let observation = environment.reset(state: episode.initialState)
            Self.replay(episode, on: &environment, initialObservation: observation, stateOf: \.state, name: "CartPole")
            #expect(episode.terminated.last == true)
        }
    }

    static func check(_ name: String, in recording: ClassicControlRecording) throws {
        let record = try #require(recording.envs[name])
        #expect(!record.episodes.isEmpty)
        for episode in record.episodes {
            let steps = record.maxEpisodeSteps
            switch name {
            case "MountainCar-v0":
                var environment = MountainCar(maxEpisodeSteps: steps)
                let observation = environment.reset(state: episode.initialState)
                replay(episode, on: &environment, initialObservation: observation, stateOf: \.state, name: name)
            case "MountainCarContinuous-v0":
                var environment = MountainCarContinuous(maxEpisodeSteps: steps)
                let observation = environment.reset(state: episode.initialState)
                replay(episode, on: &environment, initialObservation: observation, stateOf: \.state, name: name)
            case "Acrobot-v1":
                var environment = Acrobot(maxEpisodeSteps: steps)
                let observation = environment.reset(state: episode.initialState)
                replay(episode, on: &environment, initialObservation: observation, stateOf: \.state, name: name)
            default:
                var environment = Pendulum(maxEpisodeSteps: steps)
                let observation = environment.reset(state: episode.initialState)
                replay(episode, on: &environment, initialObservation: observation, stateOf: \.state, name: name)
            }
        }
    }

    @Test(arguments: ["MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"])
    func classicControlMatchesGymnasiumSubset(name: String) throws {
        let recording = try loadRecording(
            ClassicControlRecording.self, from: rlFixturesDirectory + "/classic_control_subset.json")
        try Self.check(name, in: recording)
    }

    @Test(
        .enabled(if: sharedRLDataDirectory != nil, "the shared data folder's rl/ recordings are not on this machine"),
        arguments: ["MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"])
    func classicControlMatchesFullRecording(name: String) throws {
        let directory = try #require(sharedRLDataDirectory)
        let recording = try loadRecording(
            ClassicControlRecording.self, from: directory + "/classic_control_trajectories.json")
        try Self.check(name, in: recording)
    }
}
