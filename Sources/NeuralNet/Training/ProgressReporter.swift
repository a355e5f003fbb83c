import Foundation

/// A one-line progress display for a terminal: step, rate, ETA and the latest metrics, redrawn in place.
///
/// Shown only when enabled, by default when standard error is a terminal (`isatty(2)`), so logs and pipes stay
/// clean (ARCHITECTURE.md, "Conventions users expect"). Redraws at most every `minimumInterval` seconds;
/// the line looks like
///
/// ```
/// step 120/1000  epoch 2  31.4 steps/s  ETA 28s  loss 0.4213
/// ```
///
/// The rate is the number of steps since the reporter was created over the time since then, and the ETA the
/// remaining steps at that rate.
public final class ProgressReporter {
    /// Whether standard error is a terminal.
    public static var standardErrorIsTerminal: Bool { isatty(2) != 0 }

    /// Total steps of the run, `nil` when unknown (no ETA then).
    public let totalSteps: Int?
    /// Whether anything is written.
    public let isEnabled: Bool
    private let write: (String) -> Void
    private let clock: () -> Double
    private let minimumInterval: Double
    private var start: (time: Double, step: Int)?
    private var lastDraw = -Double.infinity
    private var drewSomething = false

    /// A reporter writing to standard error when it is a terminal. `write` and `clock` (seconds, monotonic) can
    /// be replaced, e.g. in tests.
    public init(
        totalSteps: Int?, isEnabled: Bool = ProgressReporter.standardErrorIsTerminal, minimumInterval: Double = 0.1,
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
        clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.totalSteps = totalSteps
        self.isEnabled = isEnabled
        self.minimumInterval = minimumInterval
        self.write = write
        self.clock = clock
    }

    /// Reports that `step` steps are done; redraws the line unless it was drawn less than `minimumInterval` ago
    /// (the last step of the run is always drawn).
    public func update(step: Int, epoch: Int, metrics: [String: Double]) {
        guard isEnabled else { return }
        let now = clock()
        guard let start else {
            self.start = (now, step)
            return draw(step: step, epoch: epoch, rate: nil, metrics: metrics, at: now)
        }
        guard now - lastDraw >= minimumInterval || step == totalSteps else { return }
        let elapsed = now - start.time
        let rate = elapsed > 0 ? Double(step - start.step) / elapsed : nil
        draw(step: step, epoch: epoch, rate: rate, metrics: metrics, at: now)
    }

    /// Erases the live line so that a message printed next (an epoch summary, a notice) gets a line of its own;
    /// the next ``update(step:epoch:metrics:)`` draws the progress line again below it.
    public func clearLine() {
        guard isEnabled, drewSomething else { return }
        write("\r\u{1B}[K")
        drewSomething = false
        lastDraw = -Double.infinity
    }

    /// Ends the line (a newline after the last redraw), so later output starts on a fresh line.
    public func finish() {
        guard isEnabled, drewSomething else { return }
        write("\n")
        drewSomething = false
    }

    private func draw(step: Int, epoch: Int, rate: Double?, metrics: [String: Double], at now: Double) {
        lastDraw = now
        drewSomething = true
        let line = Self.line(step: step, totalSteps: totalSteps, epoch: epoch, rate: rate, metrics: metrics)
        write("\r\u{1B}[K" + line)
    }

    /// The progress line for the given state (no control characters): step (of total), epoch, rate, ETA when
    /// the total and the rate are known, then the metrics sorted by name with 4 significant digits.
    public static func line(
        step: Int, totalSteps: Int?, epoch: Int, rate: Double?, metrics: [String: Double]
    ) -> String {
        var parts = ["step \(step)" + (totalSteps.map { "/\($0)" } ?? ""), "epoch \(epoch)"]
        if let rate, rate > 0, rate.isFinite {
            parts.append(String(format: "%.3g steps/s", rate))
            if let totalSteps, totalSteps >= step {
                parts.append("ETA " + duration(Double(totalSteps - step) / rate))
            }
        }
        for name in metrics.keys.sorted() { parts.append(name + " " + String(format: "%.4g", metrics[name] ?? .nan)) }
        return parts.joined(separator: "  ")
    }

    /// `42s`, `3m07s`, `2h05m` for a duration in seconds.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }
}
