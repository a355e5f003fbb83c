import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// A linear model y = w·x + b as a FunctionalMLP [d, 1] with given weights.
func linearModel(weights: [Float], bias: Float) -> FunctionalMLP {
    var generator = RandomGenerator(seed: 0)
    let model = FunctionalMLP(sizes: [weights.count, 1], using: &generator)
    model.weights[0].update(Tensor(shape: [1, weights.count], scalars: weights))
    model.biases[0].update(Tensor([bias]))
    return model
}

/// Closed-form quantities of a linear model with MSE (inputs augmented with a 1 for the bias), in Double.
struct LinearRegressionAlgebra {
    var inputs: [[Double]]
    var targets: [Double]

    var augmented: [[Double]] { inputs.map { $0 + [1] } }

    /// ∇ mean((Xθ − y)²) = 2Xᵀ(Xθ − y)/n.
    func gradient(_ theta: [Double]) -> [Double] {
        let x = augmented
        var result = [Double](repeating: 0, count: theta.count)
        for (row, y) in zip(x, targets) {
            let residual = zip(row, theta).map { $0 * $1 }.reduce(0, +) - y
            for j in theta.indices { result[j] += 2 * residual * row[j] / Double(x.count) }
        }
        return result
    }

    /// H = 2XᵀX/n.
    var hessian: [[Double]] {
        let x = augmented
        let d = x[0].count
        var h = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for row in x {
            for i in 0..<d { for j in 0..<d { h[i][j] += 2 * row[i] * row[j] / Double(x.count) } }
        }
        return h
    }
}

func episode(_ support: LinearRegressionAlgebra, _ query: LinearRegressionAlgebra) -> Episode {
    func tensor(_ rows: [[Double]]) -> Tensor { Tensor(rows.map { $0.map(Float.init) }) }
    return Episode(
        supportInputs: tensor(support.inputs),
        supportTargets: .values(Tensor(shape: [support.targets.count, 1], scalars: support.targets.map(Float.init))),
        queryInputs: tensor(query.inputs),
        queryTargets: .values(Tensor(shape: [query.targets.count, 1], scalars: query.targets.map(Float.init))))
}

@Suite("MAML, first-order MAML, Meta-SGD, Reptile")
struct GradientBasedTests {
    let support = LinearRegressionAlgebra(inputs: [[1, 2], [0.5, -1], [2, 0.5]], targets: [1, 0, 2])
    let query = LinearRegressionAlgebra(inputs: [[1, 1], [-1, 0.5]], targets: [0.5, -1])
    let theta0: [Double] = [0.3, -0.2, 0.1]
    let alpha = 0.1

    /// θ′ = θ − α∇L_s(θ); meta-gradient (I − αH_s)∇L_q(θ′), or ∇L_q(θ′) without the Hessian term.
    func closedForm(secondOrder: Bool) -> [Double] {
        let gs = support.gradient(theta0)
        let adapted = zip(theta0, gs).map { $0 - alpha * $1 }
        let gq = query.gradient(adapted)
        guard secondOrder else { return gq }
        let h = support.hessian
        return theta0.indices.map { i in gq[i] - alpha * theta0.indices.map { j in h[i][j] * gq[j] }.reduce(0, +) }
    }

    func metaGradient(order: MAMLOrder) -> [Float] {
        let model = linearModel(weights: [0.3, -0.2], bias: 0.1)
        let maml = MAML(
            model: model, configuration: MAMLConfiguration(innerSteps: 1, innerLearningRate: Float(alpha), order: order)
        )
        let (_, grads) = maml.metaGradient([episode(support, query)])
        return grads[0].scalars + grads[1].scalars
    }

