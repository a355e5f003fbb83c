import Foundation
import MontagueSupport
import NeuralNet

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Executes a plan's runs that have no successful result yet, one after another, appending each outcome to the
/// results file — so a campaign of many hours can be stopped and resumed across sessions without losing or
/// repeating finished runs.
///
/// Each execution runs the `montague` executable as a child process with the run's arguments (placeholders
/// filled), then reads the metrics the command stored in its output directory: a training command's
/// `manifest.json`, or a grammar-driven experiment's `summary.json` (``resultMetrics(in:)``). An unfinished
/// execution (interrupted before it wrote a result) is simply started again with the same arguments; training
/// commands resume from their model directory.
///
/// Before it executes a run the runner writes an ``ExperimentRunProvenance`` into the run's directory. A run
/// directory that holds a model but no provenance of this run's command (a direct `montague train … --output DIR`
/// into the run's path, or the run's directory after its command changed) is never trained further: the runner
/// refuses it with the reason, or, with ``Options/adopt``, compares the directory's manifest with the run's command
/// (``ModelDirectorySettingsCheck``) and records its metrics as the run's result when they agree.
public struct ExperimentRunner {
    /// Where and how to run.
    public struct Options: Sendable {
        /// The `montague` executable.
        public var executable: URL
        /// Where run directories go (`<runsRoot>/<plan>/<run>-seed<seed>`).
        public var runsRoot: URL
        /// The value of `{data}` in arguments.
        public var dataRoot: String
        /// Only these run ids (all when empty).
        public var only: Set<String>
        /// Execute runs again even when they have a successful result.
        public var force: Bool
        /// Print the command lines without executing them.
        public var dryRun: Bool
        /// Record a run directory trained outside the runner as the run's result, after checking its settings,
        /// instead of refusing it.
        public var adopt: Bool

        /// Makes options.
        public init(
            executable: URL, runsRoot: URL, dataRoot: String = "data", only: Set<String> = [], force: Bool = false,
            dryRun: Bool = false, adopt: Bool = false
        ) {
            self.executable = executable
            self.runsRoot = runsRoot
            self.dataRoot = dataRoot
            self.only = only
            self.force = force
            self.dryRun = dryRun
            self.adopt = adopt
        }
    }

    /// What happens, for the caller to print.
    public enum Event: Sendable {
        /// A run is skipped: it has a successful result that is complete (a run stopped before its schedule's end,
        /// see ``ExperimentRecord/stoppedEarly``, is executed again and continues).
        case skipped(run: String, seed: UInt64)
        /// An execution starts (or, in a dry run, would start) with this command line.
        case starting(run: String, seed: UInt64, command: [String])
        /// An execution ended, or a directory trained outside the runner was adopted (the record's note says so).
        case finished(ExperimentRecord)
        /// A run is not executed: its directory holds a model this run did not make (the reason says what to do).
        case refused(run: String, seed: UInt64, reason: String)
    }

    /// The plan.
    public let plan: ExperimentPlan
    /// Its results file.
    public private(set) var results: ExperimentResults
    /// The options.
    public let options: Options

    /// A runner for `plan`, whose results file is resolved against `planDirectory`.
    public init(plan: ExperimentPlan, planDirectory: URL, options: Options) throws {
        self.plan = plan
        self.options = options
        results = try ExperimentResults(url: planDirectory.appendingPathComponent(plan.results))
        for id in options.only where !plan.runs.contains(where: { $0.id == id }) {
            throw InputError("the plan has no run '\(id)' (runs: \(plan.runs.map(\.id).joined(separator: ", ")))")
        }
    }

    /// The model directory of `run` with `seed`.
    public func outputDirectory(run: ExperimentPlan.Run, seed: UInt64) -> URL {
        options.runsRoot.appendingPathComponent(plan.name).appendingPathComponent("\(run.id)-seed\(seed)")
    }

    /// The arguments of `run` with `seed`, placeholders filled.
    public func arguments(run: ExperimentPlan.Run, seed: UInt64) -> [String] {
        arguments(run: run, seed: seed, keepingPaths: false)
    }

