import Foundation
import MontagueSupport

/// Renders a plan's results as a Markdown table and puts it into a document between markers, so documentation
/// tables are regenerated from the results file instead of being retyped.
///
/// A metric cell shows the mean over the run's complete seeds, with `± std` (sample standard deviation) when
/// there are several, and `—` when no seed has finished; a run whose seeds all stopped before their schedule's end
/// (``ExperimentRecord/stoppedEarly``) shows their figures, with "(stopped at N of M steps)" in the seeds column
/// (or the last metric column). The markers are
/// `<!-- experiment-table: NAME -->` and `<!-- /experiment-table: NAME -->`.
public enum ExperimentTable {
    /// The Markdown table of `plan` from `results`.
    public static func render(plan: ExperimentPlan, results: ExperimentResults) -> String {
        var lines: [String] = []
        lines.append("| " + plan.columns.map(\.header).map(cell).joined(separator: " | ") + " |")
        lines.append("|" + plan.columns.map { _ in "---|" }.joined())
        for run in plan.runs {
            let latest = plan.seeds(of: run).compactMap { results.latest(run: run.id, seed: $0) }
            let finished = latest.filter(\.isComplete)
            // Without a complete seed, the seeds stopped before their schedule's end are shown, marked.
            let shown = finished.isEmpty ? latest.filter { $0.succeeded } : finished
            let stopped = finished.isEmpty ? shown.compactMap(\.stoppedEarly) : []
            let marker =
                " (stopped at "
                + stopped.map { "\($0.steps) of \($0.scheduled) steps" }
                .joined(separator: ", ") + ")"
            // The marker goes into the seeds column, or the last metric column when there is none.
            let markedColumn =
                stopped.isEmpty
                ? nil : plan.columns.firstIndex { $0.metric == "seeds" } ?? plan.columns.lastIndex { $0.label == nil }
            var cells = plan.columns.map { column -> String in
                if let label = column.label { return cell(run.labels?[label] ?? "") }
                let metric = column.metric ?? ""
                let format = column.format.flatMap(NumberFormat.init) ?? .fixed(4)
                if metric == "seeds" { return "\(finished.count)/\(plan.seeds(of: run).count)" }
                let values = shown.compactMap { metric == "seconds" ? $0.seconds : $0.metrics[metric] }
                guard !values.isEmpty else { return "—" }
                let mean = values.reduce(0, +) / Double(values.count)
                guard values.count > 1 else { return format.format(mean) }
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                return format.format(mean) + " ± " + format.formatSpread(variance.squareRoot())
            }
            if let markedColumn { cells[markedColumn] += marker }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        var text = ""
        if let title = plan.title { text += "*\(title)*\n\n" }
        return text + lines.joined(separator: "\n") + "\n"
    }

    /// `document` with the text between `plan`'s markers replaced by `table`.
    ///
    /// - Throws: ``InputError`` when the markers are missing, repeated or out of order.
    public static func insert(_ table: String, named name: String, into document: String, path: String) throws -> String
    {
        let open = "<!-- experiment-table: \(name) -->"
        let close = "<!-- /experiment-table: \(name) -->"
        let openRanges = document.ranges(of: open)
        let closeRanges = document.ranges(of: close)
        guard openRanges.count == 1, closeRanges.count == 1, let start = openRanges.first, let end = closeRanges.first,
            start.upperBound <= end.lowerBound
        else {
            throw InputError(
                "needs exactly one '\(open)' followed by one '\(close)'", at: SourceLocation(file: path))
        }
        return String(document[..<start.upperBound]) + "\n" + table + String(document[end.lowerBound...])
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

extension ExperimentTable {
    /// Replaces the table named `name` in the Markdown file at `url` (written atomically).
    public static func update(documentAt url: URL, named name: String, with table: String) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError("cannot read the document", at: SourceLocation(file: url.path))
        }
        let updated = try insert(table, named: name, into: String(decoding: data, as: UTF8.self), path: url.path)
        try AtomicFile.write(updated, to: url)
    }
}
