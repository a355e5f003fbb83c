import Autodiff
import Foundation

/// An optimizer run on the flattened parameters θ `[n, 1]` of a model, for comparing a learned optimizer with
/// hand-designed ones from the same starting point.
public enum ComparedOptimizer {
    /// θ ← θ − η∇L.
    case sgd(learningRate: Float)
    /// Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸ and bias correction.
    case adam(learningRate: Float)
    /// A trained ``LSTMMetaOptimizer`` (its gates fresh at the first step).
    case learned(LSTMMetaOptimizer)

    /// A short label: `SGD (η = 0.03)`, `Adam (η = 0.01)`, `LSTM optimizer`.
    public var name: String {
        switch self {
        case .sgd(let rate): "SGD (η = \(rate))"
        case .adam(let rate): "Adam (η = \(rate))"
        case .learned: "LSTM optimizer"
        }
    }
}

/// The loss curve of one optimizer over a set of tasks.
public struct OptimizerCurve: Sendable {
    /// The optimizer's label.
    public var name: String
    /// `losses[task][t]`: the task's training (support) loss at θₜ, t = 0…T.
    public var losses: [[Double]]
    /// The query loss of each task at θ_T.
    public var queryLosses: [Double]

    /// The mean training loss over tasks at each step (non-finite tasks make the mean non-finite).
    public var meanLosses: [Double] {
        guard let length = losses.first?.count else { return [] }
        return (0..<length).map { t in losses.reduce(0) { $0 + $1[t] } / Double(losses.count) }
    }

    /// The training loss after `step` steps, with a 95% interval over tasks.
    public func loss(afterStep step: Int) -> MeanWithInterval { MeanWithInterval(losses.map { $0[step] }) }

    /// The query loss after the last step, with a 95% interval over tasks.
    public var finalQueryLoss: MeanWithInterval { MeanWithInterval(queryLosses) }
}

/// A learned optimizer against SGD and Adam from the same initialization on held-out tasks, the comparison of
/// Andrychowicz et al., "Learning to learn by gradient descent by gradient descent" (NeurIPS 2016), figures 2–5:
/// each optimizer trains the model from θ₀ for T steps on every task's support set; the curves are the mean
/// training loss per step, and the query loss after T steps measures generalization.
public struct OptimizerComparison {
    /// One curve per optimizer, in the order given.
    public var curves: [OptimizerCurve]
    /// T.
    public var steps: Int

    /// Runs every optimizer on every episode from `initialization` (the model's parameter tensors) for `steps`
    /// full-batch steps on the support set.
    public static func run<Model: FunctionalModel>(
        _ optimizers: [ComparedOptimizer], model: Model, initialization: [Tensor], episodes: [Episode], steps: Int
    ) -> OptimizerComparison {
        let curves = optimizers.map { optimizer in
            var losses: [[Double]] = []
            var queries: [Double] = []
            for episode in episodes {
                let result = optimize(
                    optimizer, model: model, initialization: initialization, episode: episode, steps: steps)
                losses.append(result.losses)
                queries.append(result.queryLoss)
            }
            return OptimizerCurve(name: optimizer.name, losses: losses, queryLosses: queries)
        }
        return OptimizerComparison(curves: curves, steps: steps)
    }

    /// The learning rate from `grid` whose mean training loss after `steps` steps over `episodes` is lowest (a
    /// diverging rate is never chosen), for tuning the hand-designed baselines on meta-training tasks.
    public static func bestRate<Model: FunctionalModel>(
        _ grid: [Float], adam: Bool, model: Model, initialization: [Tensor], episodes: [Episode], steps: Int
    ) -> Float {
        var best: (rate: Float, loss: Double)? = nil
        for rate in grid {
            let optimizer: ComparedOptimizer = adam ? .adam(learningRate: rate) : .sgd(learningRate: rate)
            let curve = run([optimizer], model: model, initialization: initialization, episodes: episodes, steps: steps)
                .curves[0]
            let final = curve.meanLosses.last ?? .infinity
            if final.isFinite, final < best?.loss ?? .infinity { best = (rate, final) }
        }
        return best?.rate ?? grid.min() ?? 0.001
    }

    /// Training losses at θ₀…θ_T and the query loss at θ_T of one optimizer on one episode. A non-finite loss
    /// stops the run; the remaining steps are reported as NaN.
    public static func optimize<Model: FunctionalModel>(
        _ optimizer: ComparedOptimizer, model: Model, initialization: [Tensor], episode: Episode, steps: Int
    ) -> (losses: [Double], queryLoss: Double) {
        let shapes = initialization.map(\.shape)
        var theta = ParameterVector.flatten(initialization.map { $0.detached() }).detached().requiringGradient()
        let count = theta.shape[0]
        var firstMoment = [Float](repeating: 0, count: count)
        var secondMoment = [Float](repeating: 0, count: count)
        var state: LSTMMetaOptimizer.State? = nil
        if case .learned(let lstm) = optimizer { state = lstm.initialState(coordinates: count) }
        var losses: [Double] = []
        for t in 0...steps {
            let loss = episode.supportTargets.loss(
                of: model(episode.supportInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes)))
            losses.append(Double(loss.item))
            guard loss.item.isFinite else {
                losses += [Double](repeating: .nan, count: steps - t)
                return (losses, .nan)
            }
            if t == steps { break }
            let gradient = gradients(of: loss, wrt: [theta])[0]
            switch optimizer {
            case .sgd(let rate):
                theta = withoutGradients { theta.detached() - rate * gradient }.requiringGradient()
            case .adam(let rate):
                let g = gradient.scalars
                var values = theta.scalars
                let step = Float(t + 1)
                let correction1 = 1 - Foundation.pow(Float(0.9), step)
                let correction2 = 1 - Foundation.pow(Float(0.999), step)
                for i in 0..<count {
                    firstMoment[i] = 0.9 * firstMoment[i] + 0.1 * g[i]
                    secondMoment[i] = 0.999 * secondMoment[i] + 0.001 * g[i] * g[i]
                    let mHat = firstMoment[i] / correction1
                    let vHat = secondMoment[i] / correction2
                    values[i] -= rate * mHat / (vHat.squareRoot() + 1e-8)
                }
                theta = Tensor(shape: [count, 1], scalars: values).requiringGradient()
            case .learned(let lstm):
                guard let current = state else { break }
                let next = withoutGradients {
                    lstm.step(theta: theta.detached(), gradient: gradient, loss: loss.item, state: current)
                }
                theta = next.theta.detached().requiringGradient()
                state = next.state.detached()
            }
        }
        let query = withoutGradients {
            episode.queryTargets.loss(
                of: model(episode.queryInputs, parameters: ParameterVector.unflatten(theta, shapes: shapes)))
        }
        return (losses, Double(query.item))
    }
}
