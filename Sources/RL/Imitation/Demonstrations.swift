import Autodiff
import Foundation
import MontagueSupport

/// Expert state–action pairs for imitation: what behavior cloning regresses on and GAIL's discriminator calls
/// "real". Stored as JSON Lines, one step a line: `{"episode": 0, "observation": [...], "action": 1}` (a number
/// for a discrete action, an array for a continuous one).
public struct Demonstrations: Equatable, Sendable {
    /// Observations, one per step.
    public var observations: [[Float]]
    /// The expert's actions.
    public var actions: [Action]
    /// The episode of each step.
    public var episodes: [Int]

    /// Demonstrations from parallel arrays.
    public init(observations: [[Float]] = [], actions: [Action] = [], episodes: [Int] = []) {
        precondition(
            observations.count == actions.count && actions.count == episodes.count,
            "Demonstrations: \(observations.count) observations, \(actions.count) actions, \(episodes.count) episodes")
        self.observations = observations
        self.actions = actions
        self.episodes = episodes
    }

    /// Steps stored.
    public var count: Int { actions.count }

    /// Number of distinct episodes.
    public var episodeCount: Int { Set(episodes).count }

    /// The steps of the first `count` episodes (in order of appearance).
    public func prefix(episodes count: Int) -> Demonstrations {
        var kept: [Int] = []
        var result = Demonstrations()
        for index in actions.indices {
            let episode = episodes[index]
            if !kept.contains(episode) {
                if kept.count == count { continue }
                kept.append(episode)
            }
            result.observations.append(observations[index])
            result.actions.append(actions[index])
            result.episodes.append(episode)
        }
        return result
    }

    private struct Line: Codable {
        var episode: Int
        var observation: [Float]
        var action: ActionValue
    }

    private enum ActionValue: Codable {
        case discrete(Int)
        case continuous([Float])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let index = try? container.decode(Int.self) {
                self = .discrete(index)
            } else {
                self = .continuous(try container.decode([Float].self))
            }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .discrete(let index): try container.encode(index)
            case .continuous(let vector): try container.encode(vector)
            }
        }
    }

    /// The JSON Lines text.
    public func jsonLines() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = ""
        for index in actions.indices {
            let action: ActionValue =
                switch actions[index] {
                case .discrete(let value): .discrete(value)
                case .continuous(let vector): .continuous(vector)
                }
            let line = Line(episode: episodes[index], observation: observations[index], action: action)
            text += String(decoding: try encoder.encode(line), as: UTF8.self) + "\n"
        }
        return text
    }

    /// Parses JSON Lines text; a malformed line throws an error at `path:line:1`. Blank lines are skipped.
    public init(jsonLines text: String, path: String) throws(InputError) {
        self.init()
        let decoder = JSONDecoder()
        var observationSize: Int?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let location = SourceLocation(file: path, line: number + 1, column: 1)
            let record: Line
            do {
                record = try decoder.decode(Line.self, from: Data(trimmed.utf8))
            } catch {
                throw InputError(
                    "expected {\"episode\": N, \"observation\": [...], \"action\": N or [...]}", at: location)
            }
            if let size = observationSize, size != record.observation.count {
                throw InputError(
                    "observation has \(record.observation.count) values, earlier lines have \(size)", at: location)
            }
            guard record.observation.allSatisfy(\.isFinite) else {
                throw InputError("observation values must be finite", at: location)
            }
            observationSize = record.observation.count
            observations.append(record.observation)
            switch record.action {
            case .discrete(let index):
                guard index >= 0 else { throw InputError("a discrete action must be ≥ 0", at: location) }
                actions.append(.discrete(index))
            case .continuous(let vector): actions.append(.continuous(vector))
            }
            episodes.append(record.episode)
        }
    }

    /// Reads a demonstrations file.
    public init(contentsOf path: String) throws(InputError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InputError("cannot read demonstrations", at: SourceLocation(file: path))
        }
        try self.init(jsonLines: text, path: path)
    }

    /// Checks that the demonstrations fit an environment (observation size, action kind and range).
    public func check(against environment: any Environment, path: String) throws(InputError) {
        for index in actions.indices {
            let location = SourceLocation(file: path, line: index + 1, column: 1)
            if observations[index].count != environment.observationSize {
                throw InputError(
                    "observation has \(observations[index].count) values; the environment's have "
                        + "\(environment.observationSize)", at: location)
            }
            switch (actions[index], environment.actionSpace) {
            case (.discrete(let value), .discrete(let n)) where value < n: continue
            case (.continuous(let vector), .box(let low, _)) where vector.count == low.count: continue
            default: throw InputError("action does not fit the environment's action space", at: location)
            }
        }
    }

    /// Plays `episodes` episodes of `policy` (deterministically) and records every step.
    public static func record(
        _ policy: RLPolicy, environment name: EnvironmentName, episodes: Int, seed: UInt64
    ) -> Demonstrations {
        var environment = name.make()
        var generator = RandomGenerator(seed: seed)
        var result = Demonstrations()
        for episode in 0..<episodes {
            var observation = environment.reset(seed: seed &+ UInt64(episode))
            while true {
                let action = clippedAction(
                    policy.action(observation, deterministic: true, using: &generator), to: environment.actionSpace)
                result.observations.append(observation)
                result.actions.append(action)
                result.episodes.append(episode)
                let outcome = environment.step(action)
                if outcome.done { break }
                observation = outcome.observation
            }
        }
        return result
    }
}
