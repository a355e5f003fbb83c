import Autodiff
import Foundation
import NeuralNet

/// The settings of a continual-learning run over a sequence of classification tasks.
public struct ContinualLearningConfiguration: Codable, Sendable, Equatable {
    /// How earlier tasks are protected.
    public var method: ContinualMethod
    /// λ, the penalty's strength (EWC, online EWC, L2).
    public var strength: Float
    /// γ, online EWC's decay of the running Fisher.
    public var decay: Float
    /// Empirical or expected Fisher.
    public var fisherEstimate: FisherEstimate
    /// Examples of each task used to estimate its Fisher.
    public var fisherSamples: Int
    /// Hidden layer widths of the shared network.
    public var hiddenSizes: [Int]
    /// Passes over each task's training data.
    public var epochsPerTask: Int
    /// Examples per SGD step.
    public var batchSize: Int
    /// The SGD learning rate.
    public var learningRate: Float
    /// The seed of the initialization and the batch order.
    public var seed: UInt64

    /// Defaults for the permuted-digit tasks.
    public init(
        method: ContinualMethod = .ewc, strength: Float = 100, decay: Float = 1,
        fisherEstimate: FisherEstimate = .expected,
        fisherSamples: Int = 200, hiddenSizes: [Int] = [100, 100], epochsPerTask: Int = 5, batchSize: Int = 32,
        learningRate: Float = 0.05, seed: UInt64 = 0
    ) {
        self.method = method
        self.strength = strength
        self.decay = decay
        self.fisherEstimate = fisherEstimate
        self.fisherSamples = fisherSamples
        self.hiddenSizes = hiddenSizes
        self.epochsPerTask = epochsPerTask
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.seed = seed
    }

    /// Problems with the settings, as messages (empty when valid).
    public var problems: [String] {
        var result: [String] = []
        if !(strength >= 0) { result.append("lambda must be non-negative") }
        if !(decay >= 0 && decay <= 1) { result.append("decay must be in [0, 1]") }
        if fisherSamples < 1 { result.append("Fisher samples must be at least 1") }
        if epochsPerTask < 1 { result.append("epochs must be at least 1") }
        if batchSize < 1 { result.append("batch size must be at least 1") }
        if !(learningRate > 0) { result.append("learning rate must be positive") }
        if hiddenSizes.contains(where: { $0 < 1 }) { result.append("layer widths must be positive") }
        return result
    }
}

/// Sequential training of one network on classification tasks, protected by EWC, online EWC, L2, or not at all,
/// or trained on the union of the tasks so far (multitask). After each task the test accuracy on every task is
/// recorded. The library entry point behind `montague train ewc`.
public final class ContinualLearning {
    /// The settings.
    public let configuration: ContinualLearningConfiguration
    /// The shared network (inputs → 10 classes).
    public let network: FunctionalMLP
    /// The penalties in force.
    public private(set) var regularizer: ContinualRegularizer
    /// `accuracies[t][j]`: test accuracy on task j after training on tasks 0…t.
    public private(set) var accuracies: [[Double]] = []
    /// The SGD optimizer shared by all tasks.
    public let optimizer: SGD
    /// Tasks trained so far (``run(tasks:progress:afterTask:)`` continues with the next one).
    public var completedTasks: Int { accuracies.count }
    private var generator: RandomGenerator

    /// A fresh run for inputs of `inputSize` values and `classCount` classes.
    public init(configuration: ContinualLearningConfiguration, inputSize: Int, classCount: Int) {
        precondition(configuration.problems.isEmpty, "ContinualLearning: \(configuration.problems)")
        self.configuration = configuration
        var initialization = RandomGenerator(seed: configuration.seed)
        network = FunctionalMLP(
            sizes: [inputSize] + configuration.hiddenSizes + [classCount], activation: .relu, using: &initialization)
        regularizer = ContinualRegularizer(
            method: configuration.method, strength: configuration.strength, decay: configuration.decay)
        generator = RandomGenerator(seed: configuration.seed &+ 1)
        optimizer = SGD(network.parameters, learningRate: configuration.learningRate)
    }

    /// The anchors (θ*, F) of the penalty as named tensors, for the model directory.
    public var namedParameters: [(name: String, parameter: Parameter)] { network.namedParameters }

    /// Trains on `tasks` in order, starting after the ``completedTasks`` already trained (a restored run); after
    /// each, evaluates on all `tasks` (accuracy is recorded for every task, seen or not) and calls `afterTask` with
    /// the task's index (e.g. to save a checkpoint). `progress` receives (task index, epoch, mean training loss).
    public func run(
        tasks: [PermutedDigits.Task], progress: (Int, Int, Double) -> Void = { _, _, _ in },
        afterTask: (Int) throws -> Void
    ) rethrows {
        for (index, task) in tasks.enumerated() where index >= completedTasks {
            var inputs = task.trainInputs
            var labels = task.trainLabels
            if configuration.method == .multitask {
                inputs = Tensor.concatenate(tasks[0...index].map(\.trainInputs), axis: 0)
                labels = tasks[0...index].flatMap(\.trainLabels)
            }
            for epoch in 0..<configuration.epochsPerTask {
                let loss = trainEpoch(inputs: inputs, labels: labels, optimizer: optimizer)
                progress(index, epoch, loss)
            }
            var fisher: [Tensor]? = nil
            if regularizer.needsFisher {
                let count = min(configuration.fisherSamples, task.trainLabels.count)
                fisher = diagonalFisher(
                    of: network, inputs: task.trainInputs.slice(axis: 0, range: 0..<count),
                    targets: .classes(Array(task.trainLabels.prefix(count)), classCount: network.sizes.last ?? 10),
                    distribution: .categorical, estimate: configuration.fisherEstimate)
            }
            regularizer.consolidate(parameters: network.parameterValues, fisher: fisher)
            accuracies.append(tasks.map { accuracy(inputs: $0.testInputs, labels: $0.testLabels) })
            try afterTask(index)
        }
    }

