import Autodiff
import Foundation
import Testing

@testable import RL

@Suite struct QLearningTests {
    static func transition(_ value: Float) -> Transition {
        Transition(
            observation: [value], action: .discrete(0), reward: Double(value), nextObservation: [value],
            terminated: false, bootstrapDiscount: 1)
    }

    @Test func sumTreeFindsPrefixSums() {
        var tree = SumTree(capacity: 5)
        for (index, priority) in [1.0, 2, 3, 4, 0].enumerated() { tree.update(index, priority: priority) }
        #expect(tree.total == 10)
        #expect(tree.leaf(forPrefixSum: 0) == 0)
        #expect(tree.leaf(forPrefixSum: 0.999) == 0)
        #expect(tree.leaf(forPrefixSum: 1) == 1)
        #expect(tree.leaf(forPrefixSum: 5.5) == 2)
        #expect(tree.leaf(forPrefixSum: 9.99) == 3)
        tree.update(1, priority: 0)
        #expect(tree.total == 8)
        #expect(tree.leaf(forPrefixSum: 1.5) == 2)
    }

    /// Samples of single draws follow P(i) = p_i^α / Σ p^α: a chi-square test with 3 degrees of freedom.
    @Test func prioritizedReplaySamplesProportionally() {
        var buffer = PrioritizedReplayBuffer(capacity: 4, alpha: 1, epsilon: 0)
        for value in 0..<4 { buffer.append(Self.transition(Float(value))) }
        buffer.updatePriorities([0, 1, 2, 3], errors: [1, 2, 3, 4])
        var generator = RandomGenerator(seed: 11)
        var counts = [0, 0, 0, 0]
        let draws = 20_000
        for _ in 0..<draws { counts[buffer.sample(1, beta: 0.4, using: &generator).indices[0]] += 1 }
        let expected = [0.1, 0.2, 0.3, 0.4].map { $0 * Double(draws) }
        let chiSquare = zip(counts, expected).reduce(0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) / $1.1 }
        #expect(chiSquare < 16.27, "χ² = \(chiSquare), counts \(counts)")  // p = 0.001 critical value, 3 dof
        // A uniform control would fail the same test.
        let uniformChiSquare = expected.reduce(0) { $0 + (Double(draws) / 4 - $1) * (Double(draws) / 4 - $1) / $1 }
        #expect(uniformChiSquare > 16.27)
    }

    @Test func importanceWeightsMatchTheFormula() {
        var buffer = PrioritizedReplayBuffer(capacity: 4, alpha: 0.5, epsilon: 0)
        for value in 0..<4 { buffer.append(Self.transition(Float(value))) }
        buffer.updatePriorities([0, 1, 2, 3], errors: [1, 4, 9, 16])
        var generator = RandomGenerator(seed: 5)
        let beta = 0.7
        let (indices, weights) = buffer.sample(4, beta: beta, using: &generator)
        // p^α = 1, 2, 3, 4; P = p^α / 10; w = (N·P)^−β / max w over the batch.
        let raw = indices.map { Foundation.pow(4 * Double($0 + 1) / 10, -beta) }
        let largest = raw.max() ?? 1
        for (weight, expected) in zip(weights, raw.map { $0 / largest }) { #expect(abs(weight - expected) < 1e-12) }
        #expect(weights.max() == 1)
    }

    @Test func nStepAccumulatorSumsAndFlushes() {
        var accumulator = NStepAccumulator(steps: 2, discount: 0.5)
        var out = accumulator.add(
            observation: [0], action: .discrete(0), reward: 1, nextObservation: [1], terminated: false,
            episodeEnded: false)
        #expect(out.isEmpty)
        out = accumulator.add(
            observation: [1], action: .discrete(1), reward: 2, nextObservation: [2], terminated: false,
            episodeEnded: false)
        #expect(out.count == 1 && out[0].reward == 2 && out[0].bootstrapDiscount == 0.25 && out[0].observation == [0])
        #expect(out[0].nextObservation == [2])
        out = accumulator.add(
            observation: [2], action: .discrete(0), reward: 4, nextObservation: [3], terminated: true,
            episodeEnded: true)
        // Pending (s1: 2 + 0.5·4) and (s2: 4), both ending at the terminal state.
        #expect(out.map(\.reward) == [4, 4])
        #expect(out.map(\.observation) == [[1], [2]])
        #expect(out.allSatisfy { $0.terminated })
    }

    @Test func duelingMeanSubtractionIdentity() {
        var generator = RandomGenerator(seed: 2)
        var configuration = QNetworkConfiguration()
        configuration.hidden = [8]
        configuration.dueling = true
        let network = QNetwork(observationSize: 3, actions: 4, configuration: configuration, using: &generator)
        let observations = Tensor.normal([5, 3], using: &generator)
        let q = network.qValues(observations)
        let features = network.trunk(observations)
        let values = network.valueHead.map { $0(features) } ?? Tensor.zeros([5, 1])
        // Σ_a A = 0, so the mean over actions of Q is V.
        let meanQ = q.mean(axis: 1)
        for row in 0..<5 { #expect(abs(meanQ.scalars[row] - values.scalars[row]) < 1e-5) }
    }

    @Test func categoricalProjectionPreservesMass() {
        let support: [Float] = [-2, -1, 0, 1, 2]
        var generator = RandomGenerator(seed: 9)
        let rows = 6
        var probabilities: [Float] = []
        for _ in 0..<rows {
            let raw = (0..<5).map { _ in generator.nextUnitFloat() + 0.01 }
            let total = raw.reduce(0, +)
            probabilities += raw.map { $0 / total }
        }
        let rewards = [0.3, -5, 5, 0, 1.7, -0.25]
        let discounts = [0.5, 0.9, 0.9, 0, 0.5, 1]
        let projected = projectCategoricalDistribution(
            probabilities: probabilities, rewards: rewards, discounts: discounts, support: support)
        for row in 0..<rows {
            let mass = projected[(row * 5)..<((row + 1) * 5)].reduce(0, +)
            #expect(abs(mass - 1) < 1e-5)
        }
        // A terminal transition puts all mass at the reward: 0 is atom 2.
        #expect(abs(projected[3 * 5 + 2] - 1) < 1e-6)
        // Reward −5 clamps onto the lowest atom.
        #expect(abs(projected[1 * 5] - 1) < 1e-6)
        // The mean of the projection equals r + γ·mean when r + γ·z stays inside the support.
        let mean0 = zip(probabilities[0..<5], support).reduce(0) { $0 + Double($1.0 * $1.1) }
        let projectedMean0 = zip(projected[0..<5], support).reduce(0) { $0 + Double($1.0 * $1.1) }
        #expect(abs(projectedMean0 - (0.3 + 0.5 * mean0)) < 1e-5)
    }

    @Test func noisyLinearUsesMeanWeightsWhenDisabled() {
        var generator = RandomGenerator(seed: 4)
        let layer = NoisyLinear(inputSize: 3, outputSize: 2, using: &generator)
        let input = Tensor([[1, 2, 3]])
        let noisy = layer(input)
        layer.noise.enabled = false
        let mean = layer(input)
        let expected = Tensor.matmul(input, layer.weightMean.value, transposeB: true) + layer.biasMean.value
        #expect(mean.scalars == expected.scalars)
        #expect(noisy.scalars != mean.scalars)
    }

    @Test(arguments: DQNVariant.allCases)
    func everyVariantTakesTrainingSteps(variant: DQNVariant) {
        var configuration = DQNConfiguration(variant: variant)
        configuration.network.hidden = [16]
        configuration.learningStarts = 32
        configuration.batchSize = 8
        configuration.trainFrequency = 16
        configuration.gradientSteps = 2
        let trainer = DQNTrainer(environment: CartPole(), configuration: configuration, seed: 1)
        var reports = 0
        trainer.train(steps: 96) { report in
            reports += 1
            #expect(report.scalars["loss"]?.isFinite == true)
        }
        #expect(trainer.environmentSteps == 96)
        #expect(reports == 5)
    }

    @Test func explorationStrategies() {
        let schedule = ExplorationStrategy.epsilonGreedy(start: 1, end: 0.1, fraction: 0.5)
        #expect(schedule.epsilon(step: 0, budget: 100) == 1)
        #expect(abs(schedule.epsilon(step: 25, budget: 100) - 0.55) < 1e-12)
        #expect(schedule.epsilon(step: 80, budget: 100) == 0.1)
        var generator = RandomGenerator(seed: 1)
        var counts = [0, 0]
        for _ in 0..<4000 {
            counts[
                ExplorationStrategy.boltzmann(temperature: 1).action(
                    qValues: [0, Float(Foundation.log(3.0))], step: 0, budget: 1, using: &generator)] += 1
        }
        // p = 1/4, 3/4.
        #expect(abs(Double(counts[1]) / 4000 - 0.75) < 0.03)
    }
}

@Suite struct NormalizedAdvantageTests {
    /// Q is maximal at μ with value V, and equals V − ½(a − μ)ᵀ L Lᵀ (a − μ) computed by hand.
    @Test func quadraticAdvantageIsMaximalAtMu() {
        var generator = RandomGenerator(seed: 6)
        let network = NormalizedAdvantageNetwork(observationSize: 3, high: [2, 1], hidden: [8], using: &generator)
        let observations = Tensor.normal([4, 3], using: &generator)
        let (value, mu, cholesky) = network(observations)
        let atMu = network.qValues(observations, actions: mu)
        for row in 0..<4 { #expect(abs(atMu.scalars[row] - value.scalars[row]) < 1e-5) }
        let actions = Tensor.uniform([4, 2], low: -1, high: 1, using: &generator)
        let q = network.qValues(observations, actions: actions)
        for row in 0..<4 {
            let d0 = actions[row, 0] - mu[row, 0]
            let d1 = actions[row, 1] - mu[row, 1]
            // L = [[l00, 0], [l10, l11]]; P = L Lᵀ.
            let l00 = cholesky[row, 0, 0]
            let l10 = cholesky[row, 1, 0]
            let l11 = cholesky[row, 1, 1]
            #expect(cholesky[row, 0, 1] == 0 && l00 > 0 && l11 > 0)
            let p00 = l00 * l00
            let p01 = l00 * l10
            let p11 = l10 * l10 + l11 * l11
            let quadratic = p00 * d0 * d0 + 2 * p01 * d0 * d1 + p11 * d1 * d1
            #expect(abs(q.scalars[row] - (value.scalars[row] - 0.5 * quadratic)) < 1e-4)
            #expect(q.scalars[row] <= value.scalars[row] + 1e-6)
        }
    }

    @Test func trainerTakesSteps() {
        var configuration = NAFConfiguration()
        configuration.hidden = [16]
        configuration.learningStarts = 20
        configuration.batchSize = 8
        let trainer = NAFTrainer(environment: Pendulum(maxEpisodeSteps: 30), configuration: configuration, seed: 3)
        var losses: [Double] = []
        trainer.train(steps: 60) { losses.append($0.scalars["loss"] ?? .nan) }
        #expect(trainer.episodeReturns.count == 2)
        #expect(losses.allSatisfy { $0.isFinite })
    }
}
