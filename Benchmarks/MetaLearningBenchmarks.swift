import Autodiff
import MetaLearning

/// Meta-learning benchmarks against PyTorch and JAX on CPU (bench/maml_reference.py implements the same workload).
enum MetaLearningBenchmarks {
    /// Case name shared with bench/maml_reference.py. Unit: meta-steps/s.
    static let mamlCaseName = "maml2 sinusoid mlp 1-40-40-1 relu tasks25 k10 q10 inner1 adam"

    static var entries: [BenchmarkEntry] {
        [BenchmarkEntry(name: mamlCaseName, make: secondOrderMAMLStep)]
    }

    /// One exact second-order MAML meta-step (Finn et al. 2017's sinusoid setting): 25 tasks of K = 10 support and
    /// 10 query points, MLP 1-40-40-1 with ReLU, one inner SGD step α = 0.01 differentiated through, Adam 1e-3.
    /// The tasks are drawn once, outside the timed body, as in the reference script.
    static func secondOrderMAMLStep() -> BenchmarkCase? {
        var generator = RandomGenerator(seed: 0)
        let model = FunctionalMLP(sizes: [1, 40, 40, 1], activation: .relu, using: &generator)
        let maml = MAML(
            model: model,
            configuration: MAMLConfiguration(
                innerSteps: 1, innerLearningRate: 0.01, order: .second, metaLearningRate: 1e-3))
        let tasks = SinusoidTasks(shots: 10, queryCount: 10)
        let episodes = (0..<25).map { _ in tasks.sampleEpisode(using: &generator) }
        // `metaStep` runs the meta-batch task-batched (one tape, T-batched GEMMs, as jax.vmap does); the per-task
        // variant keeps one tape per task, the form this benchmark measured first.
        let perTask = BenchmarkVariant(implementation: "montague-per-task", unitsPerIteration: 1) {
            let (loss, grads) = maml.perTaskMetaGradient(episodes)
            maml.metaOptimizer.step(grads)
            blackHole(loss)
        }
        return .trainingStep(mamlCaseName, metric: .stepsPerSecond, unitsPerIteration: 1, otherVariants: [perTask]) {
            blackHole(maml.metaStep(episodes))
        }
    }
}
