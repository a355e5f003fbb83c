import Foundation

/// Saving and restoring a model's parameters, and optionally an optimizer's state, as one safetensors file.
///
/// Parameters are stored under their ``ParameterContainer/namedParameters`` names (`encoder.lstm.weightIH`), so
/// `safetensors.numpy.load_file` in Python shows exactly the model's names. Optimizer state tensors are stored as
/// `__optimizer__.<index>.<slot>` (see ``Optimizer``), and the optimizer's kind, step count and learning rate in the
/// metadata under `montague.*` keys. Loading resumes training exactly: the same parameters, moments and step count
/// give bit-identical further steps.
///
/// ```swift
/// try Checkpoint.save(model: model, optimizer: adam, metadata: ["epoch": "3"], to: url)
/// let metadata = try Checkpoint.load(into: model, optimizer: adam, from: url)
/// ```
public enum Checkpoint {
    /// Prefix of optimizer state tensor names in the file.
    public static let optimizerPrefix = "__optimizer__."
    /// Metadata key of the checkpoint format version.
    public static let formatKey = "montague.format"
    /// Metadata key of the optimizer's kind (its type name, e.g. `Adam`).
    public static let optimizerKindKey = "montague.optimizer"
    /// Metadata key of the optimizer's step count.
    public static let optimizerStepKey = "montague.optimizer.step"
    /// Metadata key of the optimizer's learning rate (shortest round-trip decimal of the Float).
    public static let learningRateKey = "montague.optimizer.learning_rate"
    /// The value of ``formatKey`` this version writes.
    public static let formatVersion = "montague-checkpoint-1"

    /// Writes the model's parameters, the optimizer's state if given, and `metadata` to `url` atomically.
    ///
    /// Preconditions: parameter names are unique and do not start with ``optimizerPrefix``; metadata keys do not
    /// start with `montague.` (reserved).
    public static func save(
        model: some ParameterContainer, optimizer: (any Optimizer)? = nil, metadata: [String: String] = [:],
        to url: URL
    ) throws {
        var tensors: [String: Tensor] = [:]
        for (name, parameter) in model.namedParameters {
            precondition(!name.hasPrefix(optimizerPrefix), "Checkpoint.save: parameter name '\(name)' is reserved")
            precondition(tensors[name] == nil, "Checkpoint.save: two parameters are named '\(name)'")
            tensors[name] = parameter.value.detached()
        }
        var allMetadata = metadata
        for key in metadata.keys {
            precondition(!key.hasPrefix("montague."), "Checkpoint.save: metadata key '\(key)' is reserved")
        }
        allMetadata[formatKey] = formatVersion
        if let optimizer {
            for (name, tensor) in optimizer.stateTensors { tensors[optimizerPrefix + name] = tensor }
            allMetadata[optimizerKindKey] = optimizer.kindName
            allMetadata[optimizerStepKey] = String(optimizer.stepCount)
            allMetadata[learningRateKey] = "\(optimizer.learningRate)"
        }
        try SafetensorsFile.write(tensors: tensors, metadata: allMetadata, to: url)
    }

    /// Loads the parameters (and the optimizer's state, if given) saved by ``save(model:optimizer:metadata:to:)``.
    ///
    /// Every tensor is checked before anything changes: names (missing and unexpected), shapes and dtypes of the
    /// model's parameters, and the optimizer's kind, state tensors and metadata. All problems are reported together
    /// in one ``CheckpointError``, and then neither the model nor the optimizer is touched. A malformed file throws a
    /// ``SafetensorsError``. Optimizer state in the file is ignored when no optimizer is given.
    ///
    /// - Returns: the file's metadata (including the `montague.*` keys).
    @discardableResult
    public static func load(
        into model: some ParameterContainer, optimizer: (any Optimizer)? = nil, from url: URL
    ) throws -> [String: String] {
        let file = try SafetensorsFile(contentsOf: url)
        var problems: [CheckpointError.Problem] = []

        var expectedModel: [String: [Int]] = [:]
        for (name, parameter) in model.namedParameters { expectedModel[name] = parameter.shape }
        var foundModel: [String: [Int]] = [:]
        var foundOptimizer: [String: [Int]] = [:]
        for (name, entry) in file.entries {
            if name.hasPrefix(optimizerPrefix) {
                foundOptimizer[String(name.dropFirst(optimizerPrefix.count))] = entry.shape
            } else {
                foundModel[name] = entry.shape
            }
        }
        problems += CheckpointError.layoutProblems(expected: expectedModel, found: foundModel)
        for name in file.entries.keys.sorted() {
            if let entry = file.entries[name], entry.dtype != "F32" {
                if optimizer == nil && name.hasPrefix(optimizerPrefix) { continue }
                problems.append(.unsupportedDType(name: name, dtype: entry.dtype))
            }
        }

        var restoredStep = 0
        var restoredLearningRate: Float = 0
        if let optimizer {
            let kind = file.metadata[optimizerKindKey]
            if kind == nil {
                problems.append(.missingOptimizerState(expected: optimizer.kindName))
            } else if kind != optimizer.kindName {
                problems.append(.optimizerKindMismatch(expected: optimizer.kindName, found: kind ?? ""))
            } else {
                let stepText = file.metadata[optimizerStepKey]
                if let step = stepText.flatMap({ Int($0) }), step >= 0 {
                    restoredStep = step
                } else {
                    problems.append(.invalidMetadata(key: optimizerStepKey, value: stepText))
                }
                let rateText = file.metadata[learningRateKey]
                if let rate = rateText.flatMap({ Float($0) }), rate.isFinite, rate >= 0 {
                    restoredLearningRate = rate
                } else {
                    problems.append(.invalidMetadata(key: learningRateKey, value: rateText))
                }
                let expectedState = optimizer.stateTensors.mapValues(\.shape)
                let stateProblems = CheckpointError.layoutProblems(expected: expectedState, found: foundOptimizer)
                problems += stateProblems.map { Self.prefixed($0) }
            }
        }
        if !problems.isEmpty { throw CheckpointError(problems: problems) }

        // Everything fits: decode what is needed, then change the optimizer (which validates again) and finally
        // the model, which cannot fail any more.
        var values: [(Parameter, Tensor)] = []
        for (name, parameter) in model.namedParameters {
            if let value = try file.tensor(named: name) { values.append((parameter, value)) }
        }
        if let optimizer {
            var state: [String: Tensor] = [:]
            for name in foundOptimizer.keys {
                state[name] = try file.tensor(named: optimizerPrefix + name)
            }
            try optimizer.loadState(state, stepCount: restoredStep)
            optimizer.learningRate = restoredLearningRate
        }
        for (parameter, value) in values { parameter.update(value) }
        return file.metadata
    }

    /// A problem about an optimizer state tensor, renamed to the tensor's name in the file.
    private static func prefixed(_ problem: CheckpointError.Problem) -> CheckpointError.Problem {
        switch problem {
        case .missing(let name, let shape): .missing(name: optimizerPrefix + name, expectedShape: shape)
        case .unexpected(let name, let shape): .unexpected(name: optimizerPrefix + name, shape: shape)
        case .shapeMismatch(let name, let expected, let found):
            .shapeMismatch(name: optimizerPrefix + name, expected: expected, found: found)
        default: problem
        }
    }
}
