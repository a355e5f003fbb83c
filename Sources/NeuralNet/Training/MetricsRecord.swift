import MontagueSupport

/// One line of a run's metrics log: what was measured at which step, in which phase, when.
///
/// Serialized by ``MetricsLogger`` as one JSON object per line (JSON Lines, https://jsonlines.org):
///
/// ```
/// {"phase":"train","step":10,"epoch":0,"wall_time":1.25,"metrics":{"loss":0.6931}}
/// ```
///
/// `step` counts the optimizer steps done (1-based: the record after the first step has `step` 1), `epoch` the
/// 0-based epoch that step belongs to, `wall_time` the seconds since the run started (accumulated over resumes).
/// Non-finite metric values are written as `null` (JSON has no NaN). `montague plot run.jsonl` draws these files.
public struct MetricsRecord: Sendable, Equatable {
    /// `"train"` for a training step, `"eval"` for a periodic evaluation.
    public var phase: String
    /// Optimizer steps done when the metrics were taken.
    public var step: Int
    /// The 0-based epoch of that step.
    public var epoch: Int
    /// Seconds since the run started, accumulated over resumes.
    public var wallTime: Double
    /// The measured values by name.
    public var metrics: [String: Double]

    /// A record.
    public init(phase: String, step: Int, epoch: Int, wallTime: Double, metrics: [String: Double]) {
        self.phase = phase
        self.step = step
        self.epoch = epoch
        self.wallTime = wallTime
        self.metrics = metrics
    }

    /// The record as one line of JSON (no trailing newline), keys of `metrics` sorted, numbers in Swift's
    /// shortest round-trip form.
    public var jsonLine: String {
        let metricsText = metrics.keys.sorted().map { "\(Self.quoted($0)):\(Self.number(metrics[$0] ?? .nan))" }
        return "{\"phase\":\(Self.quoted(phase)),\"step\":\(step),\"epoch\":\(epoch),"
            + "\"wall_time\":\(Self.number(wallTime)),\"metrics\":{\(metricsText.joined(separator: ","))}}"
    }

    /// A JSON number, or `null` for NaN and infinities.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A JSON string literal (RFC 8259 §7 escapes, `Escaping.jsonString`).
    static func quoted(_ text: String) -> String { Escaping.jsonString(text) }
}