    /// Trains on the remaining `tasks` in order (see ``run(tasks:progress:afterTask:)``).
    public func run(tasks: [PermutedDigits.Task], progress: (Int, Int, Double) -> Void = { _, _, _ in }) {
        run(tasks: tasks, progress: progress, afterTask: { _ in })
    }

    /// Everything needed to continue after the last completed task bit for bit, in one archive: the network, the
    /// optimizer, the penalty's anchors, the batch-order generator and the accuracy rows so far.
    public func trainingState() -> TrainingStateArchive {
        var state = TrainingStateArchive()
        state.store(model: network, as: "network")
        state.store(optimizer: optimizer, as: "sgd")
        state.store(generator: generator, as: "batches")
        state["completed_tasks"] = String(completedTasks)
        state["anchors"] = String(regularizer.anchors.count)
        state["accuracies"] = accuracies.map { row in row.map { "\($0)" }.joined(separator: ",") }.joined(
            separator: ";")
        for (index, anchor) in regularizer.anchors.enumerated() {
            for (p, tensor) in anchor.anchor.enumerated() { state.tensors["anchor.\(index).theta.\(p)"] = tensor }
            for (p, tensor) in anchor.importance.enumerated() {
                state.tensors["anchor.\(index).importance.\(p)"] = tensor
            }
        }
        return state
    }

    /// Restores a state saved by ``trainingState()`` into this fresh run of the same configuration.
    ///
    /// - Throws: `ModelDirectoryError` or `CheckpointError` when the archive does not match the run.
    public func restore(from state: TrainingStateArchive) throws {
        let completed = try state.integer("completed_tasks")
        let anchorCount = try state.integer("anchors")
        let rows = (state["accuracies"] ?? "").split(separator: ";").map { row in
            row.split(separator: ",").map { Double($0) }
        }
        guard completed >= 0, anchorCount >= 0, anchorCount <= completed, rows.count == completed,
            rows.allSatisfy({ $0.allSatisfy { $0 != nil } })
        else { throw ModelDirectoryError(path: state.path, "training state: malformed task counters or accuracies") }
        let shapes = network.parameters.map(\.shape)
        var anchors: [QuadraticAnchor] = []
        for index in 0..<anchorCount {
            var theta: [Tensor] = []
            var importance: [Tensor] = []
            for (p, shape) in shapes.enumerated() {
                guard let a = state.tensors["anchor.\(index).theta.\(p)"],
                    let f = state.tensors["anchor.\(index).importance.\(p)"], a.shape == shape, f.shape == shape
                else {
                    throw ModelDirectoryError(
                        path: state.path, "training state: anchor \(index) does not fit the network")
                }
                theta.append(a)
                importance.append(f)
            }
            anchors.append(QuadraticAnchor(anchor: theta, importance: importance))
        }
        let batches = try state.generator("batches")
        try state.restore(model: network, from: "network")
        try state.restore(optimizer: optimizer, from: "sgd")
        regularizer.restore(anchors: anchors)
        accuracies = rows.map { $0.compactMap { $0 } }
        generator = batches
    }

    /// Test accuracy of the network on the given examples.
    public func accuracy(inputs: Tensor, labels: [Int]) -> Double {
        let logits = withoutGradients { network(inputs) }
        return EpisodeTargets.classes(labels, classCount: network.sizes.last ?? 10).accuracy(of: logits) ?? 0
    }

    private func trainEpoch(inputs: Tensor, labels: [Int], optimizer: SGD) -> Double {
        let count = labels.count
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let width = inputs.shape[1]
        var total = 0.0
        var batches = 0
        inputs.scalars.withUnsafeBufferPointer { pixels in
            var start = 0
            while start < count {
                let rows = order[start..<min(start + configuration.batchSize, count)]
                var scalars: [Float] = []
                scalars.reserveCapacity(rows.count * width)
                for row in rows { scalars.append(contentsOf: pixels[(row * width)..<((row + 1) * width)]) }
                let batch = Tensor(shape: [rows.count, width], scalars: scalars)
                var loss = crossEntropy(logits: network(batch), targets: rows.map { labels[$0] })
                if let penalty = regularizer.penalty(network.parameterValues) { loss = loss + penalty }
                optimizer.step(gradients(of: loss, wrt: network.parameterValues))
                total += Double(loss.item)
                batches += 1
                start += configuration.batchSize
            }
        }
        return total / Double(max(batches, 1))
    }
}
