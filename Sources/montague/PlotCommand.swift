import ArgumentParser
import Foundation
import MontagueSupport
import Plotting

extension MetricsLog.XAxis: ExpressibleByArgument {}

/// `montague plot run.jsonl [more.jsonl …] -o out.svg`: draws metric curves of training runs' JSON Lines logs as
/// one SVG chart (library: ``MetricsLog/chart(runs:metrics:x:logScaleY:title:)``).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot metric curves from JSON Lines metrics logs as an SVG line chart.",
        discussion: """
            Reads the logs written by training runs (one JSON object per line: step, epoch, wall_time, phase and \
            a metrics object) and draws one curve per metric and phase (train, valid, …); with several logs, one \
            curve per run as well, named after the file. By default only loss-like metrics (names with loss, \
            perplexity, ppl or nll) are drawn, or every metric when a log has none; --metrics picks others. The \
            SVG is written atomically. Errors are printed as file:line: error: message, exit status 2.

            Examples:
              montague plot run.jsonl -o run.svg
              montague plot lr1e-3.jsonl lr3e-3.jsonl --metrics running_loss -o compare.svg
              montague plot run.jsonl --metrics valid.exact_match --x epoch -o accuracy.svg
            """)

    @Argument(help: "The metrics logs (JSON Lines), one per run.")
    var logs: [String]

    @Option(name: .long, help: "Comma-separated metric names (default: the loss-like metrics).")
    var metrics: String?

    @Option(name: .long, help: "Horizontal axis.")
    var x = MetricsLog.XAxis.step

    @Flag(name: .long, help: "Logarithmic vertical axis (points ≤ 0 are left out).")
    var logScale = false

    @Option(name: .long, help: "Chart title (default: the logs' file names).")
    var title: String?

    @Option(name: [.short, .customLong("output")], help: "The SVG file to write.")
    var output: String

    func validate() throws {
        guard !logs.isEmpty else { throw ValidationError("give at least one metrics log") }
        if let names = metricNames, names.isEmpty || names.contains("") {
            throw ValidationError("--metrics: empty metric name")
        }
    }

    private var metricNames: [String]? {
        metrics.map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    func run() throws {
        var runs: [MetricsLog] = []
        for log in logs { runs.append(try MetricsLog(contentsOf: URL(fileURLWithPath: log))) }
        let chart = try MetricsLog.chart(runs: runs, metrics: metricNames, x: x, logScaleY: logScale, title: title)
        try AtomicFile.write(chart.svg(), to: URL(fileURLWithPath: output))
        print("\(output): \(chart.series.count) series (\(chart.series.map(\.name).joined(separator: ", ")))")
    }
}
