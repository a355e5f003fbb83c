import Foundation
import Testing

/// README.md's quick tour runs as written: every command of its ```sh blocks, in order, in a fresh directory with
/// the repository's `grammars/`, `corpora/` and `experiments/` beside it and the built `montague` first on `PATH`.
///
/// Commands are found, not listed here: a command added to the tour is tested from then on. A command's expected
/// exit status is 0 unless its trailing comment says `exit N`.
@Suite("README quick tour")
struct ReadmeTests {
    /// One command of the tour.
    struct TourCommand: CustomStringConvertible {
        var text: String
        var expectedStatus: Int32
        var description: String { text }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The commands of the `## Quick tour` section: lines of its ```sh blocks, backslash continuations joined,
    /// blank and comment-only lines skipped.
    static func tourCommands(readme: String) -> [TourCommand] {
        guard let start = readme.range(of: "\n## Quick tour\n") else { return [] }
        let rest = readme[start.upperBound...]
        let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
        var commands: [TourCommand] = []
        var inBlock = false
        var pending = ""
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inBlock = !inBlock && trimmed == "```sh"
                continue
            }
            guard inBlock else { continue }
            if pending.isEmpty && (trimmed.isEmpty || trimmed.hasPrefix("#")) { continue }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast().trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            let text = pending + trimmed
            pending = ""
            commands.append(TourCommand(text: text, expectedStatus: expectedStatus(of: text)))
        }
        return commands
    }

    /// `N` when the command's trailing comment contains `exit N`, else 0.
    static func expectedStatus(of command: String) -> Int32 {
        guard let hash = command.range(of: "  #") else { return 0 }
        let comment = command[hash.upperBound...]
        guard let exit = comment.range(of: "exit ") else { return 0 }
        return Int32(comment[exit.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    @Test func extractionJoinsContinuationsAndReadsExpectedStatus() {
        let readme = """
            # T

            ## Quick tour

            ```sh
            # a comment
            montague a --x 1 \\
              --y 2   # note
            montague b   # exit 1: fails on purpose
            ```

            ```swift
            not a command
            ```

            ## Next
            ```sh
            montague c
            ```
            """
        let commands = Self.tourCommands(readme: readme)
        #expect(commands.map(\.text) == ["montague a --x 1 --y 2   # note", "montague b   # exit 1: fails on purpose"])
        #expect(commands.map(\.expectedStatus) == [0, 1])
    }

    @Test func everyQuickTourCommandRunsAsWritten() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(!readme.contains("../shared"), "README.md points outside the repository")
        let commands = Self.tourCommands(readme: readme)
        #expect(commands.count >= 10, "quick tour not found or too short: \(commands)")
        let executable = try MontagueExecutable.locate()
        let fileManager = FileManager.default
        let directory = fileManager.temporaryDirectory.appendingPathComponent("montague-readme-\(UUID())")
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: directory) }
        for folder in ["grammars", "corpora", "experiments"] {
            try fileManager.createSymbolicLink(
                at: directory.appendingPathComponent(folder),
                withDestinationURL: Self.packageRoot.appendingPathComponent(folder))
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            executable.url.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["OPENBLAS_NUM_THREADS"] = "1"
        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command.text]
            process.currentDirectoryURL = directory
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            let errorURL = directory.appendingPathComponent(".stderr")
            _ = fileManager.createFile(atPath: errorURL.path, contents: nil)
            let errorHandle = try FileHandle(forWritingTo: errorURL)
            process.standardError = errorHandle
            try process.run()
            process.waitUntilExit()
            try errorHandle.close()
            let standardError = String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
            #expect(
                process.terminationStatus == command.expectedStatus,
                "`\(command.text)` exited with \(process.terminationStatus): \(standardError)")
        }
    }
}
