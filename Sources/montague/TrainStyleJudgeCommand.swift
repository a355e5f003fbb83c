import ArgumentParser
import Foundation
import MontagueSupport
import NeuralNet
import TextGeneration

/// `montague train style-judge --style NAME=FILE --style NAME=FILE --output DIR`: an independent style classifier
/// for `montague evaluate DIR --judge JUDGE`.
struct TrainStyleJudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "style-judge",
        abstract: "Train a bag-of-n-grams logistic-regression style classifier to judge style transfer.",
        discussion: """
            The judge is a model family different from the TextCNN classifier that `train style-transfer` trains \
            for evaluation and uses as the reward of dual-rl and the adversarial methods: binary features of the \
            word n-grams up to --order seen --min-count times, a logistic regression over the styles trained by \
            AdaGrad in an order shuffled by its own --seed. A held-out part of each style measures its accuracy. \
            `montague evaluate MODEL --judge DIR` then reports the judge's target-style accuracy beside the \
            model's own classifier's (styles are matched by name).

            Example:
              montague train style-judge --style neg=sentiment.train.0 --style pos=sentiment.train.1 --seed 7 \\
                --output runs/yelp-judge
              montague evaluate runs/yelp-dual --data neg=dev.0 --data pos=dev.1 --judge runs/yelp-judge
            """)

    @Option(name: .long, help: "A style and its sentences, NAME=FILE (repeatable; at least two styles).")
    var style: [String] = []

    @Option(name: .long, help: "The model directory to write.")
    var output: String

    @Option(name: .long, help: "Longest n-gram feature.")
    var order = 2

    @Option(name: .customLong("min-count"), help: "N-grams seen fewer times are not features.")
    var minCount = 2

    @Option(name: .long, help: "Passes over the training sentences.")
    var epochs = 3

    @Option(name: .customLong("learning-rate"), help: "AdaGrad's step size.")
    var learningRate = 0.2

    @Option(name: .long, help: "L2 penalty on the weights.")
    var l2 = 1e-6

    @Option(name: .customLong("valid-fraction"), help: "Fraction of each style held out to measure the judge.")
    var validFraction = 0.02

    @Option(name: .long, help: "Tokenizer: whitespace (pre-tokenized text) or default (Montague's word tokenizer).")
    var tokenizer: TextTokenization = .whitespace

    @Flag(name: .long, help: "Lowercase the text.")
    var lowercase = false

    @Option(name: .long, help: "Seed of the held-out split and the training order.")
    var seed: UInt64 = 0

    func validate() throws {
        let settings = self.settings
        if let problem = settings.problem { throw ValidationError(problem) }
        guard (0..<1).contains(validFraction) else { throw ValidationError("--valid-fraction must be in [0, 1)") }
    }

    private var settings: NgramStyleJudge.Settings {
        NgramStyleJudge.Settings(
            maximumOrder: order, minimumCount: minCount, epochs: epochs, learningRate: learningRate, l2: l2,
            seed: seed, tokenization: tokenizer, lowercase: lowercase)
    }

    func run() throws {
        let files = try style.map(StyleCorpus.parseSpecification)
        let result = try NgramStyleJudge.train(
            files: files, settings: settings, validationFraction: validFraction, output: ModelDirectory(path: output))
        print("training sentences per style: \(result.trainingSentences.map(String.init).joined(separator: ", "))")
        print("n-gram features: \(result.judge.featureCount)")
        if let accuracy = result.validationAccuracy {
            print(String(format: "held-out accuracy: %.4f", accuracy))
        }
        print("model: \(output)")
    }
}
