import Foundation
import Testing

/// This test target's fixture folder (a subset of Gymnasium recordings, MIT).
let rlFixturesDirectory: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// The shared data folder's `rl/` directory, searched upwards from this file, or nil when absent.
let sharedRLDataDirectory: String? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<6 {
        directory = directory.deletingLastPathComponent()
        let candidate = directory.appendingPathComponent("shared/data/rl")
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
    }
    return nil
}()

/// An action of a recording: an integer or a vector.
enum RecordedAction: Decodable {
    case discrete(Int)
    case continuous([Double])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let index = try? container.decode(Int.self) {
            self = .discrete(index)
        } else {
            self = .continuous(try container.decode([Double].self))
        }
    }
}

/// One recorded Gymnasium episode (JSONDecoder parses numbers exactly; the initial observation has two names).
struct RecordedEpisode: Decodable {
    var initialObservation: [Double]
    var initialState: [Double]
    var actions: [RecordedAction]
    var observations: [[Double]]
    var states: [[Double]]
    var rewards: [Double]
    var terminated: [Bool]
    var truncated: [Bool]

    enum CodingKeys: String, CodingKey {
        case initialObservation = "initial_observation"
        case initialObs = "initial_obs"
        case initialState = "initial_state"
        case actions, observations, states, rewards, terminated, truncated
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        initialObservation =
            try container.decodeIfPresent([Double].self, forKey: .initialObservation)
            ?? container.decode([Double].self, forKey: .initialObs)
        initialState = try container.decode([Double].self, forKey: .initialState)
        actions = try container.decode([RecordedAction].self, forKey: .actions)
        observations = try container.decode([[Double]].self, forKey: .observations)
        states = try container.decode([[Double]].self, forKey: .states)
        rewards = try container.decode([Double].self, forKey: .rewards)
        terminated = try container.decode([Bool].self, forKey: .terminated)
        truncated = try container.decode([Bool].self, forKey: .truncated)
    }
}

/// `cartpole_trajectories.json`.
struct CartPoleRecording: Decodable {
    var trajectories: [RecordedEpisode]
}

/// `classic_control_trajectories.json` (or its subset).
struct ClassicControlRecording: Decodable {
    struct Environment: Decodable {
        var maxEpisodeSteps: Int
        var episodes: [RecordedEpisode]
        enum CodingKeys: String, CodingKey {
            case maxEpisodeSteps = "max_episode_steps"
            case episodes
        }
    }
    var envs: [String: Environment]
}

/// Decodes a JSON file.
func loadRecording<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: path)))
}
