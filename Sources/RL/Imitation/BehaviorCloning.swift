import Autodiff
import NeuralNet

/// Behavior cloning: supervised learning of `π(s)` from expert pairs `(s, a)` — cross-entropy for discrete
/// actions, squared error on the Gaussian mean for continuous ones (Pomerleau, "ALVINN", NIPS 1989; Bain &
/// Sammut 1995).
public enum BehaviorCloning {
    /// Fits `model`'s policy to `demonstrations` with Adam for `epochs` passes of `batchSize` minibatches; returns
    /// the last epoch's mean loss.
    @discardableResult
    public static func train(
        _ model: ActorCriticModel, on demonstrations: Demonstrations, epochs: Int, batchSize: Int = 64,
        learningRate: Float = 1e-3, using generator: inout RandomGenerator
    ) -> Double {
        let optimizer = Adam(model.parameters, learningRate: learningRate)
        var order = Array(0..<demonstrations.count)
        var lastMean = 0.0
        for _ in 0..<epochs {
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, generator.nextInt(below: index + 1))
            }
            var total = 0.0
            var batches = 0
            var start = 0
            while start < order.count {
                let indices = Array(order[start..<min(start + batchSize, order.count)])
                start += batchSize
                let output = model.policyOutput(observationBatch(indices.map { demonstrations.observations[$0] }))
                let actions = indices.map { demonstrations.actions[$0] }
                let loss: Tensor
                switch model.distribution {
                case .categorical:
                    loss = -model.distribution.logProbabilities(output: output, logStd: nil, actions: actions).mean()
                case .gaussian(let dimension):
                    let targets = Tensor(shape: [actions.count, dimension], scalars: actions.flatMap(\.vector))
                    loss = (output - targets).squared().mean()
                }
                let gradients = Autodiff.gradients(of: loss, wrt: model.parameterValues)
                optimizer.step(gradients)
                total += Double(loss.item)
                batches += 1
            }
            lastMean = total / Double(max(batches, 1))
        }
        return lastMean
    }
}
