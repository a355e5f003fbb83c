import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import Synchronization

/// `montague train …`: training runs of the models in the library.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models.",
        subcommands: [
            TrainSeq2SeqCommand.self, TrainLMCommand.self, TrainStyleTransferCommand.self, TrainGANCommand.self,
            TrainVAECommand.self, TrainMetaCommand.self, TrainEWCCommand.self, TrainRLCommand.self,
            TrainSeqGANCommand.self, TrainSentenceVAECommand.self, TrainStyleJudgeCommand.self,
        ])
}

/// The options every `train` subcommand shares: budget, seed, metrics, output directory.
struct TrainingRunOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Write the model directory here (manifest, weights, vocabularies, training state); resume it if present.")
    var output: String?

    @Option(name: .long, help: "A step budget (replaces the epochs' steps).")
    var steps: Int?

    @Option(name: .customLong("time-limit"), help: "Stop training after this wall-clock time: 90s, 45m, 2h.")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Seed of initialization, shuffling, dropout and sampling (default 0).")
    var seed: UInt64?

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    @Option(name: .customLong("report-every"), help: "Print and log the running loss every this many steps.")
    var reportEvery = 100

    @Option(
        name: .customLong("save-every"), help: "Save the model directory every this many steps (default: each epoch).")
    var saveEvery: Int?

    func validate() throws {
        if let steps { try requirePositive(steps, "--steps") }
        try requirePositive(reportEvery, "--report-every")
        if let saveEvery { try requirePositive(saveEvery, "--save-every") }
        if saveEvery != nil, output == nil { throw ValidationError("--save-every needs --output") }
    }
}

/// Ctrl-C during training: the first SIGINT asks the run to stop after the current step (it then saves and
/// exits); a second one ends the process at once.
enum Interruption {
    private static let requested = Atomic<Bool>(false)

    /// Whether SIGINT was received.
    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Installs the handler (and unblocks SIGINT, which a parent process may have left blocked).
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            if Interruption.requested.exchange(true, ordering: .relaxed) { _exit(130) }
        }
    }
}
