import Foundation

/// Runs the built `montague` executable in a child process, for end-to-end CLI tests.
struct MontagueExecutable {
    /// What one run produced.
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Why the executable could not be found or started.
    struct NotFound: Error, CustomStringConvertible {
        var searched: [URL]
        var description: String {
            "montague executable not found; searched:\n" + searched.map { "  " + $0.path }.joined(separator: "\n")
                + "\nBuild it with `swift build` or set MONTAGUE_EXECUTABLE."
        }
    }

    /// The executable's location.
    let url: URL

    /// Finds the executable built alongside the test bundle.
    ///
    /// Looks, in order, at `MONTAGUE_EXECUTABLE`, the products directory holding the test runner (SwiftPM puts
    /// executables and test bundles side by side: `.build/<triple>/<configuration>/`), the directory above a
    /// `.xctest` bundle, and finally `.build/{debug,release}/montague` under the package root found from this file.
    static func locate(filePath: String = #filePath) throws -> MontagueExecutable {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["MONTAGUE_EXECUTABLE"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL)
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        // Walk up from Tests/CLITests/<this file> to the package root.
        let packageRoot = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for configuration in ["debug", "release"] {
            directories.append(packageRoot.appendingPathComponent(".build").appendingPathComponent(configuration))
        }
        candidates += directories.map { $0.appendingPathComponent("montague") }
        let fileManager = FileManager.default
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate.path)
            {
                return MontagueExecutable(url: candidate)
            }
        }
        throw NotFound(searched: candidates)
    }

    /// Runs the executable with `arguments`, no standard input, and returns its status and output.
    ///
    /// Output goes to temporary files rather than pipes so a large output cannot fill a pipe and block the child.
    func run(_ arguments: [String]) throws -> Result {
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory
            .appendingPathComponent("montague-cli-test-\(UUID().uuidString)")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        for file in [outputURL, errorURL] where !fileManager.createFile(atPath: file.path, contents: nil) {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        let output = try FileHandle(forWritingTo: outputURL)
        let error = try FileHandle(forWritingTo: errorURL)

        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try process.run()
        process.waitUntilExit()
        try output.close()
        try error.close()

        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }
}
