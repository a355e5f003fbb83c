import Foundation

extension MetricsLog {
    /// Whether a metric is loss-like (lower is better, on the scale of a loss): its name contains `loss`,
    /// `perplexity`, `ppl` or `nll`. These are what `montague plot` draws by default, so counts such as `correct`
    /// or `total` do not squash the curves onto one axis.
    public static func isLossLike(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["loss", "perplexity", "ppl", "nll"].contains { lower.contains($0) }
    }

    /// The metrics drawn when none are named: the loss-like ones if the log has any, else every metric.
    public var defaultMetricNames: [String] {
        let lossLike = metricNames.filter(Self.isLossLike)
        return lossLike.isEmpty ? metricNames : lossLike
    }

    /// One chart of several runs: the series of every log, named `run: metric (phase)` with the run named by its
    /// file name without extension (only the metric when there is one log).
    ///
    /// - Parameter metrics: the metrics to draw; `nil` draws each log's ``defaultMetricNames``. A named metric
    ///   must be in at least one log.
    /// - Throws: ``MetricsLogError`` for a metric no log has, or nothing to draw.
    public static func chart(
        runs logs: [MetricsLog], metrics: [String]? = nil, x: XAxis = .step, logScaleY: Bool = false,
        title: String? = nil
    ) throws(MetricsLogError) -> LineChart {
        precondition(!logs.isEmpty, "MetricsLog.chart(runs:): no logs")
        if logs.count == 1 {
            return try logs[0].chart(
                metrics: metrics ?? logs[0].defaultMetricNames, x: x, logScaleY: logScaleY, title: title)
        }
        if let metrics, let missing = metrics.first(where: { name in !logs.contains { $0.metricNames.contains(name) } })
        {
            throw .unknownMetric(
                path: logs[0].path, name: missing, available: Set(logs.flatMap(\.metricNames)).sorted())
        }
        var series: [LineSeries] = []
        for log in logs {
            let run = URL(fileURLWithPath: log.path).deletingPathExtension().lastPathComponent
            let names = (metrics ?? log.defaultMetricNames).filter { log.metricNames.contains($0) }
            if names.isEmpty { continue }
            for line in try log.series(metrics: names, x: x) {
                series.append(LineSeries(name: "\(run): \(line.name)", points: line.points))
            }
        }
        if logScaleY, !series.contains(where: { $0.points.contains { $0.y > 0 } }) || series.isEmpty {
            throw .noData(path: logs[0].path, x: x.rawValue)
        }
        let shown = metrics ?? Array(Set(logs.flatMap(\.defaultMetricNames))).sorted()
        return LineChart(
            series: series,
            title: title
                ?? logs.map { URL(fileURLWithPath: $0.path).lastPathComponent }
                .joined(separator: ", "),
            xLabel: x.rawValue, yLabel: shown.count == 1 ? shown[0] : "value", logScaleY: logScaleY)
    }
}
