import Autodiff
import Foundation
import MetaLearning
import NeuralNet
import Testing

/// The task-batched MAML meta-gradient (one tape for the meta-batch) against the per-task one.
@Suite("Task-batched MAML")
struct TaskBatchedMAMLTests {
    static func close(_ a: [Tensor], _ b: [Tensor], tolerance: Float = 2e-4) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.shape == y.shape else { return false }
            for (u, v) in zip(x.scalars, y.scalars) where abs(u - v) > tolerance * max(1, abs(v)) { return false }
        }
        return true
    }

    @Test(arguments: [
        (MAMLOrder.second, false, 1), (MAMLOrder.second, false, 2), (MAMLOrder.first, false, 2),
        (MAMLOrder.second, true, 2),
    ])
    func batchedMetaGradientEqualsPerTaskMetaGradient(order: MAMLOrder, learnsRates: Bool, innerSteps: Int) {
        var generator = RandomGenerator(seed: 4)
        let model = FunctionalMLP(sizes: [1, 7, 5, 1], activation: .relu, using: &generator)
        let maml = MAML(
            model: model,
            configuration: MAMLConfiguration(
                innerSteps: innerSteps, innerLearningRate: 0.05, order: order, learnsInnerRates: learnsRates))
        let tasks = SinusoidTasks(shots: 4, queryCount: 3)
        let episodes = (0..<3).map { _ in tasks.sampleEpisode(using: &generator) }
        let batched = maml.taskBatchedMetaGradient(episodes)
        let serial = maml.perTaskMetaGradient(episodes)
        #expect(batched != nil)
        if let batched {
            #expect(abs(batched.loss - serial.loss) < 1e-4 * max(1, serial.loss))
            #expect(Self.close(batched.gradients, serial.gradients))
        }
    }

    @Test func batchedClassificationMetaGradientEqualsPerTask() {
        var generator = RandomGenerator(seed: 9)
        let model = FunctionalMLP(sizes: [32, 6, 2], activation: .tanh, using: &generator)
        let maml = MAML(model: model, configuration: MAMLConfiguration(innerSteps: 1, innerLearningRate: 0.3))
        let classes = TextClasses(
            texts: syntheticTexts(), encoder: HashedBagOfNGrams(dimension: 32), minimumCount: 4, testGroups: [])
        let sampler = TextEpisodes(classes: classes, way: 2, shot: 2, queryPerClass: 2, forTesting: false)
        let episodes = (0..<3).map { _ in sampler.sampleEpisode(using: &generator) }
        let batched = maml.taskBatchedMetaGradient(episodes)
        let serial = maml.perTaskMetaGradient(episodes)
        #expect(batched.map { Self.close($0.gradients, serial.gradients) } == true)
    }

    @Test func episodesOfDifferentShapesFallBackToPerTask() {
        var generator = RandomGenerator(seed: 2)
        let model = FunctionalMLP(sizes: [1, 4, 1], using: &generator)
        let maml = MAML(model: model, configuration: MAMLConfiguration())
        let episodes = [
            SinusoidTasks(shots: 3, queryCount: 2).sampleEpisode(using: &generator),
            SinusoidTasks(shots: 4, queryCount: 2).sampleEpisode(using: &generator),
        ]
        #expect(maml.taskBatchedMetaGradient(episodes) == nil)
        let result = maml.metaGradient(episodes)
        #expect(result.gradients.count == 4 && result.loss.isFinite)
    }
}
