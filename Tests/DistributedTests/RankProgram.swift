import Foundation

/// Runs the `DistributedRankCheck` program alone or under `mpirun`, with a timeout, for the Distributed tests.
struct RankProgram {
    /// What one run produced.
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
        var timedOut: Bool

        /// The last line of standard output decoded as a JSON object (rank 0's report).
        func report() throws -> [String: Any] {
            let line = standardOutput.split(separator: "\n").last.map(String.init) ?? ""
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(description: "no JSON report in the output:\n\(standardOutput)\n\(standardError)")
            }
            return object
        }
    }

    /// Why a run could not be started or understood.
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The built rank program.
    let program: URL
    /// `mpirun` on the `PATH`, or nil (then the multi-rank tests are skipped, saying why).
    let mpirun: URL?

    /// Why the multi-rank tests cannot run here, or nil when they can.
    static var skipReason: String? {
        locateMPIRun() == nil ? "mpirun not found on PATH: install Open MPI (make setup) to run the 2-rank tests" : nil
    }

    /// Finds the program beside the test bundle (SwiftPM puts executables and test bundles side by side).
    static func locate(filePath: String = #filePath) throws -> RankProgram {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        let packageRoot = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            directories.append(packageRoot.appendingPathComponent(".build").appendingPathComponent(configuration))
        }
        let candidates = directories.map { $0.appendingPathComponent("DistributedRankCheck") }
        guard let program = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure(
                description: "DistributedRankCheck not found (build with `swift build --build-tests`); searched "
                    + candidates.map(\.path).joined(separator: ", "))
        }
        return RankProgram(program: program, mpirun: locateMPIRun())
    }

    /// The `montague` executable built beside the rank program.
    var montague: URL { program.deletingLastPathComponent().appendingPathComponent("montague") }

    static func locateMPIRun() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the program with `arguments` on `ranks` ranks (`mpirun --allow-run-as-root --oversubscribe -np ranks`,
    /// shared memory only) or alone when `ranks` is nil; kills it after `timeout` seconds.
    func run(
        _ arguments: [String], ranks: Int?, environment extra: [String: String] = [:], timeout: Double = 120,
        executable: URL? = nil
    ) throws -> Result {
        let program = executable ?? program
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("montague-mpi-test-\(UUID().uuidString)")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        _ = fileManager.createFile(atPath: outputURL.path, contents: nil)
        _ = fileManager.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") || key.hasPrefix("PMI_") {
            environment[key] = nil
        }
        environment["OPENBLAS_NUM_THREADS"] = "1"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        if let ranks {
            guard let mpirun else { throw Failure(description: "mpirun not found") }
            process.executableURL = mpirun
            process.arguments =
                [
                    "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np", String(ranks),
                    program.path,
                ] + arguments
        } else {
            process.executableURL = program
            process.arguments = arguments
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            finished.wait()
        }
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self),
            standardError: String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self),
            timedOut: timedOut)
    }
}
