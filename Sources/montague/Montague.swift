import ArgumentParser
import Autodiff
import Foundation
import MontagueSupport

/// The `montague` command-line tool: parses arguments, calls one library entry point per subcommand, prints.
///
/// Exit codes follow ARCHITECTURE.md: 0 success (or the property holds), 1 the property does not hold, 2 usage or
/// input error.
@main
struct Montague: ParsableCommand {
    /// The release version printed by `montague --version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "montague",
        abstract: "Compositional semantics and NLP in Swift.",
        discussion: """
            Check the compositionality of grammars, train text style-transfer models and load XML corpora, \
            all on a Float32 tensor and reverse-mode autodiff core with gradients of gradients.
            """,
        version: version,
        subcommands: [
            CheckCommand.self, ZadroznyCommand.self, EnumerateCommand.self, GenerateCommand.self, EvalCommand.self,
            CorpusCommand.self, SampleCommand.self, GMMCommand.self, DemoCommand.self,
            PlotCommand.self, TrainCommand.self, PredictCommand.self, EvaluateCommand.self,
            ExperimentCommand.self, ScoreTextCommand.self, ScoreCommand.self,
        ]
    )

    /// Parses and runs the command with one error convention:
    ///
    /// - a single-value option given twice: refused before parsing (``RepeatedOptions``), status 2;
    /// - usage errors found while parsing (unknown flags, bad values, failed `validate()`): argument-parser's
    ///   message with the failing subcommand's usage, status 2 (not `EX_USAGE`, 64);
    /// - errors thrown by `run()`: one line `file:line:column: error: message` (or `error: message` when no file
    ///   is concerned), no usage, status 2; an explicit `ExitCode` keeps its status.
    static func main() {
        useModernBLASKernels()
        if let problem = RepeatedOptions.problem(in: Array(CommandLine.arguments.dropFirst()), help: _dumpHelp) {
            FileHandle.standardError.write(Data(("error: " + problem + "\n").utf8))
            Foundation.exit(2)
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        do {
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let clean as CleanExit {
            exit(withError: clean)
        } catch  where !(error is any LocatedError) && exitCode(for: error) == .success {
            exit(withError: error)  // --help and --version, which argument-parser reports as errors of `run()`
        } catch {
            FileHandle.standardError.write(Data((CommandFailure.message(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// Runs the process again with `OPENBLAS_CORETYPE` set when OpenBLAS chose kernels older than the CPU
/// (``BLASRuntime/recommendedCoreType``; OpenBLAS reads the variable only when it is loaded, so the choice cannot be
/// changed in this process). A value the user set is kept; if the re-execution fails, the command runs as it is.
private func useModernBLASKernels() {
    guard let family = BLASRuntime.recommendedCoreType else { return }
    setenv("OPENBLAS_CORETYPE", family, 1)
    var arguments = CommandLine.arguments.map { strdup($0) } + [nil]
    execv("/proc/self/exe", &arguments)
    // Still here: the re-execution failed; keep the kernels OpenBLAS chose.
    unsetenv("OPENBLAS_CORETYPE")
    for argument in arguments { free(argument) }
}

/// How an error thrown by a subcommand's `run()` is printed: one line, `file:line:column: error: message` where a
/// file is concerned, otherwise `error: message`, never a doubled prefix or a raw Foundation error domain.
enum CommandFailure {
    /// The one-line (or, for lists of problems, first-line-plus-items) message of `error`.
    static func message(for error: any Error) -> String {
        switch error {
        case let located as any LocatedError:
            return located.description
        case let validation as ValidationError:
            return prefixed(validation.message)
        case let described as any CustomStringConvertible where !(error is CocoaError):
            return prefixed(described.description)
        default:
            // Foundation's file errors: the path and the reason in words, not `Error Domain=NSCocoaErrorDomain …`.
            let nsError = error as NSError
            let path =
                (nsError.userInfo[NSFilePathErrorKey] as? String) ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
            let reason = nsError.localizedDescription
            return path.map { "\($0): error: \(reason)" } ?? "error: \(reason)"
        }
    }

    /// `text` with an `error:` prefix unless it already has one (`path: error: …` or `error: …`).
    static func prefixed(_ text: String) -> String {
        let firstLine = text.prefix { $0 != "\n" }
        if firstLine.hasPrefix("error: ") || firstLine.contains(": error: ") { return text }
        return "error: " + text
    }
}
