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
            TrainSeqGANCommand.self, TrainSentenceVAECommand.self,
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

/// `montague train seq2seq --train FILE [--valid FILE] [--test FILE] [--output DIR] [...]`: trains an attention
/// encoder–decoder on SCAN-format pairs (the training logic is ``Seq2SeqExperiment`` in NeuralNet).
struct TrainSeq2SeqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq2seq",
        abstract: "Train a sequence-to-sequence model with attention on SCAN-format pairs; report exact match.",
        discussion: """
            Files hold one pair per line, 'IN: <source tokens> OUT: <target tokens>' (SCAN, Lake & Baroni 2018). \
            Vocabularies come from the training file. The decoder is trained with teacher forcing, or with \
            scheduled sampling (Bengio et al. 2015): --scheduled-sampling SCHEDULE with SCHEDULE one of \
            constant:EPS, linear:START,SLOPE,MIN, exponential:K[,MIN], inverse-sigmoid:K (decay over steps).

            With --valid, exact match on the validation pairs is measured every epoch (or --eval-every steps) and \
            the best model is kept in DIR/best. --output DIR writes a model directory that `montague predict DIR` \
            and `montague evaluate DIR` load, every epoch (or --save-every steps) and at the end; running the same \
            command again resumes it, with the saved settings for every flag not given. Ctrl-C finishes the \
            current step, saves and exits (status 130). Epochs are counted from 0 in the progress, the summaries \
            and the metrics log. --metrics writes one JSON object per line: batch_loss (the step's batch) and \
            running_loss (the mean the terminal shows). Exit status \
            2 on unreadable or malformed files, unwritable outputs and bad flags.

            Examples:
              montague train seq2seq --train scan_train.txt --valid scan_valid.txt --test scan_test.txt \\
                --steps 200 --output runs/scan
              montague train seq2seq --train tr.txt --test te.txt --cell lstm --attention additive \\
                --scheduled-sampling inverse-sigmoid:500 --beam 4 --metrics run.jsonl --time-limit 45m
            """)

    @Option(name: .long, help: "Training pairs (SCAN format).")
    var train: String

    @Option(name: .long, help: "Validation pairs (SCAN format): periodic exact match and keep-best.")
    var valid: String?

    @Option(name: .long, help: "Test pairs (SCAN format), decoded once after training.")
    var test: String?

    @OptionGroup var common: TrainingRunOptions

    @Option(name: .long, help: "Hidden size of encoder and decoder cells (default 64).")
    var hidden: Int?

    @Option(name: .long, help: "Token embedding size (default 32).")
    var embedding: Int?

    @Option(name: .long, help: "Stacked layers in encoder and decoder (default 1).")
    var layers: Int?

    @Option(name: .long, help: "Recurrent cell (default gru).")
    var cell: Seq2SeqCellKind?

    @Flag(name: .long, inversion: .prefixedNo, help: "Bidirectional encoder (default: no).")
    var bidirectional: Bool?

    @Option(name: .long, help: "Attention score (default dot).")
    var attention: Seq2SeqAttentionKind?

    @Option(name: .customLong("attention-style"), help: "Where attention enters the decoder (default luong).")
    var attentionStyle: Seq2SeqAttentionStyle?

    @Option(name: .long, help: "Dropout probability in training (default 0).")
    var dropout: Float?

    @Option(name: .long, help: "Passes over the training file (default 10).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Pairs per gradient step (default 32).")
    var batchSize: Int?

    @Option(name: .long, help: "Adam learning rate (default 0.001).")
    var lr: Float?

    @Option(name: .customLong("clip"), help: "Clip the gradients' global norm (0: no clipping; default 5).")
    var clip: Float?

    @Flag(name: .customLong("teacher-forcing"), help: "Always feed the gold previous token (the default).")
    var teacherForcing = false

    @Option(name: .customLong("scheduled-sampling"), help: "Scheduled-sampling decay of ε (see the discussion).")
    var scheduledSampling: ScheduledSampling?

    @Option(name: .customLong("sampling-choice"), help: "Fed-back prediction in scheduled sampling (default argmax).")
    var samplingChoice: ScheduledSamplingChoice?

    @Option(name: .long, help: "Beam width at evaluation (1: greedy, the default).")
    var beam: Int?

    @Option(name: .customLong("length-penalty"), help: "Beam search length normalization exponent α (default 0).")
    var lengthPenalty: Float?

    @Option(name: .customLong("max-length"), help: "Longest decoded target (default 60).")
    var maxLength: Int?

    @Option(
        name: .customLong("eval-every"), help: "Measure exact match every this many steps (on --valid, else --test).")
    var evalEvery: Int?

    @Flag(name: .customLong("no-keep-best"), help: "Do not keep the best validation model in DIR/best.")
    var noKeepBest = false

    func validate() throws {
        if scheduledSampling != nil, teacherForcing {
            throw ValidationError("--teacher-forcing and --scheduled-sampling exclude each other")
        }
        if let hidden { try requirePositive(hidden, "--hidden") }
        if let embedding { try requirePositive(embedding, "--embedding") }
        if let layers { try requirePositive(layers, "--layers") }
        if let epochs { try requireNonNegative(epochs, "--epochs") }
        if let batchSize { try requirePositive(batchSize, "--batch-size") }
        if let beam { try requirePositive(beam, "--beam") }
        if let maxLength { try requirePositive(maxLength, "--max-length") }
        if let lr { try requirePositive(lr, "--lr") }
        if let clip { try requireNonNegative(clip, "--clip") }
        if let dropout, !(0..<1).contains(dropout) {
            throw ValidationError("--dropout must be in [0, 1), got \(dropout)")
        }
        if let evalEvery { try requirePositive(evalEvery, "--eval-every") }
    }

    /// The run's settings: the flags given, and for the others the resumed model directory's (its manifest), or
    /// the defaults for a new run — so resuming needs no flag repeated.
    func resolvedSettings() throws -> Seq2SeqExperiment.Settings {
        var base = Seq2SeqExperiment.Settings()
        if let output = common.output {
            let directory = ModelDirectory(path: output)
            if FileManager.default.fileExists(atPath: directory.trainingStateURL.path) {
                base = try Seq2SeqPredictor.hyperparameters(in: directory).settings
            }
        }
        var t = base.training
        t.epochs = epochs ?? t.epochs
        t.batchSize = batchSize ?? t.batchSize
        t.learningRate = lr ?? t.learningRate
        if let clip { t.gradientClipNorm = clip > 0 ? clip : nil }
        if teacherForcing { t.sampling = .teacherForcing }
        if let scheduledSampling { t.sampling = scheduledSampling }
        t.samplingChoice = samplingChoice ?? t.samplingChoice
        t.seed = common.seed ?? t.seed
        t.maxDecodeLength = maxLength ?? t.maxDecodeLength
        t.beamWidth = beam ?? t.beamWidth
        t.lengthPenalty = lengthPenalty ?? t.lengthPenalty
        t.reportEvery = common.reportEvery
        t.timeLimit = common.timeLimit?.seconds
        return Seq2SeqExperiment.Settings(
            cell: cell ?? base.cell, embeddingSize: embedding ?? base.embeddingSize,
            hiddenSize: hidden ?? base.hiddenSize, layerCount: layers ?? base.layerCount,
            bidirectional: bidirectional ?? base.bidirectional, attention: attention ?? base.attention,
            attentionStyle: attentionStyle ?? base.attentionStyle, dropout: dropout ?? base.dropout,
            modelSeed: common.seed ?? base.modelSeed, training: t)
    }

    /// Writes a line to standard output unbuffered, so logs of long runs show progress as it happens.
    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func run() throws {
        let trainPairs = try Seq2SeqDataset.loadSCAN(path: train)
        let validPairs = try valid.map(Seq2SeqDataset.loadSCAN(path:)) ?? []
        let testPairs = try test.map(Seq2SeqDataset.loadSCAN(path:)) ?? []
        let settings = try resolvedSettings()
        var fingerprints: [String: String] = [:]
        for path in [train, valid, test].compactMap({ $0 }) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            fingerprints[(path as NSString).lastPathComponent] = "\(size ?? 0) bytes"
        }
        let options = Seq2SeqExperiment.RunOptions(
            output: common.output.map { ModelDirectory(path: $0) },
            metricsURL: common.metrics.map { URL(fileURLWithPath: $0) },
            evaluationInterval: evalEvery, checkpointInterval: common.saveEvery, keepBest: !noKeepBest,
            totalSteps: common.steps, shouldStop: { Interruption.isRequested }, dataFingerprints: fingerprints)

        say(
            "seed: \(settings.training.seed)  cell: \(settings.cell.rawValue)  hidden: \(settings.hiddenSize)  "
                + "embedding: \(settings.embeddingSize)  layers: \(settings.layerCount)  "
                + "attention: \(settings.attention.rawValue)")
        Interruption.install()
        let result = try Seq2SeqExperiment.run(
            train: trainPairs, valid: validPairs, test: testPairs, settings: settings, options: options
        ) { event in
            switch event {
            case .started(let source, let target, let parameters, let trainCount, let testCount):
                say(
                    "train pairs: \(trainCount)  valid pairs: \(validPairs.count)  test pairs: \(testCount)  "
                        + "source vocabulary: \(source)  target vocabulary: \(target)  parameters: \(parameters)")
            case .progress(let p):
                let label = p.endOfEpoch ? "epoch mean loss" : "running loss"
                say(
                    "epoch \(p.epoch)  step \(p.step)  \(label) "
                        + String(format: "%.4f  eps %.3f  %.0fs", p.loss, p.goldProbability, p.seconds))
            case .resumed(let step, let path):
                say("resumed from \(path) after step \(step)")
            case .validated(let step, let accuracy, let best):
                say(String(format: "step %d  valid exact match %.4f", step, accuracy) + (best ? "  (best)" : ""))
            case .timeLimitReached(let step):
                say("time limit reached after step \(step)")
            case .interrupted(let step):
                say("interrupted after step \(step)")
            case .saved, .evaluated:
                break
            }
        }
        if let output = common.output { say("model directory: \(output)") }
        if result.interrupted { throw ExitCode(130) }
        for error in result.errors {
            say("mismatch: IN: \(error.source)\n  expected: \(error.reference)\n  got:      \(error.prediction)")
        }
        if let best = result.bestValidationAccuracy { say(String(format: "best valid exact match: %.4f", best)) }
        let exactMatch =
            testPairs.isEmpty
            ? "" : String(format: "exact match: %.4f (%d/%d)  ", result.testAccuracy, result.correct, result.total)
        say(
            exactMatch
                + String(
                    format: "steps: %d  training: %.1fs  evaluation: %.1fs", result.steps, result.trainingSeconds,
                    result.evaluationSeconds))
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
