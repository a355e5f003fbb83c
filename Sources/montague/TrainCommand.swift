import ArgumentParser
import Foundation
import NeuralNet

/// `montague train …`: training runs of the models in the library.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train models.",
        subcommands: [TrainSeq2SeqCommand.self, TrainRLCommand.self])
}

/// `montague train seq2seq --train FILE --test FILE [...]`: trains an attention encoder–decoder on SCAN-format
/// pairs and prints exact-match accuracy on the test file (the training logic is `Seq2SeqExperiment` in NeuralNet).
struct TrainSeq2SeqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq2seq",
        abstract: "Train a sequence-to-sequence model with attention on SCAN-format pairs; report exact match.",
        discussion: """
            Files hold one pair per line, 'IN: <source tokens> OUT: <target tokens>' (SCAN, Lake & Baroni 2018). \
            Vocabularies come from the training file. The decoder is trained with teacher forcing, or with \
            scheduled sampling (Bengio et al. 2015): --scheduled-sampling SCHEDULE with SCHEDULE one of \
            constant:EPS, linear:START,SLOPE,MIN, exponential:K[,MIN], inverse-sigmoid:K (decay over steps). \
            Prints progress, then the test accuracy; --metrics writes one JSON object per line. Exit status 2 on \
            unreadable or malformed files and bad flags.

            Examples:
              montague train seq2seq --train tasks_train_simple.txt --test tasks_test_simple.txt --epochs 5
              montague train seq2seq --train tr.txt --test te.txt --cell lstm --attention additive \\
                --scheduled-sampling inverse-sigmoid:500 --beam 4 --metrics run.jsonl --checkpoint ckpt/
            """)

    @Option(name: .long, help: "Training pairs (SCAN format).")
    var train: String

    @Option(name: .long, help: "Test pairs (SCAN format).")
    var test: String

    @Option(name: .long, help: "Hidden size of encoder and decoder cells.")
    var hidden = 64

    @Option(name: .long, help: "Token embedding size.")
    var embedding = 32

    @Option(name: .long, help: "Stacked layers in encoder and decoder.")
    var layers = 1

    @Option(name: .long, help: "Recurrent cell: gru, lstm or rnn.")
    var cell = "gru"

    @Flag(name: .long, help: "Bidirectional encoder.")
    var bidirectional = false

    @Option(name: .long, help: "Attention: dot, general, additive or none.")
    var attention = "dot"

    @Option(name: .customLong("attention-style"), help: "Where attention enters the decoder: luong or bahdanau.")
    var attentionStyle = "luong"

    @Option(name: .long, help: "Dropout probability in training.")
    var dropout: Float = 0

    @Option(name: .long, help: "Passes over the training file.")
    var epochs = 10

    @Option(name: .customLong("batch-size"), help: "Pairs per gradient step.")
    var batchSize = 32

    @Option(name: .long, help: "Adam learning rate.")
    var lr: Float = 1e-3

    @Option(name: .customLong("clip"), help: "Clip the gradients' global norm (0: no clipping).")
    var clip: Float = 5

    @Flag(name: .customLong("teacher-forcing"), help: "Always feed the gold previous token (the default).")
    var teacherForcing = false

    @Option(name: .customLong("scheduled-sampling"), help: "Scheduled-sampling decay of ε (see the discussion).")
    var scheduledSampling: String?

    @Option(name: .customLong("sampling-choice"), help: "Fed-back prediction in scheduled sampling: argmax or sample.")
    var samplingChoice = "argmax"

    @Option(name: .long, help: "Seed of initialization, shuffling, dropout and sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Beam width at evaluation (1: greedy).")
    var beam = 1

    @Option(name: .customLong("length-penalty"), help: "Beam search length normalization exponent α.")
    var lengthPenalty: Float = 0

    @Option(name: .customLong("max-length"), help: "Longest decoded target.")
    var maxLength = 60

    @Option(name: .customLong("report-every"), help: "Print the running loss every this many steps.")
    var reportEvery = 100

    @Option(
        name: .customLong("time-limit"), help: "Stop training after this many seconds (the steps reached are printed).")
    var timeLimit: Double?

    @Option(name: .customLong("eval-every"), help: "Also measure test exact match every this many steps (metrics).")
    var evalEvery: Int?

    @Option(name: .long, help: "Write metrics as JSON lines to this file.")
    var metrics: String?

    @Option(name: .long, help: "Save a checkpoint to this directory after each epoch; resume from it if present.")
    var checkpoint: String?

    /// Writes a line to standard output unbuffered, so logs of long runs show progress as it happens.
    private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    func validate() throws {
        guard Seq2SeqCellKind(rawValue: cell) != nil else {
            throw ValidationError("unknown --cell '\(cell)': use gru, lstm or rnn")
        }
        guard Seq2SeqAttentionKind(rawValue: attention) != nil else {
            throw ValidationError("unknown --attention '\(attention)': use dot, general, additive or none")
        }
        guard Seq2SeqAttentionStyle(rawValue: attentionStyle) != nil else {
            throw ValidationError("unknown --attention-style '\(attentionStyle)': use luong or bahdanau")
        }
        guard ScheduledSamplingChoice(rawValue: samplingChoice) != nil else {
            throw ValidationError("unknown --sampling-choice '\(samplingChoice)': use argmax or sample")
        }
        if let scheduledSampling {
            guard !teacherForcing else {
                throw ValidationError("--teacher-forcing and --scheduled-sampling exclude each other")
            }
            guard ScheduledSampling(parsing: scheduledSampling) != nil else {
                throw ValidationError("malformed --scheduled-sampling '\(scheduledSampling)'")
            }
        }
        guard hidden > 0, embedding > 0, layers > 0, epochs >= 0, batchSize > 0, beam > 0, maxLength > 0,
            reportEvery > 0
        else {
            throw ValidationError(
                "--hidden, --embedding, --layers, --batch-size, --beam, --max-length, --report-every must be positive; --epochs ≥ 0"
            )
        }
        guard (0..<1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1)") }
        if let evalEvery, evalEvery <= 0 { throw ValidationError("--eval-every must be positive") }
        if let timeLimit, !(timeLimit > 0) { throw ValidationError("--time-limit must be positive") }
        guard lr > 0, clip >= 0 else { throw ValidationError("--lr must be positive and --clip ≥ 0") }
    }

    func run() throws {
        let trainPairs: [Seq2SeqExample]
        let testPairs: [Seq2SeqExample]
        do {
            trainPairs = try Seq2SeqDataset.loadSCAN(path: train)
            testPairs = try Seq2SeqDataset.loadSCAN(path: test)
        } catch {
            throw ValidationError(error.description)
        }
        let training = Seq2SeqTrainingConfiguration(
            epochs: epochs, batchSize: batchSize, learningRate: lr, gradientClipNorm: clip > 0 ? clip : nil,
            sampling: scheduledSampling.flatMap(ScheduledSampling.init(parsing:)) ?? .teacherForcing,
            samplingChoice: ScheduledSamplingChoice(rawValue: samplingChoice) ?? .argmax, seed: seed,
            maxDecodeLength: maxLength, beamWidth: beam, lengthPenalty: lengthPenalty, reportEvery: reportEvery,
            timeLimit: timeLimit)
        let settings = Seq2SeqExperiment.Settings(
            cell: Seq2SeqCellKind(rawValue: cell) ?? .gru, embeddingSize: embedding, hiddenSize: hidden,
            layerCount: layers, bidirectional: bidirectional,
            attention: Seq2SeqAttentionKind(rawValue: attention) ?? .dot,
            attentionStyle: Seq2SeqAttentionStyle(rawValue: attentionStyle) ?? .luong, dropout: dropout,
            modelSeed: seed, training: training)

        say(
            "seed: \(seed)  cell: \(cell)  hidden: \(hidden)  embedding: \(embedding)  layers: \(layers)  attention: \(attention)"
        )
        let result = try Seq2SeqExperiment.run(
            train: trainPairs, test: testPairs, settings: settings,
            checkpointDirectory: checkpoint.map { URL(fileURLWithPath: $0, isDirectory: true) },
            metricsURL: metrics.map { URL(fileURLWithPath: $0) }, evaluationInterval: evalEvery
        ) { event in
            switch event {
            case .started(let source, let target, let parameters, let trainCount, let testCount):
                say(
                    "train pairs: \(trainCount)  test pairs: \(testCount)  source vocabulary: \(source)  "
                        + "target vocabulary: \(target)  parameters: \(parameters)")
            case .progress(let p):
                say(
                    String(
                        format: "epoch %d  step %d  loss %.4f  eps %.3f  %.0fs%@", p.epoch, p.step, p.loss,
                        p.goldProbability, p.seconds, p.endOfEpoch ? "  (epoch mean)" : ""))
            case .resumed(let step, let path):
                say("resumed from \(path) after step \(step)")
            case .timeLimitReached(let step):
                say("time limit reached after step \(step)")
            case .evaluated:
                break
            }
        }
        for error in result.errors {
            say("mismatch: IN: \(error.source)\n  expected: \(error.reference)\n  got:      \(error.prediction)")
        }
        say(
            String(
                format: "exact match: %.4f (%d/%d)  steps: %d  training: %.1fs  evaluation: %.1fs", result.testAccuracy,
                result.correct, result.total, result.steps, result.trainingSeconds, result.evaluationSeconds))
    }
}
