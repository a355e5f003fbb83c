import Foundation

/// A metrics log read from JSON Lines, as written by NeuralNet's `MetricsLogger`, turned into chart series.
///
/// Each non-empty line is a JSON object. Its metrics are the numbers in its `"metrics"` object, or, when it has
/// none, its top-level numbers other than `step`, `epoch` and `wall_time` (so logs of other tools work too); `null`
/// values (non-finite metrics) are skipped. The optional `"phase"` string (`"train"`, `"eval"`) splits a metric
/// into one series per phase, named `loss (eval)` when the metric occurs in more than one phase. Records of the
/// phases in ``metadataPhases`` (a run's `"config"` record: seed, sizes, learning rate) describe the run rather
/// than measure it and are not plotted.
///
/// ```swift
/// let log = try MetricsLog(jsonl: Data(#"{"step":1,"metrics":{"loss":0.7}}"#.utf8))
/// let chart = try log.chart(metrics: ["loss"], x: .step, logScaleY: false)
/// ```
public struct MetricsLog: Sendable {
    /// The horizontal coordinate of a chart.
    public enum XAxis: String, Sendable, CaseIterable {
        /// The optimizer step.
        case step
        /// The epoch.
        case epoch
        /// Seconds since the run started.
        case wallTime = "wall_time"
    }

    /// One line of the log.
    public struct Record: Sendable, Equatable {
        /// `"train"`, `"eval"`, … (`""` when the line has none).
        public var phase: String
        /// The coordinates found on the line (`step`, `epoch`, `wall_time`).
        public var coordinates: [String: Double]
        /// The finite metric values by name.
        public var metrics: [String: Double]
    }

    /// Phases whose records hold a run's settings, not measurements; they are read but never plotted.
    public static let metadataPhases: Set<String> = ["config"]

    /// The file the log came from, for messages.
    public let path: String
    /// The measurement records, in file order (without the ``metadataPhases`` records).
    public let records: [Record]

    /// Parses JSON Lines; `path` names the source in errors.
    public init(jsonl data: Data, path: String = "<input>") throws(MetricsLogError) {
        self.path = path
        var records: [Record] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            } catch {
                throw .invalidLine(path: path, line: index + 1, reason: "not valid JSON")
            }
            guard let dictionary = object as? [String: Any] else {
                throw .invalidLine(path: path, line: index + 1, reason: "not a JSON object")
            }
            let record = Self.record(from: dictionary)
            if !Self.metadataPhases.contains(record.phase) { records.append(record) }
        }
        self.records = records
    }

    /// Reads and parses the file at `url`.
    public init(contentsOf url: URL) throws(MetricsLogError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonl: data, path: url.path)
    }

    /// Every metric name in the log, sorted.
    public var metricNames: [String] { Set(records.flatMap(\.metrics.keys)).sorted() }

    /// One series per (metric, phase) for `metrics` (all when `nil`), in the order the metrics are given (sorted
    /// when `nil`) and then by phase order of first appearance, with `x` as the horizontal coordinate.
    public func series(metrics: [String]? = nil, x: XAxis = .step) throws(MetricsLogError) -> [LineSeries] {
        let available = metricNames
        let selected = metrics ?? available
        for name in selected where !available.contains(name) {
            throw .unknownMetric(path: path, name: name, available: available)
        }
        var phases: [String] = []
        for record in records where !phases.contains(record.phase) { phases.append(record.phase) }
        var result: [LineSeries] = []
        for name in selected {
            let phasesWithMetric = phases.filter { phase in
                records.contains { $0.phase == phase && $0.metrics[name] != nil }
            }
            for phase in phasesWithMetric {
                let points = records.compactMap { record -> ChartPoint? in
                    guard record.phase == phase, let y = record.metrics[name],
                        let xValue = record.coordinates[x.rawValue]
                    else { return nil }
                    return ChartPoint(x: xValue, y: y)
                }
                if points.isEmpty { continue }
                let label = phasesWithMetric.count > 1 && !phase.isEmpty ? "\(name) (\(phase))" : name
                result.append(LineSeries(name: label, points: points))
            }
        }
        if result.isEmpty { throw .noData(path: path, x: x.rawValue) }
        return result
    }

    /// A chart of ``series(metrics:x:)``, titled with the file name unless `title` is given.
    public func chart(
        metrics: [String]? = nil, x: XAxis = .step, logScaleY: Bool = false, title: String? = nil
    ) throws(MetricsLogError) -> LineChart {
        let series = try series(metrics: metrics, x: x)
        if logScaleY, !series.contains(where: { $0.points.contains { $0.y > 0 } }) {
            throw .noData(path: path, x: x.rawValue)
        }
        return LineChart(
            series: series, title: title ?? URL(fileURLWithPath: path).lastPathComponent, xLabel: x.rawValue,
            yLabel: metrics?.count == 1 ? metrics?.first ?? "value" : "value", logScaleY: logScaleY)
    }

    private static let coordinateKeys = ["step", "epoch", "wall_time"]

    private static func record(from dictionary: [String: Any]) -> Record {
        var coordinates: [String: Double] = [:]
        for key in coordinateKeys {
            if let value = number(dictionary[key]) { coordinates[key] = value }
        }
        var metrics: [String: Double] = [:]
        if let nested = dictionary["metrics"] as? [String: Any] {
            for (name, value) in nested { if let number = number(value) { metrics[name] = number } }
        } else {
            for (name, value) in dictionary where !coordinateKeys.contains(name) {
                if let number = number(value) { metrics[name] = number }
            }
        }
        return Record(phase: dictionary["phase"] as? String ?? "", coordinates: coordinates, metrics: metrics)
    }

    /// A finite JSON number (not a boolean), or nil.
    private static func number(_ value: Any?) -> Double? {
        // JSONSerialization gives booleans as NSNumber too, with objCType "c" (`is Bool` cannot tell: on Linux an
        // NSNumber 1 is also `Bool`).
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        let double = number.doubleValue
        return double.isFinite ? double : nil
    }
}
