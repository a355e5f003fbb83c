import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import RL

/// `predict` and `evaluate` for agents written by `montague train rl`: play episodes, report returns.
enum RLKind: ModelKindHandler {
    static let kind = RLTrainingRun.kind
    static let evaluateFlags: Set<EvaluateFlag> = [.episodes]
    static let predictFlags: Set<PredictFlag> = [.episodes]

    static func predict(_ directory: ModelDirectory, manifest: ModelManifest, options: PredictOptions) throws {
        let (policy, hyperparameters) = try RLTrainingRun.loadPolicy(from: directory)
        let episodes = options.episodes ?? 5
        if let output = options.output {
            // Record the played episodes as demonstrations for imitation.
            let demonstrations = Demonstrations.record(
                policy, environment: hyperparameters.environment, episodes: episodes, seed: options.seed)
            try AtomicFile.write(try demonstrations.jsonLines(), to: URL(fileURLWithPath: output))
            print("recorded \(demonstrations.count) steps of \(episodes) episodes to \(output)")
            return
        }
        let returns = evaluatePolicy(
            policy, environment: hyperparameters.environment, episodes: episodes, seed: options.seed)
        if options.json {
            let data = try JSONSerialization.data(
                withJSONObject: ["environment": hyperparameters.environment.rawValue, "returns": returns],
                options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (index, value) in returns.enumerated() { print("episode \(index + 1): return \(value)") }
        }
    }

    static func evaluate(_ directory: ModelDirectory, manifest: ModelManifest, options: EvaluateOptions) throws {
        let (policy, hyperparameters) = try RLTrainingRun.loadPolicy(from: directory)
        let episodes = options.episodes ?? 100
        let returns = evaluatePolicy(
            policy, environment: hyperparameters.environment, episodes: episodes, seed: options.seed)
        let (mean, deviation) = meanAndStandardDeviation(returns)
        if options.json {
            let data = try JSONSerialization.data(
                withJSONObject: [
                    "environment": hyperparameters.environment.rawValue, "method": hyperparameters.method.rawValue,
                    "episodes": episodes, "return_mean": mean, "return_std": deviation,
                    "return_min": returns.min() ?? 0, "return_max": returns.max() ?? 0,
                ], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "\(hyperparameters.environment.rawValue) \(hyperparameters.method.rawValue): return "
                    + "\(String(format: "%.2f", mean)) ± \(String(format: "%.2f", deviation)) over \(episodes) episodes"
            )
        }
    }
}
