import ArgumentParser
import Foundation
import NeuralNet

/// `montague demo`: trains a small MLP on XOR with Adam on the autodiff core and prints the loss curve.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a 2-layer MLP on XOR with the autodiff core (a smoke test of the training stack).",
        discussion: """
            Examples:
              montague demo
              montague demo --seed 7 --steps 500 --hidden 16
            """
    )

    @Option(help: "Seed of the random generator (initial weights).") var seed: UInt64 = 42
    @Option(help: "Adam steps.") var steps: Int = 300
    @Option(help: "Hidden units.") var hidden: Int = 8
    @Option(name: .customLong("learning-rate"), help: "Adam learning rate.") var learningRate: Float = 0.05
    @Option(name: .customLong("report-every"), help: "Print the loss every N steps.") var reportEvery: Int = 50

    func validate() throws {
        guard steps >= 0 else { throw ValidationError("--steps must not be negative, got \(steps)") }
        guard hidden > 0 else { throw ValidationError("--hidden must be positive, got \(hidden)") }
        guard reportEvery > 0 else { throw ValidationError("--report-every must be positive, got \(reportEvery)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--learning-rate must be a positive number, got \(learningRate)")
        }
    }

    func run() throws {
        let configuration = TrainingDemo.Configuration(
            seed: seed, hiddenSize: hidden, steps: steps, learningRate: learningRate, reportEvery: reportEvery)
        print("XOR, MLP 2-\(hidden)-1 (tanh), mean squared error, Adam lr \(learningRate), seed \(seed)")
        let result = TrainingDemo.trainXOR(configuration) { step, loss in
            print("step \(step)\tloss \(loss)")
        }
        let rows = zip([[0, 0], [0, 1], [1, 0], [1, 1]], result.predictions)
            .map { "  \($0.0[0]) xor \($0.0[1]) → \(String(format: "%.3f", $0.1))" }
        print("predictions:\n" + rows.joined(separator: "\n"))
        print("final loss \(result.finalLoss), accuracy \(Int(result.accuracy * 100))%")
    }
}
