import Autodiff
import Foundation

/// How a value-based agent picks actions while learning (exploration: Q-learning only learns about actions it tries).
public enum ExplorationStrategy: Codable, Equatable, Sendable {
    /// ε-greedy: a uniform action with probability ε, else `argmax Q`; ε decays linearly from `start` to `end` over
    /// the first `fraction` of the step budget (Mnih et al. 2015).
    case epsilonGreedy(start: Double, end: Double, fraction: Double)
    /// Boltzmann: `p(a|s) ∝ exp(Q(s, a) / temperature)`.
    case boltzmann(temperature: Double)
    /// Greedy on a noisy network (the noise explores; Fortunato et al. 2018).
    case greedy

    /// ε at `step` of `budget` (0 for non-ε strategies).
    public func epsilon(step: Int, budget: Int) -> Double {
        guard case .epsilonGreedy(let start, let end, let fraction) = self else { return 0 }
        let progress = Double(step) / max(fraction * Double(budget), 1)
        return progress >= 1 ? end : start + (end - start) * progress
    }

    /// An action index from `qValues` at `step` of `budget`.
    public func action(
        qValues: [Float], step: Int, budget: Int, using generator: inout RandomGenerator
    ) -> Int {
        switch self {
        case .epsilonGreedy:
            if generator.nextUnitDouble() < epsilon(step: step, budget: budget) {
                return generator.nextInt(below: qValues.count)
            }
            return greedyAction(qValues)
        case .boltzmann(let temperature):
            let largest = qValues.max() ?? 0
            let weights = qValues.map { Foundation.exp(Double($0 - largest) / temperature) }
            var draw = generator.nextUnitDouble() * weights.reduce(0, +)
            for (index, weight) in weights.enumerated() {
                draw -= weight
                if draw < 0 { return index }
            }
            return qValues.count - 1
        case .greedy:
            return greedyAction(qValues)
        }
    }
}

/// The index of the largest value (the first on ties).
public func greedyAction(_ values: [Float]) -> Int {
    var best = 0
    for index in values.indices where values[index] > values[best] { best = index }
    return best
}
