import Autodiff
import RL

/// Environment stepping against Gymnasium (bench/rl_reference.py steps the same environments with the same
/// random-action workload). Wired in with `+ RLBenchmarks.entries` in main.swift.
enum RLBenchmarks {
    /// Environment steps per body call.
    static let stepsPerIteration = 100_000
    /// Copies of the vectorized case.
    static let vectorCopies = 16

    static let singleCaseName = "cartpole-v1 step x1"
    static let vectorCaseName = "cartpole-v1 step x16 vector"
    static let acrobotCaseName = "acrobot-v1 step x1"

    /// The environment entries.
    static var entries: [BenchmarkEntry] {
        [
            BenchmarkEntry(name: singleCaseName) { singleCase(name: singleCaseName, CartPole(), actions: 2) },
            BenchmarkEntry(name: vectorCaseName, make: vectorCase),
            BenchmarkEntry(name: acrobotCaseName) { singleCase(name: acrobotCaseName, Acrobot(), actions: 3) },
        ]
    }

    /// Random actions on one environment, resetting at episode ends.
    static func singleCase<E: Environment>(name: String, _ environment: E, actions: Int) -> BenchmarkCase {
        var environment = environment
        var generator = RandomGenerator(seed: 1)
        _ = environment.reset(seed: 1)
        return BenchmarkCase(
            name: name, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(stepsPerIteration)) {
                    var total = 0.0
                    for _ in 0..<stepsPerIteration {
                        let outcome = environment.step(.discrete(generator.nextInt(below: actions)))
                        total += outcome.reward
                        if outcome.done { _ = environment.reset(seed: nil) }
                    }
                    blackHole(total)
                }
            ])
    }

    /// Random actions on 16 auto-resetting copies.
    static func vectorCase() -> BenchmarkCase {
        var vector = VectorEnvironment(CartPole(), count: vectorCopies)
        var generator = RandomGenerator(seed: 1)
        _ = vector.reset(seed: 1)
        var actions = [Action](repeating: .discrete(0), count: vectorCopies)
        return BenchmarkCase(
            name: vectorCaseName, metric: .stepsPerSecond,
            variants: [
                BenchmarkVariant(implementation: "montague", unitsPerIteration: Double(stepsPerIteration)) {
                    var total = 0.0
                    for _ in 0..<(stepsPerIteration / vectorCopies) {
                        for index in 0..<vectorCopies { actions[index] = .discrete(generator.nextInt(below: 2)) }
                        for outcome in vector.step(actions) { total += outcome.reward }
                    }
                    blackHole(total)
                }
            ])
    }
}
