import Foundation

/// Why a session of a ``TrainingLoop`` ended before its step budget, other than early stopping or divergence.
public enum TrainingStopCause: String, Sendable, Equatable {
    /// The session's wall-clock budget ran out.
    case timeLimit = "time limit"
    /// The user asked to stop (e.g. Ctrl-C).
    case interrupted
}

extension TrainingLoop {
    private struct StopRequest: Error { let cause: TrainingStopCause }

    /// Runs as ``run(step:evaluate:)``, but before every step stops the session when `timeLimit` seconds have passed
    /// since this call or `shouldStop` returns true. A stopped session saves a checkpoint of the state after the
    /// last completed step to ``TrainingConfiguration/checkpointURL`` (atomically, then calls
    /// ``didSaveCheckpoint``), so ``resume(from:)`` and another run continue exactly as if the run had not stopped.
    /// Returns the summary (`lastMetrics`: of the session's last completed step) and the cause of an early stop.
    /// In data-parallel training replica 0's clock and `shouldStop` decide for every replica, and only replica 0
    /// saves.
    public func run(
        step: (inout TrainingStep) throws -> [String: Double], evaluate: (() throws -> [String: Double])? = nil,
        timeLimit: Double?, shouldStop: () -> Bool = { false },
        clock: () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) throws -> (summary: TrainingSummary, stop: TrainingStopCause?) {
        let start = clock()
        var lastMetrics: [String: Double] = [:]
        var lastEvaluation: [String: Double]?
        var recordingEvaluate: (() throws -> [String: Double])?
        if let evaluate {
            recordingEvaluate = {
                let metrics = try evaluate()
                lastEvaluation = metrics
                return metrics
            }
        }
        do {
            let summary = try run(
                step: { context in
                    var cause: TrainingStopCause?
                    if let timeLimit, clock() - start >= timeLimit { cause = .timeLimit }
                    if cause == nil, shouldStop() { cause = .interrupted }
                    // Data-parallel: replica 0's clock and signals decide for every replica.
                    if let synchronizer, synchronizer.shard.count > 1 {
                        let code =
                            try synchronizer.broadcastFromFirstReplica(
                                [cause == nil ? 0 : cause == .timeLimit ? 1 : 2]).first ?? 0
                        cause = code == 0 ? nil : code == 1 ? .timeLimit : .interrupted
                    }
                    if let cause { throw StopRequest(cause: cause) }
                    let metrics = try step(&context)
                    lastMetrics = metrics
                    return metrics
                },
                evaluate: recordingEvaluate)
            return (summary, nil)
        } catch let request as StopRequest {
            if isWritingReplica, let url = configuration.checkpointURL {
                try saveCheckpoint(to: url)
                try didSaveCheckpoint?()
            }
            let summary = TrainingSummary(
                stopReason: .completed, steps: state.step, lastMetrics: lastMetrics, lastEvaluation: lastEvaluation,
                earlyStopping: state.earlyStopping)
            return (summary, request.cause)
        }
    }
}
