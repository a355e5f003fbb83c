import Autodiff
import Foundation

/// How a policy network's output becomes a distribution over actions: a softmax over discrete actions, or a diagonal
/// Gaussian with a learned state-independent log standard deviation (Schulman et al.'s PPO for continuous control).
public enum PolicyDistribution: Sendable {
    /// `π(a|s) = softmax(logits)[a]`.
    case categorical(actions: Int)
    /// `π(a|s) = 𝒩(μ(s), diag(exp(2·logStd)))`.
    case gaussian(dimension: Int)

    /// The distribution for an action space.
    public init(_ space: ActionSpace) {
        switch space {
        case .discrete(let n): self = .categorical(actions: n)
        case .box(let low, _): self = .gaussian(dimension: low.count)
        }
    }

    /// The width of the network's output.
    public var outputSize: Int {
        switch self {
        case .categorical(let n): n
        case .gaussian(let d): d
        }
    }

    /// `log π(a|s)` per row: `output` is `[N, outputSize]`, actions are indices (categorical) or `[N, d]` rows.
    public func logProbabilities(output: Tensor, logStd: Tensor?, actions: [Action]) -> Tensor {
        switch self {
        case .categorical:
            let indices = IndexTensor(shape: [actions.count, 1], indices: actions.map(\.index))
            return output.logSoftmax(axis: -1).gather(along: 1, indices: indices).reshaped([actions.count])
        case .gaussian(let dimension):
            let taken = Tensor(shape: [actions.count, dimension], scalars: actions.flatMap(\.vector))
            let logStd = logStd ?? Tensor.zeros([dimension])
            let z = (taken - output) / logStd.exp()
            let perComponent = z.squared() * (-0.5) - logStd - Float(0.5 * Foundation.log(2 * Double.pi))
            return perComponent.sum(axis: 1)
        }
    }

    /// Mean entropy over the batch.
    public func entropy(output: Tensor, logStd: Tensor?) -> Tensor {
        switch self {
        case .categorical:
            return PolicyGradientLoss.categoricalEntropy(logits: output)
        case .gaussian(let dimension):
            let logStd = logStd ?? Tensor.zeros([dimension])
            return (logStd + Float(0.5 * Foundation.log(2 * Double.pi * M_E))).sum()
        }
    }

    /// One action per row, sampled (or the mode when `deterministic`).
    public func actions(
        output: Tensor, logStd: Tensor?, deterministic: Bool, using generator: inout RandomGenerator
    ) -> [Action] {
        let rows = output.shape[0]
        switch self {
        case .categorical(let n):
            if deterministic {
                return (0..<rows).map { row in
                    var best = 0
                    for column in 1..<n where output.scalars[row * n + column] > output.scalars[row * n + best] {
                        best = column
                    }
                    return .discrete(best)
                }
            }
            return sampleCategorical(logits: output, using: &generator).map { .discrete($0) }
        case .gaussian(let dimension):
            let std = (logStd?.scalars ?? [Float](repeating: 0, count: dimension)).map { Foundation.exp($0) }
            return (0..<rows).map { row in
                .continuous(
                    (0..<dimension).map { column in
                        let mean = output.scalars[row * dimension + column]
                        return deterministic ? mean : mean + std[column] * Float(generator.nextStandardNormal())
                    })
            }
        }
    }
}

/// Clips a continuous action into a box (the environment sees the clipped action; the policy keeps its sample).
public func clippedAction(_ action: Action, to space: ActionSpace) -> Action {
    guard case .box(let low, let high) = space, case .continuous(let vector) = action else { return action }
    return .continuous(vector.indices.map { Swift.min(Swift.max(vector[$0], low[$0]), high[$0]) })
}
