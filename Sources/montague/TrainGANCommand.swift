import ArgumentParser
import Distributed
import Foundation
import Generative
import MontagueSupport
import NeuralNet

extension GANMethod: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allNames }
    public var defaultValueDescription: String { name }
}

extension WGANGradientPenalty.Form: ExpressibleByArgument {}
extension NetworkArchitecture: ExpressibleByArgument {}
extension DecoderLikelihood: ExpressibleByArgument {}

/// A data specification on the command line: `ring8`, `grid25`, `swissroll`, `digits:PATH` or a CSV of points.
struct DataArgument: ExpressibleByArgument {
    var source: DataSource

    init?(argument: String) {
        guard let source = DataSource(specification: argument) else { return nil }
        self.source = source
    }

    /// The source with toys of `count` points.
    func withToyCount(_ count: Int) -> DataSource {
        if case .toy(let toy, _) = source { return .toy(toy, count: count) }
        return source
    }

    /// Values per point, known before loading for toys and digits.
    func dimension() throws -> Int {
        switch source {
        case .toy: return 2
        case .digits: return DigitsDataset.pixels
        case .points(let path): return try PointSet.loadCSV(path: path).dimension
        }
    }
}

/// Options shared by `train gan` and `train vae`: data, output, budget, seed, metrics, resume.
struct GenerativeRunOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Training data: ring8, grid25, swissroll, digits:PATH (UCI digits CSV, .gz too), or a CSV of points.")
    var data: DataArgument

    @Option(name: .long, help: "The model directory to write (manifest, weights, training state).")
    var output: String

    @Option(name: .long, help: "Total updates (a resumed run counts its earlier steps).")
    var steps: Int = 2000

    @Option(name: .customLong("time-limit"), help: "Stop after this wall-clock time (90s, 45m, 2h).")
    var timeLimit: WallClockBudget?

    @Option(name: .long, help: "Seed of initialization, batches, noise and toy data.")
    var seed: UInt64 = 0

    @Option(name: .customLong("batch-size"), help: "Samples per batch.")
    var batchSize: Int?

    @Option(name: .long, help: "Adam learning rate.")
    var lr: Float?

    @Option(name: .customLong("toy-count"), help: "Training points drawn from a toy distribution.")
    var toyCount = 10_000

    @Option(name: .customLong("checkpoint-every"), help: "Steps between saves of the model directory.")
    var checkpointEvery = 1000

    @Option(name: .customLong("log-every"), help: "Steps between progress lines and metrics records.")
    var logEvery = 100

    @Option(name: .long, help: "Append one JSON object per logged step to this file (JSONL).")
    var metrics: String?

    @Flag(name: .long, help: "Continue the run stored in --output with its stored settings.")
    var resume = false

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if steps <= 0 { throw ValidationError("--steps must be positive") }
        if let batchSize, batchSize < 2 { throw ValidationError("--batch-size must be at least 2") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive and finite") }
        if toyCount <= 0 { throw ValidationError("--toy-count must be positive") }
        if checkpointEvery <= 0 || logEvery <= 0 {
            throw ValidationError("--checkpoint-every and --log-every must be positive")
        }
    }

    var budget: TrainingBudget {
        TrainingBudget(
            steps: steps, seconds: timeLimit?.seconds, checkpointInterval: checkpointEvery, logInterval: logEvery)
    }

    func say(_ line: String) { if !quiet { print(line) } }

    func progressLine(_ step: Int, _ metrics: [String: Double]) {
        say(
            "step \(step)  "
                + metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(
                    separator: "  "))
    }
}

/// What distinguishes a generative command's ``HiddenLayerOptions``: its default number of hidden layers and what
/// `--layers` counts.
protocol HiddenLayerDefaults {
    /// `--layers`' default.
    static var layers: Int { get }
    /// `--layers`' help.
    static var layersHelp: String { get }
}

/// `--hidden` and `--layers`, declared once for `train gan` and `train vae` (each with its own default depth).
struct HiddenLayerOptions<Defaults: HiddenLayerDefaults>: ParsableArguments {
    @Option(name: .long, help: "Width of the hidden layers.")
    var hidden = 128

    @Option(name: .long, help: ArgumentHelp(Defaults.layersHelp))
    var layers = Defaults.layers

    func validate() throws {
        if hidden < 1 || layers < 1 { throw ValidationError("--hidden and --layers must be positive") }
    }
}

