import Foundation
import MontagueSupport

/// One finished (or failed) execution of a plan's run with one seed: a line of the results file.
public struct ExperimentRecord: Codable, Equatable, Sendable {
    /// The run's id.
    public var run: String
    /// The seed.
    public var seed: UInt64
    /// `ok`, or `failed` with the exit status in ``exitStatus``.
    public var status: String
    /// The command's exit status.
    public var exitStatus: Int32
    /// Metrics from the run's manifest (empty when it failed).
    public var metrics: [String: Double]
    /// Wall-clock seconds of the execution; nil when not measured (a model directory adopted by the runner).
    public var seconds: Double?
    /// The full command line (the executable's name, then the arguments), for the record.
    public var command: [String]
    /// The Montague version that ran it.
    public var montagueVersion: String
    /// When the execution ended (ISO 8601), or the recorded result's date.
    public var finished: String
    /// Where a result recorded by hand came from (e.g. a run made before the runner existed); nil for executions.
    public var note: String?

    /// Makes a record.
    public init(
        run: String, seed: UInt64, status: String, exitStatus: Int32, metrics: [String: Double], seconds: Double?,
        command: [String], montagueVersion: String = MontagueVersion.current, finished: String, note: String? = nil
    ) {
        self.run = run
        self.seed = seed
        self.status = status
        self.exitStatus = exitStatus
        self.metrics = metrics
        self.seconds = seconds
        self.command = command
        self.montagueVersion = montagueVersion
        self.finished = finished
        self.note = note
    }

    /// Whether the execution succeeded.
    public var succeeded: Bool { status == "ok" }

    /// The steps done and the steps of the training schedule, when the model's metrics record both
    /// (`train.steps` and `train.schedule_steps`: a seq2seq run with a warm-up–cosine schedule, a GAN with a
    /// step-size decay) and the run stopped before the schedule's end — typically at its time limit, with exit
    /// status 0. Executing the run's command again continues its directory.
    public var stoppedEarly: (steps: Int, scheduled: Int)? {
        guard let steps = metrics["train.steps"], let scheduled = metrics["train.schedule_steps"], steps < scheduled
        else { return nil }
        return (Int(steps), Int(scheduled))
    }

    /// Whether the run has its final result: it succeeded and did not stop before its schedule's end.
    public var isComplete: Bool { succeeded && stoppedEarly == nil }
}

/// The results file of a plan: JSON Lines of ``ExperimentRecord``, appended one line per execution, so an
/// interrupted campaign resumes where it stopped.
public struct ExperimentResults: Sendable {
    /// The file.
    public let url: URL
    /// Every record, in file order (a later record of the same run and seed supersedes an earlier one).
    public private(set) var records: [ExperimentRecord]

    /// Reads the file (a missing file is an empty result set).
    ///
    /// - Throws: ``InputError`` at `file:line` for a malformed line.
    public init(url: URL) throws {
        self.url = url
        records = []
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let decoder = JSONDecoder()
        for (index, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                records.append(try decoder.decode(ExperimentRecord.self, from: Data(trimmed.utf8)))
            } catch {
                throw InputError(
                    "malformed result: \(ExperimentPlan.describe(error))",
                    at: SourceLocation(file: url.path, line: index + 1, column: 1))
            }
        }
    }

    /// The latest record of `run` with `seed`, if any.
    public func latest(run: String, seed: UInt64) -> ExperimentRecord? {
        records.last { $0.run == run && $0.seed == seed }
    }

    /// Appends `record` to the file (rewritten atomically, so a crash never leaves half a line).
    public mutating func append(_ record: ExperimentRecord) throws {
        records.append(record)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for record in records {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(data, to: url)
    }
}
