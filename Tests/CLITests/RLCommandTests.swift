import Foundation
import Testing

/// `montague train rl`, and `predict` / `evaluate` on the agent it writes, end to end.
@Suite("montague train rl")
struct RLCommandTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("montague-rl-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func trainsSavesEvaluatesPredictsAndResumes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("agent").path
        let executable = try MontagueExecutable.locate()
        let trained = try executable.run([
            "train", "rl", "--env", "CartPole-v1", "--method", "a2c", "--steps", "400", "--seed", "3", "--output",
            output, "--eval-episodes", "2",
        ])
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.contains("evaluation over 2 episodes"))
        for file in [
            "manifest.json", "weights.safetensors", "training-state.safetensors", "metrics.jsonl", "returns.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: output + "/" + file), "\(file)")
        }
        let evaluated = try executable.run(["evaluate", output, "--episodes", "3", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Any]
        #expect(summary?["episodes"] as? Int == 3)
        #expect(summary?["environment"] as? String == "CartPole-v1")
        #expect((summary?["return_mean"] as? Double ?? 0) >= 8)
        let played = try executable.run(["predict", output, "--episodes", "2"])
        #expect(played.status == 0)
        #expect(played.standardOutput.split(separator: "\n").filter { $0.hasPrefix("episode ") }.count == 2)
        let rejected = try executable.run(["predict", output, "--n", "3"])
        #expect(rejected.status == 2)
        let resumed = try executable.run(["train", "rl", "--output", output, "--steps", "600", "--resume", "--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let resumedSummary = try JSONSerialization.jsonObject(with: Data(resumed.standardOutput.utf8)) as? [String: Any]
        #expect((resumedSummary?["environment_steps"] as? Int ?? 0) >= 600)
    }

    @Test func rejectsBadChoicesWithStatusTwo() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let continuous = try executable.run([
            "train", "rl", "--env", "Pendulum-v1", "--method", "dqn", "--output", directory.path + "/a",
        ])
        #expect(continuous.status == 2)
        #expect(continuous.standardError.contains("discrete actions"))
        let unknown = try executable.run(["train", "rl", "--env", "Pong-v5", "--output", directory.path + "/b"])
        #expect(unknown.status == 2)
        let badSteps = try executable.run(["train", "rl", "--steps", "lots", "--output", directory.path + "/c"])
        #expect(badSteps.status == 2)
        let missing = try executable.run(["train", "rl", "--resume", "--output", directory.path + "/nothing"])
        #expect(missing.status == 2)
    }

    @Test func hyperparameterFilesCuriosityAndGridMethods() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let executable = try MontagueExecutable.locate()
        let file = directory.appendingPathComponent("h.json")
        try Data(#"{"tabular": {"epsilon": 2}}"#.utf8).write(to: file)
        let invalid = try executable.run([
            "train", "rl", "--env", "KeyDoor-v0", "--method", "q-learning", "--hyperparameters", file.path,
            "--output", directory.path + "/a",
        ])
        #expect(invalid.status == 2)
        #expect(invalid.standardError.contains("h.json: error:") && invalid.standardError.contains("tabular.epsilon"))
        try Data(#"{"tabular": {"epsilon": 0.2}}"#.utf8).write(to: file)
        let grid = try executable.run([
            "train", "rl", "--env", "KeyDoor-v0", "--method", "q-learning", "--hyperparameters", file.path,
            "--steps", "5k", "--eval-episodes", "1", "--json", "--output", directory.path + "/b",
        ])
        #expect(grid.status == 0, "\(grid.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(grid.standardOutput.utf8)) as? [String: Any]
        #expect(summary?["solved_at_step"] as? Int != nil)
        let curiousPPO = try executable.run([
            "train", "rl", "--method", "ppo", "--curiosity", "1", "--output", directory.path + "/c",
        ])
        #expect(curiousPPO.status == 2)
        let tabularCartPole = try executable.run([
            "train", "rl", "--method", "hierarchical", "--output", directory.path + "/d",
        ])
        #expect(tabularCartPole.status == 2)
        #expect(tabularCartPole.standardError.contains("grid world"))
    }
}
