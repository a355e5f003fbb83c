import Foundation
import MontagueSupport

/// A reproducible experiment: the runs behind one table of results, read from a JSON plan file.
///
/// Each run is one `montague` command line, repeated for each of its seeds; its results are the metrics the command
/// stores in its model directory's `manifest.json`, or the numbers of the `summary.json` a grammar-driven experiment
/// writes (``ExperimentRunner/resultMetrics(in:)``). The plan also says how the results become a Markdown table,
/// so a table in the documentation is regenerated — not retyped — from the runs.
///
/// ```json
/// {
///   "name": "scan",
///   "title": "SCAN exact match",
///   "results": "scan.jsonl",
///   "defaults": {"arguments": ["train", "seq2seq", "--cell", "gru"], "budget": "40m"},
///   "runs": [
///     {"id": "simple", "seeds": [1, 2], "labels": {"split": "simple"},
///      "arguments": ["--train", "{data}/tasks_train_simple.txt", "--test", "{data}/tasks_test_simple.txt"]}
///   ],
///   "columns": [
///     {"header": "split", "label": "split"},
///     {"header": "exact match", "metric": "test.exact_match", "format": "percent"}
///   ]
/// }
/// ```
///
/// A run's arguments follow the defaults'; an option that both set takes the run's value
/// (``ExperimentRunner/merged(defaults:run:)``). In arguments, `{seed}` is the run's seed, `{output}` its model directory, `{data}` the data root
/// (``ExperimentRunner/Options/dataRoot``) and `{budget}` its time budget. A run's model directory is
/// `<runs root>/<plan name>/<run id>-seed<seed>`.
public struct ExperimentPlan: Codable, Equatable, Sendable {
    /// A short name, used for the run directories and the table markers.
    public var name: String
    /// The table's caption.
    public var title: String?
    /// The results file (JSON Lines), relative to the plan file's directory.
    public var results: String
    /// Settings every run starts from.
    public var defaults: RunDefaults?
    /// The runs, one table row each.
    public var runs: [Run]
    /// The table's columns, left to right.
    public var columns: [Column]

    /// Settings shared by the runs.
    public struct RunDefaults: Codable, Equatable, Sendable {
        /// Arguments placed before each run's own.
        public var arguments: [String]?
        /// A wall-clock budget for each run (`90s`, `45m`, `2h`), available as `{budget}`.
        public var budget: String?
        /// Seeds of runs that name none.
        public var seeds: [UInt64]?
    }

    /// One row of the table: a command line and the seeds it is repeated with.
    public struct Run: Codable, Equatable, Sendable {
        /// Unique within the plan (letters, digits, `-`, `_`, `.`).
        public var id: String
        /// The run's own arguments, after the defaults'.
        public var arguments: [String]
        /// Seeds; each gives one execution. Defaults to the plan's, else `[0]`.
        public var seeds: [UInt64]?
        /// Fixed cells of the row (e.g. `"split": "length"`), shown by ``Column/label`` columns.
        public var labels: [String: String]?
        /// Overrides the plan's budget.
        public var budget: String?
    }

    /// One column: a fixed label of the row, or a metric aggregated over the row's seeds.
    public struct Column: Codable, Equatable, Sendable {
        /// The header text.
        public var header: String
        /// A key of ``Run/labels``.
        public var label: String?
        /// A metric key of the runs' manifests (e.g. `test.exact_match`) or summaries (e.g. `final.validity`), or
        /// one of the runner's own: `seconds`,
        /// `seeds` (how many seeds finished).
        public var metric: String?
        /// How to print numbers: `percent` (0.912 → 91.20 %), `fixed:N` (N decimals, the default `fixed:4`),
        /// `integer`.
        public var format: String?
    }

    /// Reads and checks a plan.
    ///
    /// - Throws: ``InputError`` located at the file for malformed JSON, duplicate or malformed run ids, columns
    ///   that are neither label nor metric, and unknown formats.
    public static func load(from url: URL) throws -> ExperimentPlan {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw InputError("cannot read the plan", at: SourceLocation(file: url.path))
        }
        let plan: ExperimentPlan
        do {
            plan = try JSONDecoder().decode(ExperimentPlan.self, from: data)
        } catch {
            throw InputError("malformed plan: \(describe(error))", at: SourceLocation(file: url.path))
        }
        try plan.validate(path: url.path)
        return plan
    }

    /// Checks the plan's invariants (see ``load(from:)``).
    public func validate(path: String) throws {
        let location = SourceLocation(file: path)
        guard Self.isIdentifier(name) else {
            throw InputError("plan name '\(name)' must be a plain identifier", at: location)
        }
        guard !runs.isEmpty else { throw InputError("the plan has no runs", at: location) }
        var seen = Set<String>()
        for run in runs {
            guard Self.isIdentifier(run.id) else {
                throw InputError(
                    "run id '\(Escaping.visible(run.id))' must use letters, digits, '-', '_', '.'", at: location)
            }
            guard seen.insert(run.id).inserted else { throw InputError("two runs are named '\(run.id)'", at: location) }
            if let seeds = run.seeds, seeds.isEmpty {
                throw InputError("run '\(run.id)' has an empty seed list", at: location)
            }
            if let budget = run.budget ?? defaults?.budget, WallClockBudget(budget) == nil {
                throw InputError("run '\(run.id)': malformed budget '\(budget)' (use 90s, 45m, 2h)", at: location)
            }
        }
        guard !columns.isEmpty else { throw InputError("the plan has no columns", at: location) }
        for column in columns {
            guard (column.label == nil) != (column.metric == nil) else {
                throw InputError("column '\(column.header)' needs exactly one of 'label' and 'metric'", at: location)
            }
            if let format = column.format, NumberFormat(format) == nil {
                throw InputError("column '\(column.header)': unknown format '\(format)'", at: location)
            }
        }
    }

    /// The seeds of `run`.
    public func seeds(of run: Run) -> [UInt64] { run.seeds ?? defaults?.seeds ?? [0] }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "-_.".unicodeScalars.contains(scalar))
            } && !text.hasPrefix(".")
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            "missing key '\(key.stringValue)'\(pathSuffix(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            context.debugDescription + pathSuffix(context.codingPath)
        default: "\(error)"
        }
    }

    private static func pathSuffix(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// How a table cell prints a number.
enum NumberFormat: Equatable {
    case percent
    case fixed(Int)
    case integer

    init?(_ text: String) {
        switch text {
        case "percent": self = .percent
        case "integer": self = .integer
        default:
            guard text.hasPrefix("fixed:"), let digits = Int(text.dropFirst(6)), (0...12).contains(digits) else {
                return nil
            }
            self = .fixed(digits)
        }
    }

    func format(_ value: Double) -> String {
        switch self {
        case .percent: String(format: "%.2f %%", value * 100)
        case .fixed(let digits): String(format: "%.\(digits)f", value)
        case .integer: String(Int(value.rounded()))
        }
    }

    func formatSpread(_ value: Double) -> String {
        switch self {
        case .percent: String(format: "%.2f", value * 100)
        default: format(value)
        }
    }
}
