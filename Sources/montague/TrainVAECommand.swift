import ArgumentParser
import Foundation
import Generative
import NeuralNet

/// `train vae`'s encoder and decoder: one hidden layer each.
enum VAEHiddenLayers: HiddenLayerDefaults {
    static let layers = 1
    static let layersHelp = "Hidden layers of encoder and decoder."
}

/// `montague train vae`: trains a variational autoencoder and reports held-out bounds.
struct TrainVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae",
        abstract: "Train a variational autoencoder (Gaussian or Bernoulli decoder) and report held-out bounds.",
        discussion: """
            A seeded tenth of the data is held out. The run ends with the held-out ELBO and importance-weighted \
            bound (Burda et al. 2016) and, for real-valued points, the held-out log-likelihood of a Gaussian \
            mixture fitted by EM on the same training part. Works with `montague predict DIR` and `evaluate DIR`.

            Examples:
              montague train vae --data digits:digits.csv.gz --latent 8 --steps 5000 --output runs/digits-vae
              montague train vae --data grid25 --likelihood gaussian --output runs/grid-vae
            """)

    @OptionGroup var common: GenerativeRunOptions

    @Option(name: .long, help: "Latent dimensions.")
    var latent = 8

    @OptionGroup var sizes: HiddenLayerOptions<VAEHiddenLayers>

    @Option(name: .long, help: "Decoder likelihood: bernoulli (default for digits) or gaussian (default otherwise).")
    var likelihood: DecoderLikelihood?

    @Option(name: .customLong("iw-samples"), help: "Importance samples of the held-out bound.")
    var importanceSamples = 100

    func validate() throws {
        if latent < 1 { throw ValidationError("--latent must be positive") }
        if importanceSamples < 1 { throw ValidationError("--iw-samples must be positive") }
    }

    func run() throws {
        let source = common.data.withToyCount(common.toyCount)
        let model = VAEConfiguration(
            dataSize: try common.data.dimension(), latentSize: latent,
            hiddenSizes: [Int](repeating: sizes.hidden, count: sizes.layers), activation: .relu,
            likelihood: likelihood ?? (source.isDigits ? .bernoulli : .gaussian))
        var configuration = VAETrainingConfiguration(model: model)
        if let batchSize = common.batchSize { configuration.batchSize = batchSize }
        if let lr = common.lr { configuration.learningRate = lr }
        configuration.seed = common.seed
        if let problem = configuration.problem() { throw ValidationError(problem) }

        let directory = ModelDirectory(path: common.output)
        common.say(
            "vae  data: \(source)  likelihood: \(model.likelihood.rawValue)  seed: \(common.seed)  steps: \(common.steps)"
        )
        let start = Date()
        let trainer = try VAERun.train(
            configuration: configuration, data: source, directory: directory, budget: common.budget,
            resume: common.resume,
            metricsPath: common.metrics, progress: common.progressLine)
        common.say(
            String(
                format: "trained %d steps in %.1fs; wrote %@", trainer.stepCount, Date().timeIntervalSince(start),
                common.output))
        let (_, record, heldOut) = try VAERun.load(directory)
        let metrics = try VAERun.evaluate(
            trainer, record: record, heldOut: heldOut, samples: importanceSamples, seed: common.seed)
        common.say(
            metrics.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(
                separator: "  "))
    }
}
