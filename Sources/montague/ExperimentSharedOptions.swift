import ArgumentParser
import Experiments

/// The options `experiment tre` and `experiment meaning-map` share: the grammar, the representations and how they
/// are trained (library: ``RepresentationStudySettings``).
struct RepresentationStudyOptions: ParsableArguments {
    @Argument(help: "A .mont grammar (weights optional) or an NLTK .fcfg grammar.")
    var file: String

    @Option(name: .long, help: "A representation (repeatable; default: the command's set, see its discussion).")
    var representation: [RepresentationSource] = []

    @Option(name: .long, help: "Sentences sampled from the grammar (expressions and training data).")
    var samples = 2000

    @Option(name: .long, help: "Vector width of every representation.")
    var dimension = 32

    @Option(name: .long, help: "Training epochs of the learned representations.")
    var epochs = 10

    @Option(name: .customLong("max-length"), help: "Longest sentence used (words).")
    var maxLength = 30

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Print the rows as JSON.")
    var json = false

    func validate() throws {
        try requirePositive(dimension, "--dimension")
        try requirePositive(samples, "--samples")
        try requirePositive(maxLength, "--max-length")
        try requireNonNegative(epochs, "--epochs")
    }

    /// The study's settings for `expressions` distinct sentences; `defaults` when no --representation was given.
    func settings(expressions: Int, defaults: [RepresentationSource]) -> RepresentationStudySettings {
        RepresentationStudySettings(
            sources: representation.isEmpty ? defaults : representation, expressions: expressions,
            trainingSamples: samples, dimension: dimension, epochs: epochs, maximumLength: maxLength, seed: seed)
    }
}

/// The options `experiment generate`, `experiment conditional` and `experiment transfer` share: the training
/// sample drawn from the grammar, the seed and JSON output.
struct GrammarSampleOptions: ParsableArguments {
    @Option(name: .customLong("train-samples"), help: "Sentences sampled from each grammar for training.")
    var trainSamples = 2000

    @Option(name: .long, help: "Random seed (grammar samples, initialization, training, evaluation).")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Print the final summary as JSON.")
    var json = false

    func validate() throws { try requirePositive(trainSamples, "--train-samples") }
}

/// The latent-variable options `experiment generate --method sentence-vae` and `experiment conditional --method
/// conditional-vae` share.
struct TextVAEOptions: ParsableArguments {
    @Option(name: .customLong("latent-size"), help: "Latent dimensions (sentence and conditional VAEs).")
    var latentSize = 16

    @Option(
        name: .customLong("word-dropout"), help: "Word dropout of the decoder inputs (sentence and conditional VAEs).")
    var wordDropout: Float = 0.25
}