    /// The arguments as a result records them: seed and budget filled, `{data}` and `{output}` kept, so a record
    /// names no directory of the machine that ran it and reads the same wherever the plan is run.
    public func recordedArguments(run: ExperimentPlan.Run, seed: UInt64) -> [String] {
        arguments(run: run, seed: seed, keepingPaths: true)
    }

    private func arguments(run: ExperimentPlan.Run, seed: UInt64, keepingPaths: Bool) -> [String] {
        let budget = (run.budget ?? plan.defaults?.budget).flatMap(WallClockBudget.init).map {
            "\(Int($0.seconds.rounded()))s"
        }
        var values = ["{seed}": String(seed), "{budget}": budget ?? ""]
        if !keepingPaths {
            values["{output}"] = outputDirectory(run: run, seed: seed).path
            values["{data}"] = options.dataRoot
        }
        return Self.merged(defaults: plan.defaults?.arguments ?? [], run: run.arguments).map { argument in
            var filled = argument
            for (placeholder, value) in values { filled = filled.replacingOccurrences(of: placeholder, with: value) }
            return filled
        }
    }

    /// The defaults' arguments without every option that the run's own arguments set again (the option with its
    /// value, when the value is the next argument), followed by the run's: a run overrides a default by naming the
    /// option again, and the command line names each option once. An option the run repeats (`--style a=… --style
    /// b=…`) replaces all of the defaults' occurrences of it.
    public static func merged(defaults: [String], run: [String]) -> [String] {
        func name(_ argument: String) -> String? {
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            return String(argument.dropFirst(2).prefix { $0 != "=" })
        }
        let overridden = Set(run.prefix { $0 != "--" }.compactMap(name))
        var kept: [String] = []
        var index = 0
        while index < defaults.count {
            let argument = defaults[index]
            index += 1
            guard let option = name(argument), overridden.contains(option) else {
                kept.append(argument)
                continue
            }
            if !argument.contains("="), index < defaults.count, name(defaults[index]) == nil { index += 1 }
        }
        return kept + run
    }

    /// Executes every selected run and seed without a successful result; returns how many executions failed or
    /// were refused.
    ///
    /// - Throws: ``InputError``, after every selected run was executed and recorded, when a command exited with
    ///   status 0 but left no result ``resultMetrics(in:)`` can read (its record is `failed`, with the reason in
    ///   its note) — a plan whose command writes no result would otherwise fail silently on every run.
    @discardableResult
    public mutating func run(_ report: (Event) -> Void) throws -> Int {
        var failures = 0
        var unreadable: [String] = []
        for run in plan.runs where options.only.isEmpty || options.only.contains(run.id) {
            for seed in plan.seeds(of: run) {
                if !options.force, results.latest(run: run.id, seed: seed)?.isComplete == true {
                    report(.skipped(run: run.id, seed: seed))
                    continue
                }
                let recorded = ["montague"] + recordedArguments(run: run, seed: seed)
                switch directoryState(run: run, seed: seed, command: recorded) {
                case .ours: break
                case .foreign(let why):
                    guard options.adopt else {
                        failures += 1
                        report(
                            .refused(
                                run: run.id, seed: seed,
                                reason: "\(outputDirectory(run: run, seed: seed).path) \(why); it is not trained "
                                    + "further under this run: --adopt records it as the run's result if its "
                                    + "manifest agrees with the run's settings, or move it away to train the run anew"
                            ))
                        continue
                    }
                    switch adoption(run: run, seed: seed, command: recorded) {
                    case .failure(let reason):
                        failures += 1
                        report(.refused(run: run.id, seed: seed, reason: reason.message))
                    case .success(let record):
                        if options.dryRun { continue }
                        try ExperimentRunProvenance(
                            plan: plan.name, run: run.id, seed: seed, command: recorded, origin: "adopted"
                        ).write(in: outputDirectory(run: run, seed: seed))
                        try results.append(record)
                        report(.finished(record))
                    }
                    continue
                }
                let arguments = arguments(run: run, seed: seed)
                let command = [options.executable.lastPathComponent] + arguments
                report(.starting(run: run.id, seed: seed, command: command))
                if options.dryRun { continue }
                try ExperimentRunProvenance(plan: plan.name, run: run.id, seed: seed, command: recorded)
                    .write(in: outputDirectory(run: run, seed: seed))
                let record = try execute(run: run, seed: seed, arguments: arguments, command: recorded)
                if !record.succeeded { failures += 1 }
                try results.append(record)
                report(.finished(record))
                if record.exitStatus == 0, !record.succeeded, let note = record.note {
                    unreadable.append("\(run.id) seed \(seed): \(note)")
                }
            }
        }
        if !unreadable.isEmpty {
            throw InputError(
                "\(unreadable.count) run(s) exited with status 0 but left no readable result: "
                    + unreadable.joined(separator: "; "))
        }
        return failures
    }