/// `train gan`'s networks: three hidden layers each.
enum GANHiddenLayers: HiddenLayerDefaults {
    static let layers = 3
    static let layersHelp = "Hidden layers per network."
}

/// `montague train gan`: trains a GAN of any method on a toy, the digits or a CSV of points.
struct TrainGANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train a GAN (minimax, non-saturating, f-GAN, LSGAN, WGAN, WGAN-GP, EBGAN, InfoGAN, VAE-GAN, BiGAN).",
        discussion: """
            Multilayer perceptrons by default (--net conv or conv-critic: convolutional networks on square \
            images); D steps per G step (--d-steps); PacGAN packing (--packing). \
            On a Gaussian-mixture toy the run ends by reporting the PacGAN protocol over 2,500 samples (modes \
            captured, high-quality fraction, reverse KL). The model directory works with `montague predict DIR` \
            (samples as CSV and an SVG plot) and `montague evaluate DIR`. Exit status 2 on bad flags or data.

            Methods: \(GANMethod.allNames.joined(separator: ", ")).

            Examples:
              montague train gan --data ring8 --method wgan-gp --steps 5000 --output runs/ring8-wgangp
              montague train gan --data digits:digits.csv.gz --method infogan --steps 20000 --output runs/info
            """)

    @OptionGroup var common: GenerativeRunOptions

    @Option(name: .long, help: "Training method (\(GANMethod.allNames.joined(separator: ", "))).")
    var method: GANMethod = .nonSaturating

    @Option(
        name: .customLong("d-steps"), help: "Critic updates per generator update (default 1; 5 for wgan and wgan-gp).")
    var discriminatorSteps: Int?

    @Option(name: .long, help: "Noise (latent) dimensions.")
    var noise = 8

    @OptionGroup var sizes: HiddenLayerOptions<GANHiddenLayers>

    @Option(name: .customLong("generator-hidden"), help: "Width of the generator's hidden layers (default: --hidden).")
    var generatorHidden: Int?

    @Option(name: .customLong("generator-layers"), help: "Hidden layers of the generator (default: --layers).")
    var generatorLayers: Int?

    @Option(name: .long, help: "Adam's β₁ (default 0.5; PacGAN's 2-D runs: 0.8).")
    var beta1: Float = 0.5

    @Option(name: .long, help: "PacGAN packing: samples the critic sees together.")
    var packing = 1

    @Option(name: .customLong("critic-lr"), help: "The critic's Adam learning rate (default: --lr).")
    var criticLearningRate: Float?

    @Option(name: .long, help: "Maxout pieces per hidden unit of the critic (1: LeakyReLU units).")
    var maxout = 1

    @Option(name: .customLong("critic-dropout"), help: "Dropout probability on the critic's hidden layers.")
    var criticDropout: Float = 0

    @Flag(
        name: .customLong("batch-norm"),
        help: "Batch normalization after every hidden layer of the generator (DCGAN, InfoGAN).")
    var batchNorm = false

    @Option(
        name: .customLong("real-label"),
        help: "The discriminator's target for real samples: 0.9 is one-sided label smoothing (gan, nsgan, infogan).")
    var realLabel: Float = 1

    @Flag(
        name: .customLong("minibatch-std"),
        help: "Give the critic's last layer the minibatch standard deviation of its features (against collapse).")
    var minibatchStd = false

    @Option(name: .long, help: "WGAN-GP penalty: two-sided or one-sided.")
    var penalty: WGANGradientPenalty.Form = .twoSided

    @Option(name: .customLong("penalty-weight"), help: "WGAN-GP's λ.")
    var penaltyWeight: Float = 10

    @Option(name: .long, help: "WGAN's weight-clipping bound c.")
    var clip: Float = 0.01

    @Option(name: .customLong("lsgan-codes"), help: "LSGAN's a,b,c (fake target, real target, generator target).")
    var leastSquaresCodes = "0,1,1"

    @Option(name: .long, help: "EBGAN's energy margin.")
    var margin: Float = 1

    @Option(name: .customLong("pull-away"), help: "EBGAN's pull-away weight.")
    var pullAway: Float = 0.1

    @Option(name: .long, help: "InfoGAN's categorical code size (0: none).")
    var categories = 10

    @Option(name: .long, help: "InfoGAN's continuous codes.")
    var continuous = 2

    @Option(name: .customLong("info-weight"), help: "InfoGAN's λ.")
    var infoWeight: Float = 1

    @Option(
        name: .customLong("q-hidden"),
        help: "InfoGAN: Q as a head of its own, one hidden layer of this width on the critic's features (paper: 128).")
    var qHidden: Int?

    @Option(
        name: .customLong("continuous-info-weight"),
        help: "InfoGAN's λ for the continuous codes (default: --info-weight, which then weights the categorical code).")
    var continuousInfoWeight: Float?

    @Flag(
        name: .customLong("learn-code-variance"),
        help: "InfoGAN: Q also predicts each continuous code's standard deviation (Gaussian log-likelihood).")
    var learnCodeVariance = false

    @Option(
        name: .customLong("mode-seeking"),
        help: "InfoGAN: weight of the mode-seeking term (Mao et al. 2019) that keeps the noise in use (0: off).")
    var modeSeeking: Float = 0

    @Option(
        name: .customLong("noise-std"),
        help: "Standard deviation of the generator's Gaussian noise (ClusterGAN: 0.1 beside a categorical code).")
    var noiseStd: Float = 1

    @Option(
        name: .customLong("labels-per-class"),
        help: "InfoGAN: labelled real examples per class that tie code value k to class k (semi-supervised; 0: none).")
    var labelsPerClass = 0

    @Option(name: .customLong("reconstruction-weight"), help: "VAE-GAN's weight of the reconstruction error.")
    var reconstructionWeight: Float = 1

    @Flag(name: .customLong("three-class"), help: "VAE-GAN: a real/reconstructed/generated discriminator.")
    var threeClass = false

    @Option(
        name: .customLong("lr-decay-start"),
        help: "Decay every step size linearly from this generator step to zero at --steps (default: no decay).")
    var learningRateDecayStart: Int?

    @Option(
        name: .long,
        help: "Networks: mlp, conv (convolutional critic, upsampling generator; square images), or conv-critic.")
    var net: NetworkArchitecture = .mlp

    @Option(
        name: .long,
        help: "γ of the zero-centred gradient penalty γ/2·E[‖∇D(x)‖²] on real data (R1; gan, nsgan, fgan, lsgan).")
    var r1: Float = 0

    @Flag(
        name: .customLong("gradient-penalty"),
        help: "WGAN-GP's penalty (--penalty, --penalty-weight) on any plain critic, e.g. fgan:kl.")
    var gradientPenalty = false

    @Option(
        name: .customLong("real-code-entropy"),
        help: "InfoGAN: weight of CatGAN's entropy term making Q split real data evenly over the code (0: off).")
    var realCodeEntropy: Float = 0

    @Flag(
        name: .customLong("saddle-point"),
        help: "f-GAN: the generator minimizes the bound −E_Q[f*(T)] (Nowozin et al.'s eq. 6), not −E_Q[T].")
    var saddlePoint = false

    @Option(
        name: .customLong("instance-noise"),
        help: "Std. deviation of Gaussian noise on every sample the critic sees, real and generated (plain critics).")
    var instanceNoise: Float?

    @Option(
        name: .customLong("instance-noise-decay-start"),
        help: "Anneal the instance noise linearly from this generator step to zero at --steps (default: constant).")
    var instanceNoiseDecayStart: Int?

    func validate() throws {
        let codes = leastSquaresCodes.split(separator: ",").compactMap { Float($0) }
        if codes.count != 3 || !codes.allSatisfy(\.isFinite) {
            throw ValidationError("--lsgan-codes takes three numbers a,b,c")
        }
        if let discriminatorSteps, discriminatorSteps < 1 { throw ValidationError("--d-steps must be at least 1") }
        if noise < 1 { throw ValidationError("--noise must be positive") }
        if (generatorHidden ?? 1) < 1 || (generatorLayers ?? 1) < 1 {
            throw ValidationError("--generator-hidden and --generator-layers must be positive")
        }
        if !(beta1 >= 0 && beta1 < 1) { throw ValidationError("--beta1 must be in [0, 1)") }
        if packing < 1 { throw ValidationError("--packing must be at least 1") }
        if let criticLearningRate, !(criticLearningRate > 0 && criticLearningRate.isFinite) {
            throw ValidationError("--critic-lr must be positive and finite")
        }
        if maxout < 1 { throw ValidationError("--maxout must be at least 1") }
        if !(criticDropout >= 0 && criticDropout < 1) { throw ValidationError("--critic-dropout must be in [0, 1)") }
        if !(realLabel > 0.5 && realLabel <= 1) { throw ValidationError("--real-label must be in (0.5, 1]") }
        if !(clip > 0 && clip.isFinite) { throw ValidationError("--clip must be positive") }
        if !(penaltyWeight >= 0 && penaltyWeight.isFinite) {
            throw ValidationError("--penalty-weight must be finite and ≥ 0")
        }
        if !(margin > 0 && margin.isFinite) { throw ValidationError("--margin must be positive") }
        if !(pullAway >= 0 && pullAway.isFinite) { throw ValidationError("--pull-away must be finite and ≥ 0") }
        if !(reconstructionWeight >= 0 && reconstructionWeight.isFinite) {
            throw ValidationError("--reconstruction-weight must be finite and ≥ 0")
        }
        if categories < 0 || continuous < 0 || (method == .info && categories + continuous == 0) {
            throw ValidationError("InfoGAN needs --categories or --continuous")
        }
        if !(infoWeight >= 0 && infoWeight.isFinite) { throw ValidationError("--info-weight must be finite and ≥ 0") }
        if let continuousInfoWeight, !(continuousInfoWeight >= 0 && continuousInfoWeight.isFinite) {
            throw ValidationError("--continuous-info-weight must be finite and ≥ 0")
        }
        if !(modeSeeking >= 0 && modeSeeking.isFinite) {
            throw ValidationError("--mode-seeking must be finite and ≥ 0")
        }
        if let qHidden, qHidden < 1 { throw ValidationError("--q-hidden must be positive") }
        if !(noiseStd > 0 && noiseStd.isFinite) { throw ValidationError("--noise-std must be finite and > 0") }
        if labelsPerClass < 0 { throw ValidationError("--labels-per-class must be ≥ 0") }
        if labelsPerClass > 0 && !(method == .info && categories > 0) {
            throw ValidationError("--labels-per-class needs --method infogan with --categories")
        }
        if method != .info && (qHidden != nil || continuousInfoWeight != nil || learnCodeVariance || modeSeeking > 0) {
            throw ValidationError(
                "--q-hidden, --continuous-info-weight, --learn-code-variance and --mode-seeking need --method infogan")
        }
        if learnCodeVariance && continuous == 0 { throw ValidationError("--learn-code-variance needs --continuous") }
        if !(r1 >= 0 && r1.isFinite) { throw ValidationError("--r1 must be finite and ≥ 0") }
        if !(realCodeEntropy >= 0 && realCodeEntropy.isFinite) {
            throw ValidationError("--real-code-entropy must be finite and ≥ 0")
        }
        if let learningRateDecayStart, !(learningRateDecayStart >= 0 && learningRateDecayStart < common.steps) {
            throw ValidationError("--lr-decay-start must be in [0, --steps)")
        }
        if let instanceNoise, !(instanceNoise > 0 && instanceNoise.isFinite) {
            throw ValidationError("--instance-noise must be finite and > 0")
        }
        if let instanceNoiseDecayStart {
            guard instanceNoise != nil else {
                throw ValidationError("--instance-noise-decay-start needs --instance-noise")
            }
            if !(instanceNoiseDecayStart >= 0 && instanceNoiseDecayStart < common.steps) {
                throw ValidationError("--instance-noise-decay-start must be in [0, --steps)")
            }
        }
    }

    func run() throws {
        // Under mpirun every rank trains on its part of each global batch; without it, one process as always
        // (docs/distributed.md).
        let world = try ProcessGroup.world()
        try world.runTraining { try train(world: world) }
    }

    /// The line a resumed run prints when its decay is re-planned for a changed `--steps`.
    static func note(_ replan: GANScheduleReplan) -> String {
        let (before, after) = replan.factors
        let continuity =
            before == after
            ? String(format: "the factor at step %d stays %.4g", replan.step, Double(after))
            : String(
                format: "the factor at step %d is now %.4g (was %.4g: the decay had ended)", replan.step,
                Double(after), Double(before))
        return "note: the \(replan.kind.rawValue) decay was planned to end at step \(replan.previous.end) and now ends "
            + "at step \(replan.replanned.end) (--steps); " + continuity
    }

    private func train(world: ProcessGroup) throws {
        let source = common.data.withToyCount(common.toyCount)
        var configuration = GANConfiguration(method: method, dataSize: try common.data.dimension())
        configuration.noiseSize = noise
        configuration.hiddenSize = sizes.hidden
        configuration.hiddenLayers = sizes.layers
        configuration.generatorHiddenSize = generatorHidden
        configuration.generatorHiddenLayers = generatorLayers
        configuration.beta1 = beta1
        configuration.output = source.isDigits ? .sigmoid : .identity
        let critic = method == .wasserstein || method == .wassersteinGradientPenalty
        configuration.discriminatorSteps = discriminatorSteps ?? (critic ? 5 : 1)
        if let batchSize = common.batchSize { configuration.batchSize = batchSize }
        configuration.learningRate = common.lr ?? (method == .wasserstein ? 5e-5 : 1e-4)
        if method == .wassersteinGradientPenalty { configuration.beta2 = 0.9 }
        configuration.packing = packing
        configuration.criticLearningRate = criticLearningRate
        configuration.criticMaxoutPieces = maxout
        configuration.criticDropout = criticDropout
        configuration.generatorBatchNorm = batchNorm
        configuration.realLabel = realLabel
        configuration.criticMinibatchFeature = minibatchStd
        configuration.leastSquaresCodes = leastSquaresCodes.split(separator: ",").compactMap { Float($0) }
        configuration.clippingBound = clip
        configuration.penaltyWeight = penaltyWeight
        configuration.penaltyForm = penalty
        configuration.energyMargin = margin
        configuration.pullAwayWeight = pullAway
        configuration.infoCodes = InfoGANCodes(categories: categories, continuousCount: continuous)
        configuration.infoWeight = infoWeight
        configuration.qHiddenSize = qHidden
        configuration.continuousInfoWeight = continuousInfoWeight
        configuration.learnedCodeVariance = learnCodeVariance
        configuration.modeSeekingWeight = modeSeeking
        configuration.noiseStandardDeviation = noiseStd
        configuration.supervisedExamplesPerClass = labelsPerClass
        configuration.reconstructionWeight = reconstructionWeight
        configuration.threeClassDiscriminator = threeClass
        configuration.network = net
        configuration.realGradientPenalty = r1
        configuration.interpolatePenalty = gradientPenalty
        configuration.learningRateDecay = learningRateDecayStart.map {
            LinearDecaySchedule(start: $0, end: common.steps)
        }
        configuration.realCodeEntropyWeight = realCodeEntropy
        configuration.saddlePointGenerator = saddlePoint
        configuration.instanceNoise = instanceNoise ?? 0
        configuration.instanceNoiseDecay = instanceNoiseDecayStart.map {
            LinearDecaySchedule(start: $0, end: common.steps)
        }
        configuration.seed = common.seed
        if let problem = configuration.problem() { throw ValidationError(problem) }

        let directory = ModelDirectory(path: common.output)
        if world.size > 1 && world.isMainRank {
            common.say("data-parallel training on \(world.size) ranks (\(world.backendDescription))")
        }
        if world.isMainRank {
            common.say("method: \(method)  data: \(source)  seed: \(common.seed)  steps: \(common.steps)")
        }
        let start = Date()
        let trainer = try GANRun.train(
            configuration: configuration, data: source, directory: directory, budget: common.budget,
            resume: common.resume,
            metricsPath: common.metrics, progress: common.progressLine,
            scheduleReplanned: { common.say(Self.note($0)) },
            synchronizer: world.size > 1 ? DataParallelSynchronizer(group: world) : nil)
        guard world.isMainRank else { return }
        common.say(
            String(
                format: "trained %d steps in %.1fs; wrote %@", trainer.stepCount, Date().timeIntervalSince(start),
                common.output))
        if source.toy?.modes.isEmpty == false {
            let record = GANRunRecord(configuration: trainer.configuration, data: source)
            let metrics = GANRun.evaluate(trainer, record: record, seed: common.seed)
            common.say(
                String(
                    format: "modes %.0f/%.0f  high quality %.3f  reverse KL %.3f", metrics["modes"] ?? 0,
                    metrics["mode_count"] ?? 0, metrics["high_quality"] ?? 0, metrics["reverse_kl"] ?? 0))
        }
    }
}
