import ArgumentParser
import Foundation
import Plotting

/// `montague plot run.jsonl -o out.svg`: draws metric curves of a training run's JSON Lines log as an SVG chart.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Plot metric curves from a JSON Lines metrics log as an SVG line chart.",
        discussion: """
            Reads the log written by a training run (one JSON object per line: step, epoch, wall_time, phase and \
            a metrics object), draws one curve per metric and phase (train, eval) and writes the SVG atomically. \
            Errors are printed as file:line: error: message and exit with status 2.

            Examples:
              montague plot run.jsonl -o run.svg
              montague plot run.jsonl --metrics loss,accuracy --x epoch -o curves.svg
              montague plot run.jsonl --metrics perplexity --log-scale -o ppl.svg
            """)

    @Argument(help: "The metrics log (JSON Lines).")
    var log: String

    @Option(name: .long, help: "Comma-separated metric names (default: every metric in the log).")
    var metrics: String?

    @Option(name: .long, help: "Horizontal axis: step, epoch or wall_time.")
    var x = "step"

    @Flag(name: .long, help: "Logarithmic vertical axis (points ≤ 0 are left out).")
    var logScale = false

    @Option(name: .long, help: "Chart title (default: the log's file name).")
    var title: String?

    @Option(name: [.short, .customLong("output")], help: "The SVG file to write.")
    var output: String

    func run() throws {
        guard let axis = MetricsLog.XAxis(rawValue: x) else {
            throw ValidationError(
                "--x must be one of \(MetricsLog.XAxis.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let names = metrics.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let names, names.isEmpty || names.contains("") { throw ValidationError("--metrics: empty metric name") }
        let chart: LineChart
        do {
            chart = try MetricsLog(contentsOf: URL(fileURLWithPath: log))
                .chart(metrics: names, x: axis, logScaleY: logScale, title: title)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        do {
            try Data(chart.svg().utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            FileHandle.standardError.write(Data("\(output): error: cannot write: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        print("\(output): \(chart.series.count) series (\(chart.series.map(\.name).joined(separator: ", ")))")
    }
}