    /// Whether a run's directory may be (re)used by executing the run's command in it.
    enum DirectoryState: Equatable {
        /// No model yet, or one this run's command made (under this runner, or recorded in the results).
        case ours
        /// A model directory of unknown or other origin; the text says why.
        case foreign(String)
    }

    func directoryState(run: ExperimentPlan.Run, seed: UInt64, command: [String]) -> DirectoryState {
        let directory = outputDirectory(run: run, seed: seed)
        let holdsModel =
            ModelDirectory(url: directory).exists
            || FileManager.default.fileExists(atPath: ModelDirectory(url: directory).trainingStateURL.path)
        if let provenance = ExperimentRunProvenance.read(in: directory) {
            if provenance.plan == plan.name, provenance.run == run.id, provenance.seed == seed,
                provenance.command == command
            {
                return .ours
            }
            guard holdsModel else { return .ours }
            return .foreign(
                "holds a model started for another command ("
                    + provenance.command.dropFirst().joined(separator: " ") + ")")
        }
        guard holdsModel else { return .ours }
        // A directory from before the runner wrote provenance: its own if the results record this command.
        if results.records.contains(where: { $0.run == run.id && $0.seed == seed && $0.command == command }) {
            return .ours
        }
        return .foreign("holds a model directory that this plan's runner did not start")
    }

    /// The record of a foreign directory adopted as `run`'s result with `seed`, or why it cannot be.
    func adoption(run: ExperimentPlan.Run, seed: UInt64, command: [String]) -> Result<ExperimentRecord, AdoptionError> {
        let directory = outputDirectory(run: run, seed: seed)
        let manifest: ModelManifest
        do {
            manifest = try ModelDirectory(url: directory).readManifest()
        } catch {
            return .failure(AdoptionError("\(directory.path): cannot adopt it: \(error)"))
        }
        let dataRoot = options.dataRoot
        let outcome = ModelDirectorySettingsCheck.check(
            arguments: recordedArguments(run: run, seed: seed), hyperparameters: manifest.hyperparameters,
            dataFingerprints: manifest.dataFingerprints,
            fileSize: { argument in
                let path = argument.replacingOccurrences(of: "{data}", with: dataRoot)
                return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            })
        guard outcome.problems.isEmpty else {
            return .failure(
                AdoptionError(
                    "\(directory.path): not adopted, its manifest disagrees with the run's settings: "
                        + outcome.problems.joined(separator: "; ")))
        }
        guard !manifest.metrics.isEmpty else {
            return .failure(AdoptionError("\(directory.path): not adopted, its manifest records no metrics"))
        }
        let unchecked =
            outcome.unchecked.isEmpty ? "" : "; not recorded there: " + outcome.unchecked.joined(separator: " ")
        return .success(
            ExperimentRecord(
                run: run.id, seed: seed, status: "ok", exitStatus: 0, metrics: manifest.metrics, seconds: nil,
                command: command, montagueVersion: manifest.montagueVersion,
                finished: ISO8601DateFormatter().string(from: Date()),
                note: "adopted: a model directory trained outside the runner, whose manifest agrees with the run's "
                    + "settings (\(outcome.checked) options checked\(unchecked)); its time was not measured"))
    }

