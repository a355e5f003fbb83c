/// Problems a training run reports about files it reads or writes (metrics logs, training checkpoints).
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A file could not be created or written.
    case cannotWrite(path: String, reason: String)
    /// A checkpoint lacks the training state or holds an unreadable value for `key`.
    case invalidTrainingState(path: String, key: String, value: String?)
    /// Data-parallel training over `replicas` replicas got fewer examples than replicas.
    case tooFewExamples(examples: Int, replicas: Int)

    /// A one-line message naming the file.
    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "\(path): error: cannot write: \(reason)"
        case .invalidTrainingState(let path, let key, let value):
            "\(path): error: training state '\(key)' is "
                + (value.map { "invalid: '\($0)'" } ?? "missing (not a checkpoint written by TrainingLoop?)")
        case .tooFewExamples(let examples, let replicas):
            "error: \(examples) training examples cannot be shared among \(replicas) replicas (each needs one)"
        }
    }
}
