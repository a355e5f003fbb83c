import ArgumentParser
import Autodiff
import Foundation
import MontagueSupport

/// The `montague` command-line tool: parses arguments, calls one library entry point per subcommand, prints.
///
/// Exit codes follow ../shared/ARCHITECTURE.md: 0 success (or the property holds), 1 the property does not hold,
/// 2 usage or input error.
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
            ExperimentCommand.self, ScoreTextCommand.self,
        ]
    )

    /// Parses and runs the command. Same as argument-parser's default, except that usage errors (unknown flags,
    /// failed validation) exit with status 2 instead of `EX_USAGE` (64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as any LocatedError {
            // Input errors know where they are: `file:line:column: error: message`, exit status 2.
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            Foundation.exit(2)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
