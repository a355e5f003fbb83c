import Foundation
import MontagueSupport

/// Which plan, run and seed a model directory was started for, written by ``ExperimentRunner`` into the directory
/// (`experiment-run.json`) before it executes the run's command there.
///
/// It tells the runner's own directories (an interrupted execution is resumed with the same command) from model
/// directories trained outside the runner — a direct `montague train …` into the run's path — which are never
/// trained further under the plan's name without being checked (``ExperimentRunner/Options/adopt``).
public struct ExperimentRunProvenance: Codable, Equatable, Sendable {
    /// The file's name inside the model directory.
    public static let fileName = "experiment-run.json"

    /// The plan's name.
    public var plan: String
    /// The run's id.
    public var run: String
    /// The seed.
    public var seed: UInt64
    /// The command as the run's records store it (`{data}` and `{output}` kept as placeholders).
    public var command: [String]
    /// How the directory came to the plan: `executed` (the runner ran the command) or `adopted`.
    public var origin: String

    /// Makes a provenance.
    public init(plan: String, run: String, seed: UInt64, command: [String], origin: String = "executed") {
        self.plan = plan
        self.run = run
        self.seed = seed
        self.command = command
        self.origin = origin
    }

    /// The provenance stored in `directory`, or nil when it has none or it cannot be read.
    public static func read(in directory: URL) -> ExperimentRunProvenance? {
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(fileName).path) else {
            return nil
        }
        return try? JSONDecoder().decode(ExperimentRunProvenance.self, from: data)
    }

    /// Writes the provenance into `directory` (created if needed; the file is written atomically).
    public func write(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: directory.appendingPathComponent(Self.fileName))
    }
}

/// Compares a run's command line with what a model directory's manifest records, before the runner adopts a
/// directory trained outside it as the run's result.
///
/// The check is conservative and generic over the `train` commands: each `--option value` of the command is looked
/// up among the manifest's hyperparameters (at any depth) under its camel-case name (`--batch-size` → `batchSize`)
/// or, for the options whose stored name differs, under a known alias (`--lr` → `learningRate`, `--heads` →
/// `headCount`, …); numbers must agree to a relative 10⁻⁶ (the manifest stores single-precision values), text and
/// flags exactly. An aliased option the manifest does not record is a disagreement (e.g. a schedule the direct run
/// did not use); another unknown option is left unchecked and reported as such. Options that only steer the
/// execution (`--output`, `--time-limit`, `--metrics`, logging and checkpoint intervals, `--steps`) are not
/// settings and are skipped. Data files (arguments under `{data}`) must appear among the manifest's data
/// fingerprints by file name, with the same size when the fingerprint records one (`"N bytes"`).
public enum ModelDirectorySettingsCheck {
    /// The outcome: what disagrees, how many options agreed, and which could not be checked.
    public struct Outcome: Equatable, Sendable {
        /// One line per disagreement (empty: the directory matches as far as the manifest tells).
        public var problems: [String]
        /// Options found in the manifest with the plan's value.
        public var checked: Int
        /// Options of the command that the manifest does not record under any name we know.
        public var unchecked: [String]
    }

    /// Options whose manifest key is not their camel-case name.
    static let aliases: [String: String] = [
        "lr": "learningRate", "arch": "architecture", "heads": "headCount", "layers": "layerCount",
        "hidden": "hiddenSize", "embedding": "embeddingSize", "clip": "gradientClipNorm",
        "max-length": "maxDecodeLength", "beam": "beamWidth", "lr-schedule": "learningRateSchedule",
        "model-size": "modelSize", "feed-forward": "feedForwardSize",
    ]

    /// Options that steer an execution, not the trained model.
    static let executionOptions: Set<String> = [
        "output", "time-limit", "metrics", "report-every", "save-every", "eval-every", "steps", "no-keep-best",
        "resume",
    ]

    /// Checks `arguments` (a run's command line after the subcommand words, placeholders filled except `{data}`,
    /// which marks data files) against a manifest's `hyperparameters` and `dataFingerprints`; `fileSize` gives the
    /// size in bytes of a data argument on this machine (nil when unknown).
    public static func check(
        arguments: [String], hyperparameters: JSONValue, dataFingerprints: [String: String],
        fileSize: (String) -> Int? = { _ in nil }
    ) -> Outcome {
        var outcome = Outcome(problems: [], checked: 0, unchecked: [])
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { continue }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                value = arguments[index]
                index += 1
            }
            if executionOptions.contains(name) { continue }
            if let value, value.contains("{data}") {
                let file = (value as NSString).lastPathComponent
                if let fingerprint = dataFingerprints[file] {
                    if let recorded = bytes(in: fingerprint), let size = fileSize(value), recorded != size {
                        outcome.problems.append("--\(name) \(file): \(size) bytes here, \(recorded) when trained")
                    } else {
                        outcome.checked += 1
                    }
                } else if !dataFingerprints.isEmpty {
                    outcome.problems.append(
                        "--\(name) \(file): not among the files it was trained with ("
                            + dataFingerprints.keys.sorted().joined(separator: ", ") + ")")
                } else {
                    outcome.unchecked.append("--\(name)")
                }
                continue
            }
            let key = aliases[name] ?? camelCase(name)
            guard let recorded = find(key, in: hyperparameters) else {
                if aliases[name] != nil {
                    outcome.problems.append("--\(name) \(value ?? "(flag)"): the directory records no \(key)")
                } else {
                    outcome.unchecked.append("--\(name)")
                }
                continue
            }
            if agrees(recorded, value) {
                outcome.checked += 1
            } else {
                outcome.problems.append(
                    "--\(name) \(value ?? "(flag)") in the plan, \(key) \(text(recorded)) in the directory")
            }
        }
        return outcome
    }

    static func camelCase(_ option: String) -> String {
        let parts = option.split(separator: "-")
        guard let first = parts.first else { return option }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The first value stored under `key` in `value`, depth first, object keys in sorted order.
    static func find(_ key: String, in value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let members):
            if let direct = members[key] { return direct }
            for name in members.keys.sorted() {
                if let found = find(key, in: members[name] ?? .null) { return found }
            }
            return nil
        case .array(let items):
            for item in items { if let found = find(key, in: item) { return found } }
            return nil
        default: return nil
        }
    }

    static func agrees(_ recorded: JSONValue, _ value: String?) -> Bool {
        switch recorded {
        case .number(let number):
            guard let value, let planned = Double(value) else { return false }
            return abs(number - planned) <= 1e-6 * max(1, abs(planned))
        case .bool(let flag):
            guard let value else { return flag }
            return value == String(flag)
        case .string(let string): return value == string
        case .null: return false
        case .array, .object: return false
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .number(let number):
            number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(format: "%g", number)
        case .bool(let flag): String(flag)
        case .string(let string): string
        case .null: "null"
        case .array, .object: "(structured)"
        }
    }

    static func bytes(in fingerprint: String) -> Int? {
        guard fingerprint.hasSuffix(" bytes") else { return nil }
        return Int(fingerprint.dropLast(6))
    }
}