    /// Why a directory cannot be adopted.
    struct AdoptionError: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private func execute(
        run: ExperimentPlan.Run, seed: UInt64, arguments: [String], command: [String]
    ) throws -> ExperimentRecord {
        let output = outputDirectory(run: run, seed: seed)
        try FileManager.default.createDirectory(
            at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = options.executable
        process.arguments = arguments
        let start = Date()
        let cpuBefore = Self.childrenCPUSeconds()
        do {
            try process.run()
        } catch {
            throw InputError("cannot start \(options.executable.path): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let cpuSeconds = Self.childrenCPUSeconds() - cpuBefore
        var metrics: [String: Double] = [:]
        var status = process.terminationStatus == 0 && process.terminationReason == .exit ? "ok" : "failed"
        var unreadable: String?
        if status == "ok" {
            do {
                metrics = try Self.resultMetrics(in: output)
            } catch {
                status = "failed"
                if let located = error as? any LocatedError {
                    unreadable = (located.location.map { "\($0): " } ?? "") + located.message
                } else {
                    unreadable = ExperimentPlan.describe(error)
                }
            }
        }
        // The run's CPU time (user + system of the finished child processes), unless its command reported one.
        if metrics["cpu_seconds"] == nil { metrics["cpu_seconds"] = cpuSeconds }
        return ExperimentRecord(
            run: run.id, seed: seed, status: status, exitStatus: process.terminationStatus, metrics: metrics,
            seconds: seconds, command: command, finished: ISO8601DateFormatter().string(from: Date()),
            note: unreadable.map { "no result recorded: " + $0 })
    }

    /// The metrics a finished command left in its output directory `directory`, by one rule:
    ///
    /// 1. `directory/manifest.json` (the training commands' model directory): its `metrics`;
    /// 2. otherwise `directory/summary.json` (the grammar-driven experiments, `montague experiment generate`,
    ///    `conditional`, `transfer`, `tre`, `meaning-map`): every number in it outside its `settings` object, named
    ///    by its path with dots — `final.validity`, `trainingSample.coverage`, `final.overall.meaning_preservation`,
    ///    `seconds` — arrays, strings and booleans left out. (`generate`'s `model/manifest.json` is not read: the
    ///    summary holds the same final metrics and more.)
    ///
    /// - Throws: ``InputError`` naming the file when neither exists, when the manifest is unreadable, or when
    ///   `summary.json` is not a JSON object with at least one number outside `settings`.
    public static func resultMetrics(in directory: URL) throws -> [String: Double] {
        let model = ModelDirectory(url: directory)
        if model.exists { return try model.readManifest().metrics }
        let summaryURL = directory.appendingPathComponent("summary.json")
        guard FileManager.default.fileExists(atPath: summaryURL.path) else {
            throw InputError(
                "\(directory.path): the command wrote neither manifest.json nor summary.json there "
                    + "(does the run's command have --output {output}?)")
        }
        let value: SummaryValue
        do {
            value = try JSONDecoder().decode(SummaryValue.self, from: Data(contentsOf: summaryURL))
        } catch {
            throw InputError(
                "malformed summary: \(ExperimentPlan.describe(error))", at: SourceLocation(file: summaryURL.path))
        }
        guard case .object(let fields) = value else {
            throw InputError("malformed summary: not a JSON object", at: SourceLocation(file: summaryURL.path))
        }
        var metrics: [String: Double] = [:]
        func collect(_ value: SummaryValue, _ path: String) {
            switch value {
            case .number(let number): metrics[path] = number
            case .object(let fields):
                for (key, inner) in fields { collect(inner, path.isEmpty ? key : path + "." + key) }
            case .other: break
            }
        }
        collect(.object(fields.filter { $0.key != "settings" }), "")
        guard !metrics.isEmpty else {
            throw InputError(
                "the summary holds no number outside 'settings'", at: SourceLocation(file: summaryURL.path))
        }
        return metrics
    }

    /// A JSON value of a summary, as far as ``resultMetrics(in:)`` reads it.
    private enum SummaryValue: Decodable {
        case number(Double)
        case object([String: SummaryValue])
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let fields = try? container.decode([String: SummaryValue].self) {
                self = .object(fields)
            } else if container.decodeNil() || (try? container.decode(Bool.self)) != nil
                || (try? container.decode(String.self)) != nil || (try? container.decode([SummaryValue].self)) != nil
            {
                self = .other
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
            }
        }
    }

    /// User plus system CPU time of this process's waited-for children so far (`getrusage(RUSAGE_CHILDREN)`).
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
        #else
        let who = RUSAGE_CHILDREN
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