    @Test func secondOrderMetaGradientOfOneStepOnAQuadraticMatchesClosedForm() {
        let expected = closedForm(secondOrder: true)
        let actual = metaGradient(order: .second)
        for i in expected.indices { #expect(abs(Double(actual[i]) - expected[i]) < 1e-5, "component \(i)") }
        // The Hessian term matters here, so the check distinguishes the two orders.
        let firstOrder = closedForm(secondOrder: false)
        #expect(zip(expected, firstOrder).contains { abs($0 - $1) > 1e-2 })
    }

    @Test func firstOrderMetaGradientDropsTheHessianTerm() {
        let expected = closedForm(secondOrder: false)
        let actual = metaGradient(order: .first)
        for i in expected.indices { #expect(abs(Double(actual[i]) - expected[i]) < 1e-5, "component \(i)") }
    }

    /// Meta-SGD: θ′ = θ − α ⊙ g_s, so ∂L_q(θ′)/∂α = −g_s ⊙ ∇L_q(θ′).
    @Test func metaSGDRateGradientIsMinusSupportGradientTimesQueryGradient() {
        let model = linearModel(weights: [0.3, -0.2], bias: 0.1)
        let maml = MAML(
            model: model,
            configuration: MAMLConfiguration(
                innerSteps: 1, innerLearningRate: Float(alpha), learnsInnerRates: true,
                rateParameterization: .unconstrained))
        let (_, grads) = maml.metaGradient([episode(support, query)])
        #expect(grads.count == 4)
        let gs = support.gradient(theta0)
        let gq = query.gradient(zip(theta0, gs).map { $0 - alpha * $1 })
        let rateGradient = grads[2].scalars + grads[3].scalars
        for i in gs.indices { #expect(abs(Double(rateGradient[i]) + gs[i] * gq[i]) < 1e-5, "rate \(i)") }
        let thetaGradient = grads[0].scalars + grads[1].scalars
        let expected = closedForm(secondOrder: true)
        for i in expected.indices { #expect(abs(Double(thetaGradient[i]) - expected[i]) < 1e-5) }
    }

    /// Two inner steps give the second-order meta-gradient through both, against finite differences of the
    /// whole adapted query loss.
    @Test func twoStepSecondOrderMetaGradientMatchesFiniteDifferences() {
        let model = linearModel(weights: [0.3, -0.2], bias: 0.1)
        let maml = MAML(model: model, configuration: MAMLConfiguration(innerSteps: 2, innerLearningRate: 0.1))
        let task = episode(support, query)
        let (_, grads) = maml.metaGradient([task])
        func objective(_ theta: [Double]) -> Double {
            var t = theta
            for _ in 0..<2 { t = zip(t, support.gradient(t)).map { $0 - 0.1 * $1 } }
            let x = query.augmented
            return zip(x, query.targets).map { row, y in
                let r = zip(row, t).map { $0 * $1 }.reduce(0, +) - y
                return r * r
            }.reduce(0, +) / Double(x.count)
        }
        let actual = grads[0].scalars + grads[1].scalars
        for i in theta0.indices {
            var plus = theta0
            var minus = theta0
            plus[i] += 1e-5
            minus[i] -= 1e-5
            let numeric = (objective(plus) - objective(minus)) / 2e-5
            #expect(abs(Double(actual[i]) - numeric) < 1e-4, "component \(i)")
        }
    }

    /// Batched Reptile with 2 inner SGD steps on 2 tasks: φ + ε·mean(θ̃ᵢ − φ), computed by hand.
    @Test func reptileUpdateIsTheAverageOfInnerSteps() {
        let other = LinearRegressionAlgebra(inputs: [[0, 1], [1, -1], [2, 2]], targets: [-1, 0.5, 1])
        let otherQuery = LinearRegressionAlgebra(inputs: [[1, 0]], targets: [0.25])
        let model = linearModel(weights: [0.3, -0.2], bias: 0.1)
        let reptile = Reptile(
            model: model,
            configuration: ReptileConfiguration(innerSteps: 2, innerLearningRate: 0.05, outerStepSize: 0.5))
        reptile.metaStep([episode(support, query), episode(other, otherQuery)], outerStepSize: 0.5)

        func adapted(_ a: LinearRegressionAlgebra, _ b: LinearRegressionAlgebra) -> [Double] {
            let joint = LinearRegressionAlgebra(inputs: a.inputs + b.inputs, targets: a.targets + b.targets)
            var t = theta0
            for _ in 0..<2 { t = zip(t, joint.gradient(t)).map { $0 - 0.05 * $1 } }
            return t
        }
        let first = adapted(support, query)
        let second = adapted(other, otherQuery)
        let expected = theta0.indices.map { i in
            theta0[i] + 0.5 * ((first[i] - theta0[i]) + (second[i] - theta0[i])) / 2
        }
        let actual = model.weights[0].value.scalars + model.biases[0].value.scalars
        for i in expected.indices { #expect(abs(Double(actual[i]) - expected[i]) < 1e-5, "component \(i)") }
    }

    @Test func sinusoidTasksFollowFinnEtAl() {
        var generator = RandomGenerator(seed: 4)
        let tasks = SinusoidTasks(shots: 5, queryCount: 7)
        for _ in 0..<50 {
            let sinusoid = tasks.sampleSinusoid(using: &generator)
            #expect((0.1...5).contains(sinusoid.amplitude) && (0...Float.pi).contains(sinusoid.phase))
        }
        let task = tasks.sampleEpisode(using: &generator)
        #expect(task.supportInputs.shape == [5, 1] && task.queryInputs.shape == [7, 1])
        #expect(task.supportInputs.scalars.allSatisfy { (-5...5).contains($0) })
    }

    /// Every method takes meta-steps on tiny networks and evaluates to finite numbers.
    @Test(arguments: [MetaMethod.maml, .fomaml, .metaSGD, .reptile, .pretrained, .lstmOptimizer])
    func sinusoidMethodsTrainAndEvaluate(method: MetaMethod) {
        let configuration = MetaTrainingConfiguration(
            task: .sinusoid, method: method, shots: 5, queryCount: 5, hiddenSizes: [8], innerSteps: 2,
            metaBatchSize: 2, seed: 1)
        let run = MetaTraining(configuration: configuration)
        let sampler = SinusoidTasks(shots: 5, queryCount: 5)
        let before = run.namedParameters.map { $0.parameter.value.scalars }
        for _ in 0..<2 { #expect(run.step(sampler: sampler).isFinite) }
        #expect(run.namedParameters.map { $0.parameter.value.scalars } != before, "the parameters moved")
        let results = run.evaluate(sampler: sampler, episodeCount: 3, checkpoints: [0, 1, 5], seed: 2)
        #expect(results.map(\.steps) == [0, 1, 5])
        #expect(results.allSatisfy { $0.loss.mean.isFinite && $0.loss.count == 3 })
    }
}
