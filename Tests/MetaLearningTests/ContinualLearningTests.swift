import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

@Suite("Elastic weight consolidation")
struct ContinualLearningTests {
    static let inputs: [[Float]] = [[1, 2, 0.5], [0.5, -1, 2], [2, 0.5, -1], [-1, 1, 1]]
    static let targets: [Float] = [1, 0, 2, -1]

    /// μ = w·x + b with unit variance: F_wⱼ = mean(xⱼ²), F_b = 1 (expected); the empirical Fisher weights them
    /// by the squared residuals.
    @Test func fisherOfALinearGaussianModelMatchesAnalytic() {
        let model = linearModel(weights: [0.3, -0.2, 0.5], bias: 0.1)
        let x = Tensor(Self.inputs)
        let y = Tensor(shape: [4, 1], scalars: Self.targets)
        let expected = diagonalFisher(
            of: model, inputs: x, targets: .values(y), distribution: .gaussian, estimate: .expected)
        for j in 0..<3 {
            let analytic = Self.inputs.map { $0[j] * $0[j] }.reduce(0, +) / 4
            #expect(abs(expected[0].scalars[j] - analytic) < 1e-5, "weight \(j)")
        }
        #expect(abs(expected[1].scalars[0] - 1) < 1e-6)

        let empirical = diagonalFisher(
            of: model, inputs: x, targets: .values(y), distribution: .gaussian, estimate: .empirical)
        let residuals = zip(Self.inputs, Self.targets).map { row, target in
            zip(row, [0.3, -0.2, 0.5] as [Float]).map { $0 * $1 }.reduce(0, +) + 0.1 - target
        }
        for j in 0..<3 {
            let analytic = zip(Self.inputs, residuals).map { $1 * $1 * $0[j] * $0[j] }.reduce(0, +) / 4
            #expect(abs(empirical[0].scalars[j] - analytic) < 1e-4, "weight \(j)")
        }
    }

    /// For a categorical model the expected Fisher is the average of the empirical Fisher over labels drawn
    /// from the model: with p = softmax(z), Σ_k p_k (e_k − p)² per logit of a bias-only model.
    @Test func expectedCategoricalFisherOfBiasesIsSoftmaxVariance() {
        var generator = RandomGenerator(seed: 2)
        let model = FunctionalMLP(sizes: [1, 3], using: &generator)
        model.weights[0].update(Tensor([[0], [0], [0]]))
        model.biases[0].update(Tensor([0.5, -1, 0.2]))
        let fisher = diagonalFisher(
            of: model, inputs: Tensor([[1]]), targets: .classes([0], classCount: 3), distribution: .categorical,
            estimate: .expected)
        let z: [Double] = [0.5, -1, 0.2]
        let normalizer = z.map { exp($0) }.reduce(0, +)
        let p = z.map { exp($0) / normalizer }
        for j in 0..<3 {
            // Σ_k p_k (δ_kj − p_j)² = p_j(1 − p_j).
            #expect(abs(Double(fisher[1].scalars[j]) - p[j] * (1 - p[j])) < 1e-5)
        }
    }

    /// Minimizing (θ − b)² + (λ/2)F(θ − a)² from θ = a lands at (2b + λFa)/(2 + λF): nearer the old optimum a
    /// than plain fine-tuning (which reaches b), and nearer for the more important coordinate.
    @Test func penaltyPullsTowardTheOldOptimum() {
        let oldOptimum: [Float] = [1, -1]
        let newOptimum: [Float] = [3, 2]
        let importance: [Float] = [4, 0.25]
        let lambda: Float = 2
        var regularizer = ContinualRegularizer(method: .ewc, strength: lambda)
        regularizer.consolidate(parameters: [Tensor(oldOptimum)], fisher: [Tensor(importance)])
        var theta = Tensor(oldOptimum).requiringGradient()
        for _ in 0..<500 {
            let loss =
                ((theta - Tensor(newOptimum)) * (theta - Tensor(newOptimum))).sum()
                + (regularizer.penalty([theta]) ?? Tensor(0))
            theta = (theta - 0.05 * gradients(of: loss, wrt: [theta])[0]).detached().requiringGradient()
        }
        for i in 0..<2 {
            let lf = lambda * importance[i]
            let expected = (2 * newOptimum[i] + lf * oldOptimum[i]) / (2 + lf)
            #expect(abs(theta.scalars[i] - expected) < 1e-4, "coordinate \(i)")
        }
        let pull = zip(theta.scalars, zip(oldOptimum, newOptimum)).map { abs($0 - $1.1) / abs($1.0 - $1.1) }
        #expect(pull[0] > pull[1], "the coordinate with the larger Fisher stays closer to its old value")
    }

    @Test func onlineEWCKeepsOneDecayedRunningFisher() {
        var regularizer = ContinualRegularizer(method: .onlineEWC, strength: 1, decay: 0.5)
        regularizer.consolidate(parameters: [Tensor([0])], fisher: [Tensor([2])])
        regularizer.consolidate(parameters: [Tensor([1])], fisher: [Tensor([1])])
        #expect(regularizer.anchors.count == 1)
        #expect(regularizer.anchors[0].importance[0].scalars == [2])  // 0.5·2 + 1
        #expect(regularizer.anchors[0].anchor[0].scalars == [1])
        // (λ/2)·2·(3 − 1)² = 4.
        #expect(abs((regularizer.penalty([Tensor([3])])?.item ?? 0) - 4) < 1e-6)
    }

    @Test(arguments: ContinualMethod.allCases)
    func everyMethodRunsOnTinyPermutedTasks(method: ContinualMethod) {
        let (images, labels) = TaskTests.syntheticDigits(perDigit: 2)
        let tasks = PermutedDigits(images: images, labels: labels, taskCount: 2, trainFraction: 0.5, seed: 1).tasks
        let configuration = ContinualLearningConfiguration(
            method: method, strength: 10, fisherSamples: 4, hiddenSizes: [8], epochsPerTask: 1, batchSize: 5)
        let run = ContinualLearning(configuration: configuration, inputSize: 64, classCount: 10)
        run.run(tasks: tasks)
        #expect(run.accuracies.count == 2 && run.accuracies.allSatisfy { $0.count == 2 })
        #expect(
            run.regularizer.anchors.count == ([.ewc, .onlineEWC, .l2].contains(method) ? (method == .ewc ? 2 : 1) : 0))
    }
}
