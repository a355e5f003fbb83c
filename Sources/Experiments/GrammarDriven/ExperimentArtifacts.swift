import Foundation
import MontagueSupport
import NeuralNet
import Plotting

/// The files a grammar-driven experiment leaves in its output directory: the measurements as a JSON Lines metrics
/// log (readable by `montague plot`), SVG curves of chosen metrics, and a JSON summary.
public enum ExperimentArtifacts {
    /// A curve file: its name and the metrics it draws.
    public struct Curve: Sendable {
        /// The file name (`quality.svg`).
        public var file: String
        /// The metrics drawn (those absent from every record are skipped).
        public var metrics: [String]
        /// The chart's title.
        public var title: String

        /// A curve of `metrics` written to `file`.
        public init(file: String, metrics: [String], title: String) {
            self.file = file
            self.metrics = metrics
            self.title = title
        }
    }

    /// Writes `records` (round, metrics, seconds since the run started) to `directory/metrics.jsonl` (phase `eval`,
    /// `step` = round, `wall_time` = seconds) and each curve to its SVG file, its x axis labelled `xLabel`; creates
    /// the directory. Returns the paths written.
    ///
    /// - Throws: `TrainingError` or ``FileWriteError`` when a file cannot be written, ``InputError`` when the
    ///   directory cannot be created.
    @discardableResult
    public static func write(
        records: [(round: Int, metrics: [String: Double], seconds: Double)], curves: [Curve], xLabel: String = "round",
        to directory: URL
    ) throws -> [String] {
        try createDirectory(directory)
        let logURL = directory.appendingPathComponent("metrics.jsonl")
        let logger = try MetricsLogger(url: logURL)
        for record in records {
            try logger.log(
                MetricsRecord(
                    phase: "eval", step: record.round, epoch: record.round, wallTime: record.seconds,
                    metrics: record.metrics))
        }
        var written = [logURL.path]
        let log = try MetricsLog(contentsOf: logURL)
        for curve in curves {
            let present = curve.metrics.filter { log.metricNames.contains($0) }
            guard !present.isEmpty, let chart = try? log.chart(metrics: present, title: curve.title) else { continue }
            var labelled = chart
            labelled.xLabel = xLabel
            let url = directory.appendingPathComponent(curve.file)
            try AtomicFile.write(labelled.svg(), to: url)
            written.append(url.path)
        }
        return written
    }

    /// Writes `value` as pretty-printed JSON to `url`.
    ///
    /// - Throws: ``FileWriteError`` or an encoding error.
    public static func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(value), to: url)
    }

    /// Writes lines of text to `url`.
    ///
    /// - Throws: ``FileWriteError``.
    public static func writeLines(_ lines: [String], to url: URL) throws {
        try AtomicFile.write(lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n"), to: url)
    }

    /// Creates `directory` (and its parents) when missing.
    ///
    /// - Throws: ``InputError`` located at the directory.
    public static func createDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(
                "cannot create the output directory: \(error.localizedDescription)",
                at: SourceLocation(file: directory.path))
        }
    }
}
