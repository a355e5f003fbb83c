import Foundation

extension TrainingLoop {
    /// Metadata key of the number of steps done.
    public static let stepKey = "training.step"
    /// Metadata key of the epoch the next step belongs to (informational: resuming derives it from the step).
    public static let epochKey = "training.epoch"
    /// Metadata key of the run's seed.
    public static let seedKey = "training.seed"
    /// Metadata key of the generator's four state words (decimal, comma-separated).
    public static let generatorKey = "training.generator"
    /// Metadata key of the wall-clock seconds spent so far.
    public static let elapsedKey = "training.elapsed_seconds"
    /// Metadata key of the early-stopping state (JSON), absent when the run has none.
    public static let earlyStoppingKey = "training.early_stopping"

    /// Saves the model, the optimizer's state and the ``TrainingState`` to `url` atomically (a safetensors
    /// ``Checkpoint`` with the training state in `training.*` metadata keys).
    public func saveCheckpoint(to url: URL) throws {
        var metadata = [
            Self.stepKey: String(state.step),
            Self.epochKey: String(epoch(ofStep: state.step)),
            Self.seedKey: String(state.seed),
            Self.generatorKey: state.generator.stateWords.map { String($0) }.joined(separator: ","),
            Self.elapsedKey: "\(state.elapsedSeconds)",
        ]
        if let earlyStopping = state.earlyStopping {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            metadata[Self.earlyStoppingKey] = String(decoding: try encoder.encode(earlyStopping), as: UTF8.self)
        }
        try Checkpoint.save(model: model, optimizer: optimizer, metadata: metadata, to: url)
    }

    /// Loads a checkpoint written by ``saveCheckpoint(to:)``: parameters, optimizer state and training state.
    ///
    /// The training state is read and checked first, then ``Checkpoint/load(into:optimizer:from:)`` checks every
    /// tensor; on any error nothing is changed. When the loop was created with early stopping, the saved
    /// early-stopping state replaces it (a checkpoint without one leaves it as configured).
    /// Then ``run(step:evaluate:)`` continues from the saved step. Open the metrics log with
    /// `MetricsLogger(url:keepingRecordsThrough: loop.state.step)` after resuming.
    public func resume(from url: URL) throws {
        let metadata = try SafetensorsFile(contentsOf: url).metadata
        func value(_ key: String) throws(TrainingError) -> String {
            guard let text = metadata[key] else {
                throw .invalidTrainingState(path: url.path, key: key, value: nil)
            }
            return text
        }
        func invalid(_ key: String) -> TrainingError {
            .invalidTrainingState(path: url.path, key: key, value: metadata[key])
        }
        guard let step = Int(try value(Self.stepKey)), step >= 0 else { throw invalid(Self.stepKey) }
        guard let seed = UInt64(try value(Self.seedKey)) else { throw invalid(Self.seedKey) }
        let words = try value(Self.generatorKey).split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4 else { throw invalid(Self.generatorKey) }
        guard let elapsed = Double(try value(Self.elapsedKey)), elapsed.isFinite, elapsed >= 0 else {
            throw invalid(Self.elapsedKey)
        }
        var earlyStopping = state.earlyStopping
        if earlyStopping != nil, let text = metadata[Self.earlyStoppingKey] {
            guard let decoded = try? JSONDecoder().decode(EarlyStopping.self, from: Data(text.utf8)) else {
                throw invalid(Self.earlyStoppingKey)
            }
            earlyStopping = decoded
        }
        try Checkpoint.load(into: model, optimizer: optimizer, from: url)
        var restored = TrainingState(seed: seed, earlyStopping: earlyStopping)
        restored.step = step
        restored.generator.stateWords = words
        restored.elapsedSeconds = elapsed
        state = restored
    }
}
