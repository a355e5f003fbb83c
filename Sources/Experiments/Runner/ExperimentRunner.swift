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
/// filled), then reads the metrics the command stored in its model directory's `manifest.json`. An unfinished
/// execution (interrupted before it wrote a result) is simply started again with the same arguments; training
/// commands resume from their model directory.
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

        /// Makes options.
        public init(
            executable: URL, runsRoot: URL, dataRoot: String = "data", only: Set<String> = [], force: Bool = false,
            dryRun: Bool = false
        ) {
            self.executable = executable
            self.runsRoot = runsRoot
            self.dataRoot = dataRoot
            self.only = only
            self.force = force
            self.dryRun = dryRun
        }
    }

    /// What happens, for the caller to print.
    public enum Event: Sendable {
        /// A run is skipped: it has a successful result.
        case skipped(run: String, seed: UInt64)
        /// An execution starts (or, in a dry run, would start) with this command line.
        case starting(run: String, seed: UInt64, command: [String])
        /// An execution ended.
        case finished(ExperimentRecord)
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

    /// Executes every selected run and seed without a successful result; returns how many executions failed.
    @discardableResult
    public mutating func run(_ report: (Event) -> Void) throws -> Int {
        var failures = 0
        for run in plan.runs where options.only.isEmpty || options.only.contains(run.id) {
            for seed in plan.seeds(of: run) {
                if !options.force, results.latest(run: run.id, seed: seed)?.succeeded == true {
                    report(.skipped(run: run.id, seed: seed))
                    continue
                }
                let arguments = arguments(run: run, seed: seed)
                let command = [options.executable.lastPathComponent] + arguments
                report(.starting(run: run.id, seed: seed, command: command))
                if options.dryRun { continue }
                let record = try execute(
                    run: run, seed: seed, arguments: arguments,
                    command: ["montague"] + recordedArguments(run: run, seed: seed))
                if !record.succeeded { failures += 1 }
                try results.append(record)
                report(.finished(record))
            }
        }
        return failures
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
        if status == "ok" {
            do {
                metrics = try ModelDirectory(url: output).readManifest().metrics
            } catch {
                status = "failed"
            }
        }
        // The run's CPU time (user + system of the finished child processes), unless its command reported one.
        if metrics["cpu_seconds"] == nil { metrics["cpu_seconds"] = cpuSeconds }
        return ExperimentRecord(
            run: run.id, seed: seed, status: status, exitStatus: process.terminationStatus, metrics: metrics,
            seconds: seconds, command: command, finished: ISO8601DateFormatter().string(from: Date()))
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
