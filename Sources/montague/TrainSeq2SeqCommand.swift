import ArgumentParser
import Corpus
import Distributed
import Foundation
import MontagueSupport
import NeuralNet

/// `montague train seq2seq --train FILE [--valid FILE] [--test FILE] [--output DIR] [...]`: trains a recurrent
/// encoder–decoder with attention or a Transformer on parallel text (the training logic is ``Seq2SeqExperiment``
/// in NeuralNet; the data readers ``Seq2SeqParallelText`` and ``Seq2SeqParallelData``).
struct TrainSeq2SeqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seq2seq",
        abstract: "Train a sequence-to-sequence model (recurrent with attention, or Transformer); report exact match.",
        discussion: """
            Data: SCAN files ('IN: <source> OUT: <target>' a line; Lake & Baroni 2018), tab-separated pairs \
            (FILE.tsv: 'source<TAB>target'; further columns are ignored, --columns S,T picks two), a TMX \
            translation memory (FILE.tmx, with --source-language and \
            --target-language), or two line-aligned files (--train SOURCE --train-target TARGET, the same for \
            --valid and --test). --data-format overrides the guess from the file names. Text is split on \
            whitespace (--tokenizer whitespace, the default), by Montague's word tokenizer (default), or into \
            subwords: bpe:N or unigram:N train one tokenizer of N tokens on both sides of the training pairs, a \
            tokenizer.json is loaded; the tokenizer is saved in the model directory and `montague predict` applies it.
            --copy makes the recurrent decoder a pointer-generator (See, Liu & Manning 2017): each step mixes the \
            vocabulary softmax with the attention weights scattered onto the source tokens, through a learned gate, \
            so source words (names, rare words) can be copied to the output; source and target then share one \
            vocabulary built from both sides of the training pairs.

            --arch recurrent (the default) is an encoder–decoder of --cell units with --attention; --arch \
            transformer is the encoder–decoder of Vaswani et al. 2017 with --layers encoder and decoder layers \
            (default 3), --model-size (128), --heads (4), --feed-forward (4 × model size), --positions, --norm \
            (pre-norm) and --activation. The decoder is trained with teacher forcing, or with scheduled sampling \
            (Bengio et al. 2015; two-pass for Transformers, Mihaylova & Martins 2019): --scheduled-sampling \
            SCHEDULE with SCHEDULE one of constant:EPS, linear:START,SLOPE,MIN, exponential:K[,MIN], \
            inverse-sigmoid:K (decay over steps). Each coin decides one target position \
            (--teacher-forcing-mode token, the default, as Bengio et al. 2015) or a whole training sequence \
            (--teacher-forcing-mode sequence, as Lake & Baroni 2018: with --scheduled-sampling constant:0.5 half of \
            the sequences are teacher-forced and the other half read the model's own predictions throughout). \
            --lr-schedule warmup-inverse-sqrt or warmup-cosine with --warmup-steps N warms Adam's rate up to --lr \
            and then decays it; the schedule is saved with the model and a resumed run continues it.

            With --valid, exact match on the validation pairs is measured every epoch (or --eval-every steps) and \
            the best model is kept in DIR/best. --output DIR writes a model directory that `montague predict DIR` \
            and `montague evaluate DIR` load, every epoch (or --save-every steps) and at the end; running the same \
            command again resumes it, with the saved settings for every flag not given; a flag given with another \
            value than the saved one exits with status 2, except the budgets (--epochs, --steps, --time-limit), \
            decoding (--beam, --length-penalty, --max-length) and --batch-size (per rank under mpirun), which may \
            change (with a note). Ctrl-C finishes the \
            current step, saves and exits (status 130). Epochs are counted from 0 in the progress, the summaries \
            and the metrics log. --metrics writes one JSON object per line: batch_loss (the step's batch) and \
            running_loss (the mean the terminal shows). Exit status 2 on unreadable, malformed or misaligned \
            files (file:line:column: error: …), unwritable outputs and bad flags.

            Examples:
              montague train seq2seq --train scan_train.txt --valid scan_valid.txt --test scan_test.txt \\
                --steps 200 --output runs/scan
              montague train seq2seq --train tr.txt --test te.txt --arch transformer --layers 2 --heads 4 \\
                --model-size 128 --dropout 0.1 --beam 4 --time-limit 20m --output runs/scan-transformer
              montague train seq2seq --train modern.txt --train-target original.txt --tokenizer bpe:8000 \\
                --arch transformer --output runs/shakespeare
            """)

    @Option(name: .long, help: "Training pairs (SCAN, TSV or TMX), or the source side with --train-target.")
    var train: String

    @Option(name: .customLong("train-target"), help: "The target side of --train, line-aligned with it.")
    var trainTarget: String?

    @Option(name: .long, help: "Validation pairs: periodic exact match and keep-best.")
    var valid: String?

    @Option(name: .customLong("valid-target"), help: "The target side of --valid, line-aligned with it.")
    var validTarget: String?

    @Option(name: .long, help: "Test pairs, decoded once after training.")
    var test: String?

    @Option(name: .customLong("test-target"), help: "The target side of --test, line-aligned with it.")
    var testTarget: String?

    @Option(
        name: .customLong("data-format"),
        help: "scan, tsv, aligned or tmx (default: tmx for .tmx, tsv for .tsv, aligned with --train-target, else scan)."
    )
    var dataFormat: Seq2SeqParallelFormat?

    @Option(name: .long, help: "TSV: the source and target columns, S,T counted from 1 (default 1,2).")
    var columns: TSVColumns?

    @Option(name: .customLong("source-language"), help: "TMX: the source language (e.g. en).")
    var sourceLanguage: String?

    @Option(name: .customLong("target-language"), help: "TMX: the target language (e.g. fr).")
    var targetLanguage: String?

    @Option(
        name: .long,
        help: """
            whitespace (pre-tokenized text, the default), default (Montague's word tokenizer), bpe:N or unigram:N \
            (subwords trained on both sides of --train), or a Hugging Face tokenizer.json.
            """)
    var tokenizer: TokenizerSpecification?

    @Flag(name: .long, help: "Lowercase the text before tokenizing it.")
    var lowercase = false

    @OptionGroup var common: TrainingRunOptions

    @Option(name: .long, help: "Network: recurrent (cells with attention, the default) or transformer.")
    var arch: Seq2SeqArchitecture?

    @Option(name: .long, help: "Recurrent: hidden size of encoder and decoder cells (default 64).")
    var hidden: Int?

    @Option(name: .long, help: "Recurrent: token embedding size (default 32).")
    var embedding: Int?

    @Option(name: .long, help: "Stacked layers in encoder and decoder (default 1; Transformer 3).")
    var layers: Int?

    @Option(name: .long, help: "Recurrent cell (default gru).")
    var cell: Seq2SeqCellKind?

    @Flag(name: .long, inversion: .prefixedNo, help: "Recurrent: bidirectional encoder (default: no).")
    var bidirectional: Bool?

    @Option(name: .long, help: "Recurrent: attention score (default dot).")
    var attention: Seq2SeqAttentionKind?

    @Option(
        name: .customLong("attention-style"), help: "Recurrent: where attention enters the decoder (default luong).")
    var attentionStyle: Seq2SeqAttentionStyle?

    @Flag(
        name: .long,
        help: """
            Recurrent: a pointer-generator decoder that can copy source tokens (See et al. 2017); source and target \
            share one vocabulary.
            """)
    var copy = false

    @OptionGroup var transformer: TransformerSizeArguments

    @Option(name: .long, help: "Dropout probability in training (default 0).")
    var dropout: Float?

    @Option(name: .long, help: "Passes over the training file (default 10).")
    var epochs: Int?

    @Option(name: .customLong("batch-size"), help: "Pairs per gradient step (default 32).")
    var batchSize: Int?

    @Option(name: .long, help: "Adam learning rate (default 0.001).")
    var lr: Float?

    @OptionGroup var schedule: LearningRateScheduleArguments

    @Option(name: .customLong("clip"), help: "Clip the gradients' global norm (0: no clipping; default 5).")
    var clip: Float?

    @Flag(name: .customLong("teacher-forcing"), help: "Always feed the gold previous token (the default).")
    var teacherForcing = false

    @Option(name: .customLong("scheduled-sampling"), help: "Scheduled-sampling decay of ε (see the discussion).")
    var scheduledSampling: ScheduledSampling?

    @Option(name: .customLong("sampling-choice"), help: "Fed-back prediction in scheduled sampling (default argmax).")
    var samplingChoice: ScheduledSamplingChoice?

    @Option(
        name: .customLong("teacher-forcing-mode"),
        help: "What one scheduled-sampling coin decides: a target position or a whole sequence (default token).")
    var teacherForcingMode: TeacherForcingMode?

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
        for (target, side) in [(validTarget, valid), (testTarget, test)] where target != nil && side == nil {
            throw ValidationError("--valid-target and --test-target need --valid and --test")
        }
        if trainTarget == nil, validTarget != nil || testTarget != nil {
            throw ValidationError("--valid-target and --test-target need --train-target (aligned files)")
        }
    }

    /// The flags that only a recurrent model reads, with their names, when given.
    private var recurrentFlagsGiven: [String] {
        [
            (hidden != nil, "--hidden"), (embedding != nil, "--embedding"), (cell != nil, "--cell"),
            (bidirectional != nil, "--bidirectional"), (attention != nil, "--attention"),
            (attentionStyle != nil, "--attention-style"), (copy, "--copy"),
        ].filter(\.0).map(\.1)
    }

    /// The run's settings: the flags given, and for the others the resumed model directory's (its manifest), or
    /// the defaults for a new run — so resuming needs no flag repeated. When resuming, a flag given with another
    /// value than the stored one is refused (``ContinuedRunSettings``), except the budget and decoding flags
    /// (`--epochs`, `--beam`, `--length-penalty`, `--max-length`) and `--batch-size` (per replica, so it changes
    /// with the number of ranks of a data-parallel run), whose new values are taken with the returned notes.
    ///
    /// - Throws: `ValidationError` for contradicting flags; ``ModelDirectoryError`` for an unreadable manifest or
    ///   a changed setting of a resumed run.
    func resolvedSettings() throws -> (settings: Seq2SeqExperiment.Settings, notes: [String]) {
        var base = Seq2SeqExperiment.Settings()
        var resumed: ModelDirectory?
        if let output = common.output {
            let directory = ModelDirectory(path: output)
            if FileManager.default.fileExists(atPath: directory.trainingStateURL.path) {
                base = try Seq2SeqPredictor.hyperparameters(in: directory).settings
                resumed = directory
            }
        }
        var notes: [String] = []
        if let resumed {
            let check = continuationCheck(stored: base)
            try check.verify(resumed)
            notes = check.notes
        }
        let resuming = resumed != nil
        let architecture = arch ?? base.architecture
        switch architecture {
        case .transformer where !recurrentFlagsGiven.isEmpty:
            throw ValidationError(
                "\(recurrentFlagsGiven.joined(separator: ", ")) do\(recurrentFlagsGiven.count == 1 ? "es" : "") "
                    + "not apply to --arch transformer (use --model-size, --heads, --feed-forward)")
        case .recurrent where !transformer.givenFlags.isEmpty:
            throw ValidationError(
                "\(transformer.givenFlags.joined(separator: ", ")) appl\(transformer.givenFlags.count == 1 ? "ies" : "y") "
                    + "only to --arch transformer")
        default: break
        }
        var t = base.training
        t.epochs = epochs ?? t.epochs
        t.batchSize = batchSize ?? t.batchSize
        t.learningRate = lr ?? t.learningRate
        t.learningRateSchedule = schedule.lrSchedule ?? t.learningRateSchedule
        t.warmupSteps = schedule.warmupSteps ?? t.warmupSteps
        if let clip { t.gradientClipNorm = clip > 0 ? clip : nil }
        if teacherForcing { t.sampling = .teacherForcing }
        if let scheduledSampling { t.sampling = scheduledSampling }
        t.samplingChoice = samplingChoice ?? t.samplingChoice
        t.teacherForcingMode = teacherForcingMode ?? t.teacherForcingMode
        t.seed = common.seed ?? t.seed
        t.maxDecodeLength = maxLength ?? t.maxDecodeLength
        t.beamWidth = beam ?? t.beamWidth
        t.lengthPenalty = lengthPenalty ?? t.lengthPenalty
        t.reportEvery = common.reportEvery
        t.timeLimit = common.timeLimit?.seconds
        let transformerSettings = transformer.applied(to: base.transformer, keepsFeedForward: resuming)
        if architecture == .transformer, let problem = transformerSettings.problem { throw ValidationError(problem) }
        let defaultLayers =
            architecture == .transformer && !(resuming && base.architecture == .transformer)
            ? Seq2SeqTransformerSettings.defaultLayerCount : base.layerCount
        var settings = Seq2SeqExperiment.Settings(
            architecture: architecture, transformer: transformerSettings, cell: cell ?? base.cell,
            embeddingSize: embedding ?? base.embeddingSize, hiddenSize: hidden ?? base.hiddenSize,
            layerCount: layers ?? defaultLayers, bidirectional: bidirectional ?? base.bidirectional,
            attention: attention ?? base.attention, attentionStyle: attentionStyle ?? base.attentionStyle,
            dropout: dropout ?? base.dropout, modelSeed: common.seed ?? base.modelSeed, training: t)
        settings.lowercase = resuming ? base.lowercase || lowercase : lowercase
        settings.copy = resuming ? base.copy || copy : copy
        if settings.copy && settings.architecture == .recurrent && settings.attention == .none {
            throw ValidationError("--copy needs attention (--attention dot, general or additive)")
        }
        settings.tokenizer = base.tokenizer
        return (settings, notes)
    }

    /// The flags given compared with the settings `stored` in the model directory being resumed.
    func continuationCheck(stored base: Seq2SeqExperiment.Settings) -> ContinuedRunSettings {
        var check = ContinuedRunSettings()
        let t = base.training
        check.fixed("--arch", stored: base.architecture, given: arch, text: \.rawValue)
        check.fixed("--layers", stored: base.layerCount, given: layers)
        // Flags of the other architecture are refused by resolvedSettings() as not applying.
        if base.architecture == .recurrent {
            check.fixed("--hidden", stored: base.hiddenSize, given: hidden)
            check.fixed("--embedding", stored: base.embeddingSize, given: embedding)
            check.fixed("--cell", stored: base.cell, given: cell, text: \.rawValue)
            check.fixed("--bidirectional", stored: base.bidirectional, given: bidirectional)
            check.fixed("--attention", stored: base.attention, given: attention, text: \.rawValue)
            check.fixed("--attention-style", stored: base.attentionStyle, given: attentionStyle, text: \.rawValue)
            check.fixed("--copy", stored: base.copy, given: copy ? true : nil)
        } else {
            let network = base.transformer
            check.fixed("--model-size", stored: network.modelSize, given: transformer.modelSize)
            check.fixed("--heads", stored: network.headCount, given: transformer.heads)
            check.fixed("--feed-forward", stored: network.feedForwardSize, given: transformer.feedForward)
            check.fixed(
                "--positions", stored: network.positionalEncoding, given: transformer.positions, text: \.rawValue)
            check.fixed("--norm", stored: network.normPlacement, given: transformer.norm, text: \.rawValue)
            check.fixed("--activation", stored: network.activation, given: transformer.activation, text: \.rawValue)
        }
        check.fixed("--dropout", stored: base.dropout, given: dropout)
        check.fixed("--lr", stored: t.learningRate, given: lr)
        check.fixed("--lr-schedule", stored: t.learningRateSchedule, given: schedule.lrSchedule, text: \.rawValue)
        check.fixed("--warmup-steps", stored: t.warmupSteps, given: schedule.warmupSteps)
        check.fixed(
            "--clip", stored: t.gradientClipNorm, given: clip.map { $0 > 0 ? $0 : nil },
            text: { $0.map { "\($0)" } ?? "0" })
        let samplingText = { (sampling: ScheduledSampling) in
            sampling.isTeacherForcing ? "teacher forcing" : Seq2SeqHyperparameters.text(of: sampling)
        }
        check.fixed(
            "--teacher-forcing", stored: t.sampling, given: teacherForcing ? .teacherForcing : nil, text: samplingText)
        check.fixed("--scheduled-sampling", stored: t.sampling, given: scheduledSampling, text: samplingText)
        check.fixed("--sampling-choice", stored: t.samplingChoice, given: samplingChoice, text: \.rawValue)
        check.fixed("--teacher-forcing-mode", stored: t.teacherForcingMode, given: teacherForcingMode, text: \.rawValue)
        check.fixed("--seed", stored: t.seed, given: common.seed)
        check.fixed("--lowercase", stored: base.lowercase, given: lowercase ? true : nil)
        check.changeable("--epochs", stored: t.epochs, given: epochs)
        // Per replica: a run continued on another number of ranks keeps its global batch with another value.
        check.changeable("--batch-size", stored: t.batchSize, given: batchSize)
        check.changeable("--beam", stored: t.beamWidth, given: beam)
        check.changeable("--length-penalty", stored: t.lengthPenalty, given: lengthPenalty)
        check.changeable("--max-length", stored: t.maxDecodeLength, given: maxLength)
        return check
    }

    /// Writes a line to standard output unbuffered, so logs of long runs show progress as it happens (under
    /// mpirun, on rank 0 only).
    private func say(_ line: String) {
        guard (LaunchEnvironment(ProcessInfo.processInfo.environment).announcedRank ?? 0) == 0 else { return }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Where the three data sets come from.
    private var sources: Seq2SeqParallelData.Sources {
        Seq2SeqParallelData.Sources(
            train: .init(path: train, targetPath: trainTarget),
            valid: valid.map { .init(path: $0, targetPath: validTarget) },
            test: test.map { .init(path: $0, targetPath: testTarget) }, format: dataFormat,
            sourceLanguage: sourceLanguage, targetLanguage: targetLanguage, columns: columns ?? .standard)
    }

    func run() throws {
        // Under mpirun every rank trains on its shard; without it, one process as always (docs/distributed.md).
        let world = try ProcessGroup.world()
        try world.runTraining { try train(synchronizer: world.size > 1 ? DataParallelSynchronizer(group: world) : nil) }
    }

    private func train(synchronizer: DataParallelSynchronizer?) throws {
        if let synchronizer, synchronizer.group.isMainRank {
            say("data-parallel training on \(synchronizer.group.size) ranks (\(synchronizer.group.backendDescription))")
        }
        var (settings, notes) = try resolvedSettings()
        for note in notes { say(note) }
        let directory = common.output.map { ModelDirectory(path: $0) }
        let data = try Seq2SeqParallelData.load(
            sources, tokenizer: tokenizer, lowercase: settings.lowercase, modelDirectory: directory,
            recordedTokenizer: settings.tokenizer)
        settings.tokenizer = data.tokenizerName
        var fingerprints: [String: String] = [:]
        for path in [train, trainTarget, valid, validTarget, test, testTarget].compactMap({ $0 }) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            fingerprints[(path as NSString).lastPathComponent] = "\(size ?? 0) bytes"
        }
        var options = Seq2SeqExperiment.RunOptions(
            output: directory, metricsURL: common.metrics.map { URL(fileURLWithPath: $0) },
            evaluationInterval: evalEvery, checkpointInterval: common.saveEvery, keepBest: !noKeepBest,
            totalSteps: common.steps, shouldStop: { Interruption.isRequested }, dataFingerprints: fingerprints,
            attachments: data.attachments())
        options.synchronizer = synchronizer

        let model =
            settings.architecture == .transformer
            ? "arch: transformer  layers: \(settings.layerCount)  model size: \(settings.transformer.modelSize)  "
                + "heads: \(settings.transformer.headCount)  feed-forward: \(settings.transformer.feedForwardSize)"
            : "cell: \(settings.cell.rawValue)  hidden: \(settings.hiddenSize)  "
                + "embedding: \(settings.embeddingSize)  layers: \(settings.layerCount)  "
                + "attention: \(settings.attention.rawValue)" + (settings.copy ? "  copy" : "")
        let t = settings.training
        let sampling =
            t.sampling.isTeacherForcing
            ? "" : "  scheduled sampling: \(Seq2SeqHyperparameters.text(of: t.sampling)) per \(t.teacherForcingMode)"
        say("seed: \(t.seed)  " + model + "  tokenizer: \(settings.tokenizer)" + sampling)
        Interruption.install()
        let result = try Seq2SeqExperiment.run(
            train: data.train, valid: data.valid, test: data.test, settings: settings, options: options
        ) { event in
            switch event {
            case .started(let source, let target, let parameters, let trainCount, let testCount):
                say(
                    "train pairs: \(trainCount)  valid pairs: \(data.valid.count)  test pairs: \(testCount)  "
                        + "source vocabulary: \(source)  target vocabulary: \(target)  parameters: \(parameters)")
            case .progress(let p):
                let label = p.endOfEpoch ? "epoch mean loss" : "running loss"
                say(
                    "epoch \(p.epoch)  step \(p.step)  \(label) "
                        + String(format: "%.4f  eps %.3f  %.0fs", p.loss, p.goldProbability, p.seconds))
            case .resumed(let step, let path):
                say("resumed from \(path) after step \(step)")
            case .scheduleReplanned(let step, let previousSteps, let steps, let rate):
                say(
                    "note: the warmup-cosine decay was planned over \(previousSteps) steps and is now planned over "
                        + "\(steps); the learning rate at step \(step) is " + String(format: "%.3g", rate))
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
            say(
                "mismatch: IN: \(data.text(error.source))\n  expected: \(data.text(error.reference))\n"
                    + "  got:      \(data.text(error.prediction))")
        }
        if let best = result.bestValidationAccuracy { say(String(format: "best valid exact match: %.4f", best)) }
        let exactMatch =
            data.test.isEmpty
            ? "" : String(format: "exact match: %.4f (%d/%d)  ", result.testAccuracy, result.correct, result.total)
        say(
            exactMatch
                + String(
                    format: "steps: %d  training: %.1fs  evaluation: %.1fs", result.steps, result.trainingSeconds,
                    result.evaluationSeconds))
    }
}

extension TeacherForcingMode: ExpressibleByArgument {}
