import Foundation
import NeuralNet

/// The training metrics of a style-transfer loop averaged over windows of ten steps: each window's averages go to the
/// JSON Lines log when it closes (after every tenth step and after the last one), and a progress line goes to the log
/// every hundred steps. One implementation for the cross-aligned, back-translation, adversarial and DualRL loops.
struct StyleTrainingMetricsWindow {
    private var sums: [String: Double] = [:]
    private var counted = 0
    /// The averages of the last closed window (empty before the first one closes).
    private(set) var lastMetrics: [String: Double] = [:]

    /// Adds one finished step's metrics, closing the window after steps that are multiples of ten or `totalSteps`.
    ///
    /// - Parameters:
    ///   - line: the progress line written every hundred steps (default: every metric, sorted by name).
    mutating func record(
        _ metrics: [String: Double], step: Int, totalSteps: Int, epoch: Int, wallTime: @autoclosure () -> Double,
        logger: MetricsLogger?, log: ((String) -> Void)?, line: (([String: Double]) -> String)? = nil
    ) throws {
        for (key, value) in metrics { sums[key, default: 0] += value }
        counted += 1
        guard step % 10 == 0 || step == totalSteps else { return }
        lastMetrics = sums.mapValues { $0 / Double(counted) }
        try logger?.log(
            MetricsRecord(phase: "train", step: step, epoch: epoch, wallTime: wallTime(), metrics: lastMetrics))
        if step % 100 == 0, let log {
            let averages = lastMetrics
            log(
                line?(averages)
                    ?? "step \(step): "
                    + averages.keys.sorted().map { String(format: "%@ %.3f", $0, averages[$0] ?? .nan) }
                    .joined(separator: ", "))
        }
        sums = [:]
        counted = 0
    }
}
