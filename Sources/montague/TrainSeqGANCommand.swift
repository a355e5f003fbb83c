import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

extension SeqGANMethod: ExpressibleByArgument {}
extension SeqGANReward: ExpressibleByArgument {}
extension SeqGANArchitecture: ExpressibleByArgument {}

/// A policy-gradient baseline on the command line: `none`, `batch-mean`, `moving-average:DECAY` or `self-critical`.
struct SequenceBaselineArgument: ExpressibleByArgument {
    var baseline: SequenceBaseline

    init?(argument: String) {
        switch argument {
        case "none": baseline = .none
        case "batch-mean": baseline = .batchMean
        case "self-critical": baseline = .selfCritical
        default:
            let parts = argument.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0] == "moving-average", let decay = Double(parts[1]), (0..<1).contains(decay)
            else { return nil }
            baseline = .movingAverage(decay: decay)
        }
    }

    static var allValueStrings: [String] { ["none", "batch-mean", "moving-average:DECAY", "self-critical"] }
}

/// `montague train seqgan`: SeqGAN or its MLE baseline on SeqGAN's oracle or on token-id sequences.
struct TrainSeqGANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seqgan",
        abstract: "Train SeqGAN (Yu et al. 2017) or its MLE baseline on an oracle LSTM's samples or token-id data.",
        discussion: """
            A run is a sequence of rounds: --pretrain-epochs MLE epochs of the LSTM generator, then (seqgan) \
            --d-pretrain discriminator rounds, then --rounds adversarial rounds of --g-steps policy-gradient steps \
            (rewards from --rollouts Monte Carlo completions scored by the CNN discriminator) and --d-steps \
            discriminator steps (each on --negatives fresh samples, --d-epochs epochs). With --method mle each \
            round after pretraining is one more MLE epoch; with --method scheduled-sampling one epoch of \
            scheduled sampling (Bengio et al. 2015: each input is the gold token with probability ε, else the \
            generator's own sample; --scheduled-sampling sets ε's decay per batch, default \
            linear:1,0.0001,0.5). With --method gumbel the generator steps back-propagate \
            the discriminator's verdict through straight-through Gumbel-softmax samples (Kusner & \
            Hernández-Lobato 2016; --soft-gumbel for soft ones) with an annealed temperature \
            (--gumbel-temperature) instead of REINFORCE. --paper sets the published synthetic-data schedule \
            (120 MLE epochs, 50 discriminator rounds, 200 adversarial rounds, full discriminator, 10,000 \
            negatives, L2 λ 0.2 on the discriminator's output layer); flags given after it override single \
            settings.

            --arch transformer replaces the LSTM generator by a decoder-only causal Transformer (the network of \
            `train lm --arch transformer`: --layers, default 2, --model-size, --heads, --feed-forward, --positions, \
            --norm, --activation, --no-tie, --dropout) that samples token by token with its key/value cache; every \
            method trains it — MLE, scheduled sampling (two passes, Mihaylova & Martins 2019), policy gradient \
            with Monte Carlo rollouts by a delayed copy of the Transformer, and the Gumbel-softmax GAN. \
            --hidden and --embedding size the LSTM only; with --paper the Transformer keeps its own initialization.

            --oracle FILE reads SeqGAN's oracle LSTM (safetensors with its 15 tensors), samples the training data \
            from it and reports NLL_oracle, the oracle's mean negative log-likelihood per token of the \
            generator's samples. --train FILE reads token-id sequences instead (one per line). --init-from DIR \
            starts from the generator of another seqgan model directory and skips the MLE pretraining (so MLE and \
            SeqGAN can share one pretraining). Running the same command again on --output continues the run; \
            --rounds may grow. Exit status 2 on bad flags, files or directories.

            Examples:
              montague train seqgan --oracle oracle.safetensors --method mle --pretrain-epochs 40 --rounds 0 \\
                --output runs/pretrained
              montague train seqgan --oracle oracle.safetensors --init-from runs/pretrained --rounds 50 \\
                --metrics seqgan.jsonl --output runs/seqgan
              montague predict runs/seqgan --n 5
            """)

    @Option(name: .long, help: "SeqGAN's oracle LSTM (safetensors): training data and NLL_oracle.")
    var oracle: String?

    @Option(name: .long, help: "Training sequences: token ids separated by spaces, one sequence per line.")
    var train: String?

    @Option(name: .long, help: "The model directory to write (and to continue when it exists).")
    var output: String

    @Option(name: .long, help: "mle, scheduled-sampling, seqgan or gumbel (default seqgan).")
    var method: SeqGANMethod = .seqgan

    @Flag(name: .long, help: "Start from the published synthetic-data schedule.")
    var paper = false

    @Option(name: .customLong("init-from"), help: "Start from this seqgan directory's generator; skip pretraining.")
    var initFrom: String?

    @Option(name: .customLong("pretrain-epochs"), help: "MLE epochs before the adversarial phase (default 40).")
    var pretrainEpochs: Int?

    @Option(name: .customLong("d-pretrain"), help: "Discriminator rounds before the adversarial phase (default 10).")
    var discriminatorPretrain: Int?

    @Option(name: .long, help: "Rounds after pretraining (default 50).")
    var rounds: Int?

    @Option(name: .customLong("g-steps"), help: "Policy-gradient steps per round (default 1).")
    var generatorSteps: Int?

    @Option(name: .customLong("d-steps"), help: "Discriminator steps per round (default 5).")
    var discriminatorSteps: Int?

    @Option(name: .customLong("d-epochs"), help: "Epochs per discriminator step (default 1).")
    var discriminatorEpochs: Int?

    @Option(name: .long, help: "Generated negatives per discriminator step (default 1000).")
    var negatives: Int?

    @Option(name: .customLong("filter-scale"), help: "Scale of SeqGAN's discriminator filter counts (default 0.25).")
    var filterScale: Double?

    @Option(
        name: .customLong("d-l2"),
        help: "λ of the discriminator's L2 penalty on its output layer, λ·(½‖W‖² + ½‖b‖²) (default 0; --paper 0.2).")
    var discriminatorL2: Float?

    @Option(name: .long, help: "Monte Carlo completions per prefix (default 16).")
    var rollouts: Int?

    @Option(
        name: .customLong("rollout-update"),
        help: "Rollout network's delayed update rate r: θ_β ← r·θ_β + (1 − r)·θ (default 0.8; --paper 0).")
    var rolloutUpdate: Float?

    @Option(
        name: .customLong("init-std"),
        help: "Draw every generator parameter from N(0, σ²) with this σ (--paper: 0.1; default PyTorch's uniform).")
    var initStd: Float?

    @Option(
        name: .long,
        help: "Policy-gradient baseline: none, batch-mean, moving-average:DECAY, self-critical (default none).")
    var baseline: SequenceBaselineArgument?

    @Option(name: .long, help: "Entropy bonus of the policy-gradient loss (default 0).")
    var entropy: Float?

    @Option(
        name: .long,
        help: "What rewards the seqgan generator: discriminator (SeqGAN) or bleu (PG-BLEU against the training data).")
    var reward: SeqGANReward?

    @Option(
        name: .customLong("scheduled-sampling"),
        help: "scheduled-sampling: ε's decay per batch after pretraining (default linear:1,0.0001,0.5).")
    var scheduledSampling: ScheduledSampling?

    @Option(
        name: .customLong("sampling-choice"),
        help: "scheduled-sampling: feed back a draw from the generator (sample, default) or its argmax.")
    var samplingChoice: ScheduledSamplingChoice?

    @Option(name: .long, help: "Generator network: lstm (SeqGAN's, the default) or transformer (decoder-only).")
    var arch: SeqGANArchitecture?

    @Option(name: .long, help: "Generator LSTM width (default 32).")
    var hidden: Int?

    @Option(name: .long, help: "Generator embedding width (default 32).")
    var embedding: Int?

    @Option(name: .long, help: "Transformer: stacked layers (default 2).")
    var layers: Int?

    @OptionGroup var transformer: DecoderTransformerArguments

    @Option(name: .long, help: "Transformer: dropout in MLE and scheduled-sampling training (default 0).")
    var dropout: Float?

    @Option(
        name: .customLong("gumbel-temperature"),
        help: "gumbel: INITIAL[,MINIMUM[,RATE]], τ = max(MINIMUM, INITIAL·exp(−RATE·step)) (default 1,0.1,0.001).")
    var gumbelTemperature: String?

    @Flag(name: .customLong("soft-gumbel"), help: "gumbel: feed soft samples instead of straight-through one-hots.")
    var softGumbel = false

    @Option(name: .customLong("batch-size"), help: "Generator batch (default 64).")
    var batchSize: Int?

    @Option(name: .long, help: "Generator Adam learning rate (default 0.01).")
    var lr: Float?

    @Option(name: .customLong("length"), help: "Sequence length (default 20; with --train, the file's length).")
    var length: Int?

    @Option(name: .long, help: "Vocabulary size with --train (default 5000; the oracle's with --oracle).")
    var vocabulary: Int?

    @Option(name: .customLong("eval-every"), help: "Rounds between NLL_oracle measurements (default 5).")
    var evalEvery: Int?

    @Option(name: .customLong("eval-samples"), help: "Samples per NLL_oracle measurement (default 2000).")
    var evalSamples: Int?

    @Option(name: .customLong("save-every"), help: "Rounds between saves of the model directory.")
    var saveEvery = 10

    @Option(
        name: .customLong("time-limit"),
        help: "Stop after this wall-clock time from the command's start, oracle sampling included (90s, 45m, 2h).")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Seed of data, initialization, sampling and dropout.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Append one JSON object per round and evaluation to this file (JSONL).")
    var metrics: String?

    @Flag(name: .long, help: "Print nothing but the summary and errors.")
    var quiet = false

    func validate() throws {
        if (oracle == nil) == (train == nil) { throw ValidationError("give exactly one of --oracle and --train") }
        if reward != nil && method != .seqgan { throw ValidationError("--reward needs --method seqgan") }
        if (scheduledSampling != nil || samplingChoice != nil) && method != .scheduledSampling {
            throw ValidationError("--scheduled-sampling and --sampling-choice need --method scheduled-sampling")
        }
        for (value, flag) in [
            (pretrainEpochs, "--pretrain-epochs"), (discriminatorPretrain, "--d-pretrain"), (rounds, "--rounds"),
            (generatorSteps, "--g-steps"), (discriminatorSteps, "--d-steps"),
        ] {
            if let value { try requireNonNegative(value, flag) }
        }
        for (value, flag) in [
            (discriminatorEpochs, "--d-epochs"), (negatives, "--negatives"), (rollouts, "--rollouts"),
            (batchSize, "--batch-size"), (hidden, "--hidden"), (embedding, "--embedding"), (length, "--length"),
            (vocabulary, "--vocabulary"),
            (evalEvery, "--eval-every"), (evalSamples, "--eval-samples"),
        ] {
            if let value { try requirePositive(value, flag) }
        }
        try requirePositive(saveEvery, "--save-every")
        if let layers { try requirePositive(layers, "--layers") }
        if let dropout, !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        let transformerFlags =
            (layers != nil ? ["--layers"] : []) + transformer.givenFlags + (dropout != nil ? ["--dropout"] : [])
        let lstmFlags = (hidden != nil ? ["--hidden"] : []) + (embedding != nil ? ["--embedding"] : [])
        if arch == .transformer {
            if let flag = lstmFlags.first { throw ValidationError("\(flag) applies only to --arch lstm") }
            if initStd != nil { throw ValidationError("--init-std applies only to --arch lstm") }
            if let problem = transformer.settings.problem { throw ValidationError(problem) }
        } else if let flag = transformerFlags.first {
            throw ValidationError("\(flag) applies only to --arch transformer")
        }
        if let lr { try requirePositive(lr, "--lr") }
        if let gumbelTemperature, Self.temperature(gumbelTemperature) == nil {
            throw ValidationError("--gumbel-temperature takes INITIAL[,MINIMUM[,RATE]] with 0 < MINIMUM ≤ INITIAL")
        }
        if let rolloutUpdate, !(0...1).contains(rolloutUpdate) {
            throw ValidationError("--rollout-update must be in [0, 1]")
        }
        if let initStd, !(initStd > 0 && initStd.isFinite) { throw ValidationError("--init-std must be positive") }
        if let discriminatorL2, !(discriminatorL2 >= 0 && discriminatorL2.isFinite) {
            throw ValidationError("--d-l2 must be ≥ 0")
        }
        if let filterScale, !(filterScale > 0 && filterScale <= 4) {
            throw ValidationError("--filter-scale must be in (0, 4]")
        }
    }

    /// Parses `INITIAL[,MINIMUM[,RATE]]`.
    static func temperature(_ text: String) -> GumbelTemperature? {
        let values = text.split(separator: ",").map { Double($0) }
        guard (1...3).contains(values.count), values.allSatisfy({ $0 != nil && $0?.isFinite == true }) else {
            return nil
        }
        var schedule = GumbelTemperature()
        schedule.initial = Float(values[0] ?? 1)
        if values.count > 1 {
            schedule.minimum = Float(values[1] ?? 0.1)
        } else {
            schedule.minimum = min(0.1, schedule.initial)
        }
        if values.count > 2 { schedule.decayRate = values[2] ?? 0 }
        guard schedule.minimum > 0, schedule.initial >= schedule.minimum, schedule.decayRate >= 0 else { return nil }
        return schedule
    }

    /// The run's settings: `--paper` or the defaults, then every flag given.
    func record() -> SeqGANRun.Record {
        var c = paper ? SeqGANConfiguration.paper(method: method) : SeqGANConfiguration(method: method)
        c.pretrainEpochs = pretrainEpochs ?? c.pretrainEpochs
        c.discriminatorPretrainRounds = discriminatorPretrain ?? c.discriminatorPretrainRounds
        c.adversarialRounds = rounds ?? c.adversarialRounds
        c.generatorSteps = generatorSteps ?? c.generatorSteps
        c.discriminatorSteps = discriminatorSteps ?? c.discriminatorSteps
        c.discriminatorEpochs = discriminatorEpochs ?? c.discriminatorEpochs
        c.negativeCount = negatives ?? c.negativeCount
        c.discriminatorFilterScale = filterScale ?? c.discriminatorFilterScale
        c.discriminatorL2 = discriminatorL2 ?? c.discriminatorL2
        c.rolloutCount = rollouts ?? c.rolloutCount
        c.rolloutUpdateRate = rolloutUpdate ?? c.rolloutUpdateRate
        c.generatorInitialStandardDeviation = initStd ?? c.generatorInitialStandardDeviation
        c.baseline = baseline?.baseline ?? c.baseline
        c.entropyCoefficient = entropy ?? c.entropyCoefficient
        c.reward = reward ?? c.reward
        c.scheduledSampling = scheduledSampling ?? c.scheduledSampling
        c.samplingChoice = samplingChoice ?? c.samplingChoice
        c.batchSize = batchSize ?? c.batchSize
        if let gumbelTemperature, let schedule = Self.temperature(gumbelTemperature) { c.gumbelTemperature = schedule }
        c.gumbelHard = !softGumbel
        c.hiddenSize = hidden ?? c.hiddenSize
        c.embeddingSize = embedding ?? c.embeddingSize
        if arch == .transformer {
            c.architecture = .transformer
            c.transformer = transformer.settings
            c.layerCount = layers ?? 2
            c.dropout = dropout ?? 0
            c.generatorInitialStandardDeviation = nil  // --paper's N(0, 0.1²) is for SeqGAN's LSTM
        }
        c.generatorLearningRate = lr ?? c.generatorLearningRate
        c.sequenceLength = length ?? c.sequenceLength
        c.vocabularySize = vocabulary ?? c.vocabularySize
        c.evaluationInterval = evalEvery ?? c.evaluationInterval
        c.evaluationSamples = evalSamples ?? c.evaluationSamples
        c.seed = seed
        return SeqGANRun.Record(configuration: c, oracle: oracle, train: train, initializedFrom: initFrom)
    }

    private func say(_ line: String) {
        if !quiet { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }

    private static func format(_ metrics: [String: Double]) -> String {
        metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(
            separator: "  ")
    }

    func run() throws {
        let start = ContinuousClock().now
        let record = record()
        say(
            "seqgan  method: \(record.configuration.method.rawValue)  "
                + "generator: \(record.configuration.generatorArchitecture.rawValue)  seed: \(seed)  rounds: "
                + "\(record.configuration.totalRounds)")
        Interruption.install()
        let summary = try SeqGANRun.train(
            record, output: ModelDirectory(path: output), metricsURL: metrics.map { URL(fileURLWithPath: $0) },
            timeLimit: timeLimit?.seconds, start: start, checkpointInterval: saveEvery,
            shouldStop: { Interruption.isRequested },
            report: { event in
                switch event {
                case .resumed(let round): say("resumed after round \(round)")
                case .round(let round, let stage, let metrics, let seconds):
                    say(
                        "round \(round) [\(stage.rawValue)] " + Self.format(metrics)
                            + String(format: "  %.1fs", seconds))
                case .evaluated(let round, let metrics): say("round \(round) eval " + Self.format(metrics))
                }
            })
        print(
            "\(summary.stopReason) after \(summary.rounds) rounds in "
                + String(format: "%.1fs: ", summary.seconds) + Self.format(summary.metrics))
        print("model: \(output)")
        if summary.stopReason == "interrupted" { throw ExitCode(130) }
    }
}
