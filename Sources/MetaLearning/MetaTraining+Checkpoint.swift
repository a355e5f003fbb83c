import Autodiff
import NeuralNet

/// A list of named parameters as a ``ParameterContainer`` (for archiving a run's trained tensors under one name).
struct NamedParameters: ParameterContainer {
    var namedParameters: [(name: String, parameter: Parameter)]
}

extension MetaTraining {
    /// The archive name of the trained tensors in ``trainingState()``.
    static let parametersArchiveName = "meta"

    /// Everything needed to continue this run bit for bit, in one archive (so one atomic file write): every trained
    /// tensor, the meta-optimizer's moments and step count, the task generator's state and the meta-step counter.
    ///
    /// A run of N meta-steps and a run of k steps saved, restored with ``restore(from:)`` into a fresh
    /// ``MetaTraining`` of the same configuration and continued for N − k steps end with identical parameters.
    public func trainingState() -> TrainingStateArchive {
        var state = TrainingStateArchive()
        state.store(model: NamedParameters(namedParameters: namedParameters), as: Self.parametersArchiveName)
        for (name, optimizer) in optimizers { state.store(optimizer: optimizer, as: name) }
        state.store(generator: generator, as: "tasks")
        state["step"] = String(stepCount)
        state["skipped_steps"] = String(skippedMetaSteps)
        return state
    }

    /// Whether `state` holds the trained tensors (archives written before they were included hold only the
    /// optimizer and generator; their weights come from the model directory's weights file).
    public static func archiveHoldsParameters(_ state: TrainingStateArchive) -> Bool {
        state.tensors.keys.contains { $0.hasPrefix("model.\(parametersArchiveName).") }
    }

    /// Restores a state saved by ``trainingState()``: the trained tensors (when the archive holds them), the
    /// optimizers, the generator and the step counter. The counter, the generator and every parameter name and
    /// shape are checked before any tensor changes.
    ///
    /// - Throws: `ModelDirectoryError` or `CheckpointError` when a name, shape, optimizer kind or counter does not
    ///   match this run (after an optimizer mismatch the run is partly restored and should be discarded).
    public func restore(from state: TrainingStateArchive) throws {
        let step = try state.integer("step")
        let tasks = try state.generator("tasks")
        guard step >= 0 else { throw ModelDirectoryError(path: state.path, "training state: negative step \(step)") }
        if Self.archiveHoldsParameters(state) {
            try state.restore(
                model: NamedParameters(namedParameters: namedParameters), from: Self.parametersArchiveName)
        }
        for (name, optimizer) in optimizers { try state.restore(optimizer: optimizer, from: name) }
        resume(stepCount: step, generator: tasks)
        skippedMetaSteps = state["skipped_steps"].flatMap { Int($0) } ?? 0
    }
}
