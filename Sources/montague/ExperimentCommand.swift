import ArgumentParser
import Experiments
import Foundation

/// `montague experiment …`: reproducible experiment campaigns and the tables they produce.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run experiment plans and their tables, and the grammar-driven experiments.",
        discussion: """
            A plan (JSON) lists runs — montague command lines, each repeated over seeds — and the table their \
            results make. `run` executes what has no result yet and appends each outcome to the plan's results \
            file (JSON Lines), so a campaign can stop and resume across sessions; `table` renders the Markdown \
            table, or replaces it in a document between `<!-- experiment-table: NAME -->` and \
            `<!-- /experiment-table: NAME -->`. See docs/experiments.md. The grammar-driven experiments use a \
            weighted grammar as an exact oracle: `splits` (compositional-generalisation splits), `generate` \
            (generators measured by validity, exact NLL, novelty, coverage), `conditional` (meaning-conditioned \
            generation judged by the grammar's semantics), `transfer` (style transfer between two grammars over \
            the same meanings, content preservation decided by the grammars), `tre` (compositionality of \
            learned representations) and `meaning-map` (is a learned meaning map compositional in the grammar's \
            own sense?); see docs/probabilistic-grammars.md and docs/compositionality.md.

            Examples:
              montague experiment run experiments/scan.json --data /data/SCAN --dry-run
              montague experiment table experiments/scan.json --into docs/experiments.md
              montague experiment generate grammars/weighted-arithmetic.mont --method seqgan --reward grammar-validity
            """,
        subcommands: [
            ExperimentRunCommand.self, ExperimentTableCommand.self, ExperimentSplitsCommand.self,
            ExperimentGenerateCommand.self, ExperimentTRECommand.self, ExperimentConditionalCommand.self,
            ExperimentTransferCommand.self, ExperimentMeaningMapCommand.self,
        ])
}

/// `montague experiment run PLAN`.
struct ExperimentRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Execute a plan's runs that have no successful result yet.",
        discussion: """
            A run's result is read from its output directory ({output}): a training command's manifest.json \
            (its metrics), otherwise a grammar-driven experiment's summary.json (`experiment generate`, \
            `conditional`, `transfer`, `tre`, `meaning-map`: every number outside its `settings`, named by its path \
            with dots, e.g. \
            final.validity). A command that exits with status 0 but leaves neither is recorded as failed and the \
            runner, after the remaining runs, exits with status 2 and the reason. \
            Each run's model directory is <runs>/<plan>/<run>-seed<seed>; the runner notes in it which command it \
            started there (experiment-run.json) and resumes only its own directories. A directory trained outside \
            the runner (e.g. `montague train seq2seq … --output` into the run's path) is refused with the reason \
            (exit status 1) instead of being trained further; with --adopt its manifest is compared with the run's \
            command (hyperparameters, data files and their sizes) and, if they agree, its metrics are recorded as \
            the run's result, marked as adopted (wall time not measured).
            """)

    @Argument(help: "The plan file (JSON).")
    var plan: String

    @Option(name: .long, help: "Root of the run directories.")
    var runs = "runs"

    @Option(name: .long, help: "Value of {data} in the plan's arguments (where the data sets are).")
    var data = "data"

    @Option(name: .long, help: "Only this run (repeatable).")
    var only: [String] = []

    @Flag(name: .long, help: "Execute runs again even when they have a result.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Print the command lines without executing them.")
    var dryRun = false

    @Flag(
        name: .long,
        help: "Record a run directory trained outside the runner as the run's result if its settings agree.")
    var adopt = false

    func run() throws {
        let url = URL(fileURLWithPath: plan)
        let loaded = try ExperimentPlan.load(from: url)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var runner = try ExperimentRunner(
            plan: loaded, planDirectory: url.deletingLastPathComponent(),
            options: .init(
                executable: executable.path.contains("/") ? executable : Self.onPath(executable.lastPathComponent),
                runsRoot: URL(fileURLWithPath: runs), dataRoot: data, only: Set(only), force: force,
                dryRun: dryRun, adopt: adopt))
        // The runs inherit standard output, so the runner's own lines are written unbuffered: a buffered `print`
        // would reach a pipe or file after the output of the runs it announces.
        func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        let failures = try runner.run { event in
            switch event {
            case .skipped(let run, let seed): say("\(run) seed \(seed): done before, skipped")
            case .starting(let run, let seed, let command):
                say("\(run) seed \(seed): \(command.map(Self.quoted).joined(separator: " "))")
            case .finished(let record):
                let metrics = record.metrics.keys.sorted().map { "\($0)=\(record.metrics[$0] ?? 0)" }
                let how = record.seconds.map { "\(record.status) in \(Int($0)) s" } ?? "adopted"
                let note =
                    record.succeeded
                    ? record.stoppedEarly.map {
                        " (stopped at step \($0.steps) of \($0.scheduled); run the plan again to continue it)"
                    } ?? ""
                    : record.note.map { " (\($0))" } ?? ""
                say(
                    "\(record.run) seed \(record.seed): \(how)\(note)"
                        + (metrics.isEmpty ? "" : "  " + metrics.joined(separator: " ")))
            case .refused(let run, let seed, let reason):
                FileHandle.standardError.write(Data("\(run) seed \(seed): error: \(reason)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private static func quoted(_ argument: String) -> String {
        argument.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'" + argument + "'" : argument
    }

    private static func onPath(_ name: String) -> URL {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return URL(fileURLWithPath: name)
    }
}

/// `montague experiment table PLAN [--into FILE]`.
struct ExperimentTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table", abstract: "Render a plan's results as a Markdown table.")

    @Argument(help: "The plan file (JSON).")
    var plan: String

    @Option(name: .long, help: "Replace the table between the plan's markers in this Markdown file (atomically).")
    var into: String?

    func run() throws {
        let url = URL(fileURLWithPath: plan)
        let loaded = try ExperimentPlan.load(from: url)
        let results = try ExperimentResults(
            url: url.deletingLastPathComponent().appendingPathComponent(loaded.results))
        let table = ExperimentTable.render(plan: loaded, results: results)
        guard let into else {
            print(table, terminator: "")
            return
        }
        try ExperimentTable.update(documentAt: URL(fileURLWithPath: into), named: loaded.name, with: table)
    }
}
